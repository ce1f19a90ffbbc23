import EvalGuardTestSupport
import Testing

@testable import EvalGuardConfig
@testable import EvalGuardSupport

/// `compare --adopt`'s edit of the configuration's text: values replaced in place, keys added
/// first in their object, comments kept; a removal or a layout the scan cannot follow is
/// written whole, and either way the file parses to exactly the merge.
@Suite struct VariantAdoptionTests {
    static let text = """
        {
          // The drafter in production.
          "models": {
            drafter: {"provider": "openai", "base_url": "http://127.0.0.1:9/v1", "model": 'gpt-4o', /* pinned */
                      "messages": [{"role": "user", "content": "{{input}}"}], "temperature": 0},
            "classifier": {"command": ["python3", "classify.py"]},
          },
          "suites": {"replies": {"cases": "cases/replies.jsonl", "model": "drafter"}},
          "variants": {
            "ft-mini": {"models": {"drafter": {"model": "ft:gpt-4o-mini:acme:v3", "max_tokens": 200}}},
            "local": {"models": {"drafter": {"provider": "command", "command": ["python3", "draft.py"]}}},
            "warm": {"models": {"drafter": {"temperature": null}}},
          },
        }
        """

    func adopt(_ name: String) throws -> (VariantAdoption, JSONValue) {
        let config = try EvalConfig.parse(ConfigSource(displayPath: ".evals/evalguard.json", text: Self.text))
        let adoption = try VariantAdoption(config: config, variant: name)
        let merged = try EvalConfig.parse(ConfigSource(displayPath: ".evals/evalguard.json", text: adoption.text))
        #expect(merged.variantNames == ["ft-mini", "local", "warm"], "the variants stay")
        return (adoption, try ConfigNode.parse(ConfigSource(displayPath: "x", text: adoption.text)).value)
    }

    @Test func aValueIsReplacedAndAKeyAddedInPlace() throws {
        let (adoption, value) = try adopt("ft-mini")
        #expect(adoption.keptLayout)
        #expect(
            adoption.text.contains(
                #"drafter: {"max_tokens": 200, "provider": "openai", "base_url": "http://127.0.0.1:9/v1", "model": "ft:gpt-4o-mini:acme:v3", /* pinned */"#
            ))
        #expect(adoption.text.contains("// The drafter in production."))
        #expect(
            value["models"]?["classifier"]
                == .object(["command": .array([.string("python3"), .string("classify.py")])]))
    }

    @Test func anAdoptionThatLeavesAnotherVariantInvalidWritesNothing() throws {
        // Adopting "local" makes the drafter a command model, which ft-mini's "max_tokens" and
        // "model" do not fit (the first unknown key in key order is named).
        let config = try EvalConfig.parse(ConfigSource(displayPath: ".evals/evalguard.json", text: Self.text))
        #expect(throws: EvalGuardError.self) { try VariantAdoption(config: config, variant: "local") }
        do { _ = try VariantAdoption(config: config, variant: "local") } catch let e as EvalGuardError {
            #expect(
                e.message.hasPrefix(
                    "adopting variant 'local' would leave .evals/evalguard.json invalid: variants.ft-mini.models.drafter.max_tokens: unknown key 'max_tokens'"
                ))
            #expect(e.exitCode == .usage)
        }
    }

    @Test func aRemovedKeyRewritesTheFileWholeWithEveryOtherKeyKept() throws {
        let (adoption, value) = try adopt("warm")
        #expect(!adoption.keptLayout)
        #expect(value["models"]?["drafter"]?["temperature"] == nil)
        #expect(value["models"]?["drafter"]?["model"] == .string("gpt-4o"))
        #expect(value["suites"]?["replies"]?["model"] == .string("drafter"))
    }
}
