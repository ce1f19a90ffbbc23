import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardBlame
@testable import EvalGuardConfig
@testable import EvalGuardEvaluation
@testable import EvalGuardGit
@testable import EvalGuardReport
@testable import EvalGuardRunner
@testable import EvalGuardSupport

/// What a layer does when a value another layer is meant to have checked reaches it unchecked (a
/// configuration built in code rather than parsed, a provider that breaks its contract, an answer
/// without its parts): the layer's own error with its exit code, or a plain rendering, never a trap.
@Suite struct LayerContractTests {
    static let configPath = ".evals/evalguard.json"

    /// Answers every request but the last.
    final class DroppingProvider: ModelProvider {
        func answer(_ requests: ModelRequests, progress: (Int) -> Void, receive: (Int, ModelResponse) -> Void) throws {
            for index in requests.indices.dropLast() {
                receive(index, ModelResponse(output: requests[index].input, latencyMs: 1))
            }
        }
    }

    static func parse(_ text: String) throws -> EvalConfig {
        try EvalConfig.parse(ConfigSource(displayPath: configPath, text: text))
    }

    @Test func aRequestTheProviderLeftUnansweredIsAnEvaluationError() throws {
        let requests = ["first", "second"].map { ModelRequest(id: $0, input: .string($0)) }
        let error = try #require(throws: EvalGuardError.self) {
            try DroppingProvider().answer(requests, progress: { _ in })
        }
        #expect(error.exitCode == .couldNotEvaluate)
        #expect(error.message == "no answer came back for request second")

        // The same through the evaluation's asking, as the asked scorers call it.
        let config = try Self.parse(#"{"model": {"command": ["true"]}, "suites": {"s": {"cases": "cases/s.jsonl"}}}"#)
        let asking = Asking(config: config, directory: { "/" }, environment: [:], stored: [])
        let viaAsking = try #require(throws: EvalGuardError.self) {
            try asking.providers.answer(DroppingProvider(), requests)
        }
        #expect(viaAsking.exitCode == .couldNotEvaluate)
        #expect(viaAsking.message == "no answer came back for request second")
    }

    @Test func aJudgeWhoseModelIsMissingIsAConfigurationError() throws {
        var config = try Self.parse(
            """
            {"model": {"command": ["true"]},
             "models": {"grader": {"provider": "openai", "base_url": "http://127.0.0.1:9/v1", "model": "m",
                                   "messages": [{"role": "user", "content": "{{input}}"}]}},
             "suites": {"s": {"cases": "cases/s.jsonl", "scorer": {"type": "judge", "judge": "grader", "rubric": "Polite."}}}}
            """)
        let settings = try #require(config.suites.first?.scorer.judge)
        config.models["grader"] = nil
        let error = try #require(throws: EvalGuardError.self) {
            try ResolvedJudge(settings, config: config, read: { _ in nil })
        }
        #expect(error.exitCode == .usage)
        #expect(error.file == Self.configPath)
        #expect(error.message == "the judge 'grader' is not a model in \"models\"")
    }

    @Test func aSimilarityScorerWhoseModelIsMissingIsAConfigurationError() throws {
        var config = try Self.parse(
            """
            {"model": {"command": ["true"]},
             "models": {"embedder": {"provider": "openai", "base_url": "http://127.0.0.1:9/v1", "model": "text-embedding-3-small",
                                     "messages": [{"role": "user", "content": "{{input}}"}]}},
             "suites": {"s": {"cases": "cases/s.jsonl", "scorer": {"type": "similarity", "model": "embedder", "threshold": 0.8}}}}
            """)
        config.models["embedder"] = nil
        let suite = LoadedSuite(
            config: config.suites[0],
            cases: [EvalCase(id: "c1", input: .string("hi"), expected: .string("hi"), line: 1)],
            digest: String(repeating: "a", count: 40), judge: nil)
        let asking = Asking(config: config, directory: { "/" }, environment: [:], stored: [])
        let echo = EchoProvider()
        let error = try #require(throws: EvalGuardError.self) {
            try Evaluation.run([suite], provider: echo, asking: asking, repeats: 1)
        }
        #expect(error.exitCode == .usage)
        #expect(error.message == "suite 's': the similarity scorer's model 'embedder' is not a model in \"models\"")
        #expect(echo.asked == 1)
    }

    @Test func aFoundBlameAnswerWithoutItsCulpritIsShownAsAmbiguous() throws {
        let commit = { (sha: String) in
            CommitInfo(
                sha: sha, subject: "subject " + sha.prefix(1), author: "A", email: "a@example.com",
                date: Date(timeIntervalSince1970: 0))
        }
        let answer = BlameAnswer(
            status: .found, good: commit(String(repeating: "1", count: 40)),
            bad: commit(String(repeating: "2", count: 40)),
            goodReason: "given with --good", metric: .accuracy, suites: ["s"], goodValue: 1, badValue: 0.5,
            commitsInRange: 1, distinctKeys: nil, evaluations: 0, culprit: nil,
            candidates: [commit(String(repeating: "2", count: 40))])
        let text = BlameReport(answer: answer).text()
        #expect(text.contains("The first bad commit could be any of"))
        #expect(text.contains(String(repeating: "2", count: 40) + "  subject 2"))
        #expect(!text.contains("First bad commit:"))
        let html = BlameHTML(answer: answer).render()
        #expect(html.contains("The first bad commit is one of 1 commits"))
    }
}

/// Echoes each input, counting the requests it was asked.
private final class EchoProvider: ModelProvider {
    var asked = 0
    func answer(_ requests: ModelRequests, progress: (Int) -> Void, receive: (Int, ModelResponse) -> Void) throws {
        for index in requests.indices {
            asked += 1
            receive(index, ModelResponse(output: requests[index].input, latencyMs: 1))
            progress(asked)
        }
    }
}
