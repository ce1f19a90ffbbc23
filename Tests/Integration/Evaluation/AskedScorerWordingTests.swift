import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardEvaluation
@testable import EvalGuardGit
@testable import EvalGuardSupport

/// When a judge or an embedder fails, the message names it, the setting that stopped the run
/// (its own `max_error_rate`, under `models.<name>`) and the case, never a cache key.
@Suite(.serialized) struct AskedScorerWordingTests {
    @Test func aJudgeThatCannotAnswerNamesItsOwnBudgetAndTheCase() throws {
        let repo = try ScratchRepository()
        try repo.setUpEvals(
            model: Models.echo(), cases: [caseLine("c1", "q1", "q1"), caseLine("c2", "q2", "q2")],
            extraConfig:
                #""models": {"grader": {"command": ["python3", "judge.py"], "max_error_rate": 0}}, "thresholds": {"p95_latency_ms": false}"#
        )
        let config = try String(contentsOfFile: repo.root + "/.evals/evalguard.json", encoding: .utf8)
        try repo.write(
            ".evals/evalguard.json",
            config.replacingOccurrences(of: "\"scorer\": \"exact\"", with: "\"scorer\": " + CommandJudge.scorer))
        try repo.write("judge.py", "import sys\nsys.stdin.readline()\nsys.exit(4)\n")
        try repo.commitAll("a judge that dies")
        let run = repo.evalguard("run")
        #expect(run.status == 3)
        #expect(run.stderr.contains("the judge 'grader' failed on"), "\(run.stderr)")
        #expect(run.stderr.contains("more than models.grader.max_error_rate (0.0)"), "\(run.stderr)")
        #expect(
            run.stderr.contains("case c1 of suite 'main'") || run.stderr.contains("case c2 of suite 'main'"),
            "\(run.stderr)")
        #expect(
            !run.stderr.contains("model.max_error_rate") && !run.stderr.contains("the model failed"), "\(run.stderr)")
    }

    /// A judge's process: a command that cannot start, or a process that dies, is named as the
    /// judge's, with its own settings, never as "the model".
    @Test func aJudgesProcessIsNamedAsTheJudges() throws {
        let repo = try ScratchRepository()
        try repo.setUpEvals(
            model: Models.echo(), cases: [caseLine("c1", "q1", "q1")],
            extraConfig:
                #""models": {"grader": {"command": ["no-such-judge-binary"], "max_error_rate": 0}}, "thresholds": {"p95_latency_ms": false}"#
        )
        let config = try String(contentsOfFile: repo.root + "/.evals/evalguard.json", encoding: .utf8)
        try repo.write(
            ".evals/evalguard.json",
            config.replacingOccurrences(of: "\"scorer\": \"exact\"", with: "\"scorer\": " + CommandJudge.scorer))
        try repo.commitAll("a judge that is not installed")
        let missing = repo.evalguard("run")
        #expect(missing.status == 3)
        #expect(
            missing.stderr.contains("the judge 'grader': command not found: 'no-such-judge-binary'"),
            "\(missing.stderr)")
        #expect(missing.stderr.contains("models.grader.command in .evals/evalguard.json"), "\(missing.stderr)")
        try repo.write(
            ".evals/evalguard.json",
            config.replacingOccurrences(of: "\"scorer\": \"exact\"", with: "\"scorer\": " + CommandJudge.scorer)
                .replacingOccurrences(of: #"["no-such-judge-binary"]"#, with: #"["python3", "judge.py"]"#))
        try repo.write("judge.py", "import sys\nsys.stdin.readline()\nsys.exit(4)\n")
        let died = repo.evalguard("run")
        #expect(died.status == 3)
        #expect(died.stderr.contains("the process of the judge 'grader' ended (exit status 4)"), "\(died.stderr)")
        #expect(!died.stderr.contains("model process"), "\(died.stderr)")
    }

    @Test func anEmbedderThatCannotBeReachedNamesItsOwnSettings() throws {
        let f = try SimilarityScorerTests.Fixture(cases: SimilarityScorerTests.cases)
        let config = try String(contentsOfFile: f.repo.root + "/.evals/evalguard.json", encoding: .utf8)
        try f.repo.write(
            ".evals/evalguard.json",
            config.replacingOccurrences(of: f.server.baseURL, with: "http://127.0.0.1:9/v1")
                .replacingOccurrences(
                    of: #""retry_backoff_s": 0.01"#,
                    with: #""retry_backoff_s": 0.01, "max_retries": 0, "max_error_rate": 0"#))
        try f.repo.commitAll("an embedder nobody serves")
        let error = try #require(throws: EvalGuardError.self) { try f.evaluate() }
        #expect(error.message.contains("the embeddings model 'embedder' failed on"), "\(error.message)")
        #expect(error.message.contains("models.embedder.max_error_rate"), "\(error.message)")
        #expect(error.hint?.contains("case same of suite 'summaries'") == true, "\(error.hint ?? "")")
        #expect(error.hint?.contains("models.embedder.base_url") == true, "\(error.hint ?? "")")
    }

    @Test func hugeIdenticalEmbeddingsAreIdentical() {
        let huge = [1e200, -3e200, 2e200]
        #expect(SimilarityRunner.cosine(huge, huge).map { abs($0 - 1) < 1e-12 } == true)
        let tiny = [1e-200, 2e-200]
        #expect(SimilarityRunner.cosine(tiny, tiny).map { abs($0 - 1) < 1e-12 } == true)
        #expect(SimilarityRunner.cosine([1, 0], [0, 1]) == 0)
        #expect(SimilarityRunner.cosine([0, 0], [1, 1]) == nil)
    }
}
