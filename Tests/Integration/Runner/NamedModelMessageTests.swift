import EvalGuardTestSupport
import Testing

@testable import EvalGuardConfig
@testable import EvalGuardRunner
@testable import EvalGuardSupport

/// Messages about a named model's settings name them where they are written: `models.<name>.<key>`.
@Suite struct NamedModelMessageTests {
    @Test func aNamedModelsSettingsAreNamedByTheirPath() throws {
        let server = try OpenAITestServer(["--model", "gpt-4o-mini"])
        let text = """
            {"models": {"grader": {"provider": "openai", "base_url": "\(server.baseURL)", "model": "gpt-4o-mni",
                                   "messages": [{"role": "user", "content": "{{input}}"}]}},
             "model": {"command": ["true"]}, "suites": {"s": {"cases": "c.jsonl"}}}
            """
        let config = try EvalConfig.parse(ConfigSource(displayPath: ".evals/evalguard.json", text: text))
        let grader = try #require(config.models["grader"])
        let provider = OpenAIProvider(
            config: grader.openAI!, jobs: grader.jobs, timeoutSeconds: grader.timeoutSeconds,
            maxErrorRate: grader.maxErrorRate, apiKey: nil, price: nil)
        let error = try #require(throws: EvalGuardError.self) { try provider.answer(textRequests(["a"])) { _ in } }
        #expect(error.hint?.contains("models.grader.model ('gpt-4o-mni')") == true, "\(error.hint ?? "")")
        #expect(error.hint?.contains("models.grader.base_url") == true, "\(error.hint ?? "")")
        #expect(error.hint?.contains(" model.model") == false, "\(error.hint ?? "")")
    }
}
