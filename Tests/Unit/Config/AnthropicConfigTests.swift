import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardConfig
@testable import EvalGuardRunner
@testable import EvalGuardSupport

/// The anthropic provider's settings as the configuration writes them: the keys it reads and
/// their defaults, which of them are part of the evaluation key, and every mistake named at its
/// file and line with the fix.
@Suite struct AnthropicConfigTests {
    func configError(_ model: String) -> EvalGuardError? {
        do {
            _ = try openAIConfig(model)
            return nil
        } catch let e as EvalGuardError { return e } catch { return nil }
    }

    @Test func readsEveryKeyWithItsDefaults() throws {
        let model = try openAIConfig(#"{"provider": "anthropic", "model": "claude-x", "max_tokens": 100}"#)
        let o = try #require(model.openAI)
        #expect(o.api == .anthropic)
        #expect(o.requestURL == "https://api.anthropic.com/v1/messages")
        #expect(o.anthropicVersion == "2023-06-01")
        #expect(o.apiKeyHeader == "x-api-key")
        #expect(o.maxTokens == 100 && o.system == nil && o.temperature == nil)
        #expect(model.jobs == 8)
        #expect(!model.isDeterministic(repeats: 1))

        let full = try #require(
            try openAIConfig(
                """
                {"provider": "anthropic", "base_url": "http://127.0.0.1:8080/", "model": "claude-x", "max_tokens": 5,
                 "anthropic_version": "2024-01-01", "system": {"file": "prompts/sys.txt"}, "temperature": 1,
                 "tools": [{"name": "t", "input_schema": {"type": "object"}}], "tool_choice": {"type": "tool", "name": "t"},
                 "max_steps": 3, "messages": [{"role": "user", "content": "{{input}}"}, {"role": "assistant", "content": "Sure:"}]}
                """
            ).openAI)
        #expect(full.requestURL == "http://127.0.0.1:8080/v1/messages")
        #expect(
            full.anthropicVersion == "2024-01-01" && full.system?.file == "prompts/sys.txt" && full.temperature == 1)
        #expect(full.toolChoice == .object(["type": .string("tool"), "name": .string("t")]) && full.maxSteps == 3)
    }

    @Test func mistakesAreErrorsAtTheirLineWithTheFix() throws {
        let cases: [(String, String)] = [
            (#""model": "c""#, "model: missing \"max_tokens\": the Messages API requires"),
            (#""model": "c", "max_tokens": 0"#, "model.max_tokens"),
            (#""model": "c", "max_tokens": 9, "temperature": 1.5"#, "model.temperature"),
            (#""model": "c", "max_tokens": 9, "seed": 1"#, "model.seed: unknown key 'seed'"),
            (
                #""model": "c", "max_tokens": 9, "api_key_header": "x""#,
                "model.api_key_header: unknown key 'api_key_header'"
            ),
            (
                #""model": "c", "max_tokens": 9, "messages": [{"role": "system", "content": "x"}]"#,
                "model.messages[0].role: the role 'system' is not one this API takes"
            ),
            (
                #""model": "c", "max_tokens": 9, "tools": [{"type": "function", "function": {"name": "t"}}]"#,
                "model.tools[0]: this is an OpenAI function tool"
            ),
            (#""model": "c", "max_tokens": 9, "tools": [{"name": "t"}]"#, "model.tools[0]: missing \"input_schema\""),
            (
                #""model": "c", "max_tokens": 9, "tools": [{"name": "t", "input_schema": {}}, {"name": "t", "input_schema": {}}]"#,
                "model.tools[1].name: a second tool named 't'"
            ),
            (
                #""model": "c", "max_tokens": 9, "tools": [{"name": "t", "input_schema": {}}], "tool_choice": "auto""#,
                "model.tool_choice: expected {\"type\": \"auto\"}"
            ),
            (
                #""model": "c", "max_tokens": 9, "tools": [{"name": "t", "input_schema": {}}], "tool_choice": {"type": "required"}"#,
                "model.tool_choice.type: expected {\"type\": \"auto\"}"
            ),
            (
                #""model": "c", "max_tokens": 9, "tools": [{"name": "t", "input_schema": {}}], "tool_choice": {"type": "tool"}"#,
                "model.tool_choice: {\"type\": \"tool\"} needs \"name\""
            ),
            (
                #""model": "c", "max_tokens": 9, "tool_choice": {"type": "auto"}"#,
                "model.tool_choice: there are no tools to choose from"
            ),
            (
                #""model": "c", "max_tokens": 9, "anthropic_version": "2023 06""#,
                "model.anthropic_version: '2023 06' is not an API version"
            ),
            (#""model": "c", "max_tokens": 9, "system": {"path": "x"}"#, "model.system.path: unknown key 'path'"),
        ]
        for (members, expected) in cases {
            let error = try #require(configError("{\"provider\": \"anthropic\", \(members)}"), "\(members)")
            #expect(error.description.contains(expected), "\(members): \(error.description)")
            #expect(error.exitCode == .usage, "\(members)")
        }
        let missing = try #require(configError(#"{"provider": "anthropic", "model": "c"}"#))
        #expect(missing.hint?.contains("\"max_tokens\": 1024") == true)
    }

    @Test func whatChangesAnswersIsInTheKeyAndTheKeysVariableIsNot() throws {
        func key(_ extra: String, maxTokens: Int = 9) throws -> String {
            try openAIConfig(#"{"provider": "anthropic", "model": "c", "max_tokens": \#(maxTokens)\#(extra)}"#)
                .keySettings
        }
        let base = try key("")
        #expect(try key(#", "anthropic_version": "2024-01-01""#) != base)
        #expect(try key(#", "system": "Be brief.""#) != base)
        #expect(try key("", maxTokens: 10) != base)
        #expect(try key(#", "tools": [{"name": "t", "input_schema": {}}]"#) != base)
        #expect(try key(#", "api_key_env": "ANTHROPIC_API_KEY""#) == base)
        #expect(try key(#", "jobs": 2, "timeout_s": 9, "max_retries": 1"#) == base)
        // The provider itself is in the key: the same settings under openai are another model.
        #expect(base.contains("\"provider\":\"anthropic\""))
    }

    @Test func asAJudgeItGetsTemperatureZeroAndNoSeed() throws {
        let judge = try openAIConfig(#"{"provider": "anthropic", "model": "c", "max_tokens": 9}"#).asJudge
        #expect(judge.openAI?.temperature == 0 && judge.openAI?.seed == nil)
        #expect(judge.node.value["temperature"] == .number(0) && judge.node.value["seed"] == nil)
        let body = try JSONParser.parse(
            String(
                decoding: AnthropicRequestBody.encode(config: try #require(judge.openAI), messages: []), as: UTF8.self))
        #expect(body["temperature"] == .number(0) && body["seed"] == nil)
    }

    @Test func theSystemPromptFileIsAnInputOfTheModel() throws {
        let model = try openAIConfig(
            #"{"provider": "anthropic", "model": "c", "max_tokens": 9, "system": {"file": "prompts/sys.txt"}, "tools": {"file": "agent/tools.json"}}"#
        )
        #expect(model.promptFiles.contains("prompts/sys.txt"))
        #expect(model.toolsFile == "agent/tools.json")
    }
}
