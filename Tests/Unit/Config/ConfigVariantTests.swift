import EvalGuardTestSupport
import Testing

@testable import EvalGuardConfig
@testable import EvalGuardSupport

/// `variants` and `--set`: partial configurations merged over the committed one, validated as
/// the configuration is, with errors at the variant's own line.
@Suite struct ConfigVariantTests {
    static let base = """
        {
          // Two models; the drafter is the one teams try to replace.
          "models": {
            "drafter": {"provider": "openai", "base_url": "http://127.0.0.1:9/v1", "model": "gpt-4o",
                        "messages": [{"role": "user", "content": "{{input}}"}], "temperature": 0},
            "classifier": {"command": ["python3", "classify.py"], "jobs": 2}
          },
          "suites": {
            "replies": {"cases": "cases/replies.jsonl", "model": "drafter", "scorer": "contains"},
            "priority": {"cases": "cases/priority.jsonl", "model": "classifier"}
          },
        """

    func parse(_ variants: String) throws -> EvalConfig {
        try EvalConfig.parse(
            ConfigSource(
                displayPath: ".evals/evalguard.json", text: Self.base + "\n  \"variants\": " + variants + "\n}\n"))
    }

    func error(_ body: () throws -> Any) -> EvalGuardError? {
        do {
            _ = try body()
            return nil
        } catch let e as EvalGuardError { return e } catch { return nil }
    }

    @Test func mergesAVariantOverTheCommittedModel() throws {
        let config = try parse(
            """
            {
                "ft-mini": {"models": {"drafter": {"model": "ft:gpt-4o-mini:acme:v3", "temperature": null}}},
                "prompt-b": {"models": {"drafter": {"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "{{input}}"}]}},
                             "suites": {"replies": {"scorer": "exact"}}}
              }
            """)
        #expect(config.variantNames == ["ft-mini", "prompt-b"])
        let mini = try config.variant("ft-mini")
        let drafter = try #require(mini.models["drafter"])
        #expect(drafter.openAI?.model == "ft:gpt-4o-mini:acme:v3")
        #expect(drafter.node.value["temperature"] == nil, "null removes the committed key")
        #expect(drafter.node.value["base_url"] == .string("http://127.0.0.1:9/v1"), "the rest is the committed model's")
        #expect(mini.models["classifier"]?.keySettings == config.models["classifier"]?.keySettings)
        #expect(mini.variant?.name == "ft-mini")
        let b = try config.variant("prompt-b")
        #expect(b.models["drafter"]?.openAI?.messages.count == 2)
        #expect(b.suites.first { $0.name == "replies" }?.scorer == .exact(.init()))
        #expect(b.models["drafter"]?.keySettings != config.models["drafter"]?.keySettings)
    }

    @Test func aKeyTheModelKindDoesNotTakeIsAnErrorAtTheVariantsLine() throws {
        // Line 13 holds the variant's drafter; "command" is not an openai model's key.
        let e = try #require(
            error {
                try parse(
                    """
                    {
                        "bad": {"models": {"drafter": {"command": ["x"]}}}
                      }
                    """)
            })
        #expect(e.file == ".evals/evalguard.json")
        #expect(e.line == 13)
        #expect(e.message.hasPrefix("variants.bad.models.drafter.command: unknown key 'command'"))
    }

    @Test func anUnknownModelOrSuiteIsNamedWithTheKnownOnes() throws {
        let model = try #require(
            error { try parse("{\n    \"x\": {\"models\": {\"drafer\": {\"model\": \"m\"}}}\n  }") })
        #expect(model.line == 13)
        #expect(model.message == "variants.x.models.drafer: no model named 'drafer' in \"models\"")
        #expect(model.hint == "Models: classifier, drafter.")
        let suite = try #require(
            error { try parse("{\n    \"x\": {\"suites\": {\"replies\": {\"cases\": \"other.jsonl\"}}}\n  }") })
        #expect(suite.message.hasPrefix("variants.x.suites.replies.cases: unknown key 'cases'"))
        let top = try #require(error { try parse("{\n    \"x\": {\"thresholds\": {}}\n  }") })
        #expect(top.message.hasPrefix("variants.x.thresholds: unknown key 'thresholds'"))
        #expect(top.line == 13)
    }

    @Test func aBadValueIsAtTheVariantsLineAndAMissingOneAtTheCommittedLine() throws {
        let range = try #require(
            error { try parse("{\n    \"hot\": {\n      \"models\": {\"classifier\": {\"jobs\": 0}}}\n  }") })
        #expect(range.line == 14)
        #expect(range.message.hasPrefix("variants.hot.models.classifier.jobs: expected a whole number"))
        // Another provider replaces the model whole: what the new one lacks is the variant's fault.
        let replaced = try #require(
            error { try parse("{\n    \"x\": {\"models\": {\"classifier\": {\"provider\": \"openai\"}}}\n  }") })
        #expect(replaced.line == 13)
        #expect(replaced.message.hasPrefix("variants.x.models.classifier"))
    }

    @Test func setAssignmentsMakeAnAdHocVariant() throws {
        let config = try parse("{}")
        let hot = try config.variant(assignments: [
            "models.drafter.temperature=0.7", "models.drafter.model=gpt-4o-mini",
        ])
        #expect(hot.models["drafter"]?.node.value["temperature"] == .number(0.7))
        #expect(hot.models["drafter"]?.openAI?.model == "gpt-4o-mini", "a value that is not JSON is a string")
        #expect(hot.variant?.name == "models.drafter.temperature=0.7,models.drafter.model=gpt-4o-mini")
        let typo = try #require(error { try config.variant(assignments: ["models.drafter.temprature=0.7"]) })
        #expect(typo.file == nil)
        #expect(
            typo.message == "--set models.drafter.temprature=0.7: models.drafter.temprature: unknown key 'temprature'")
        #expect(typo.hint == "Did you mean 'temperature'?")
        #expect(typo.exitCode == .usage)
        #expect(
            error { try config.variant(assignments: ["models.drafter.temperature"]) }?.message
                == "--set models.drafter.temperature: expected <key.path>=<value>")
        #expect(error { try config.variant("nope") }?.message == "no variant named 'nope' in .evals/evalguard.json")
    }
}
