import EvalGuardTestSupport
import Foundation
import Testing

/// A batch is paid for once: its id is kept until its answers are stored, its create is never
/// sent twice (a create that did not answer is looked for by the next run), and a kept id the
/// server does not know is dropped rather than waited for. What
/// the batch server says reaches the terminal without its control characters.
@Suite struct BatchPayingOnceTests {
    let runs = BatchRunTests()

    @Test func aModelsBatchIsKeptUntilItsAnswersAreStoredSoAStoppedJudgeCostsNoSecondBatch() throws {
        let models = try OpenAITestServer(["--batch-polls", "2"])
        let judges = try OpenAITestServer(["--judge", "--batch-polls", "2"])
        let repo = try ScratchRepository()
        try repo.write(
            ".evals/cases/replies.jsonl",
            [caseLine("a", "refund sent", "refund"), caseLine("b", "no idea", "refund")].joined(separator: "\n") + "\n")
        try repo.write(".evals/.gitignore", "results/\n")
        try repo.write(
            ".evals/evalguard.json",
            """
            {"models": {"feature": {"provider": "openai", "base_url": "\(models.baseURL)", "model": "gpt-4o-mini",
                                    "api_key_env": "EVAL_KEY", "batch_poll_s": 0,
                                    "messages": [{"role": "user", "content": "{{input}}"}]},
                        "grader": {"provider": "openai", "base_url": "\(judges.baseURL)", "model": "judge-1",
                                   "api_key_env": "EVAL_KEY", "batch_poll_s": 3600}},
             "suites": {"replies": {"cases": "cases/replies.jsonl", "model": "feature",
                                    "scorer": {"type": "judge", "judge": "grader", "rubric": "Says the refund is sent."}}}}
            """)
        try repo.commitAll("a judged feature")
        // The model's batch ends at once; the judge's is still running when --max-wait ends the run.
        let first = try runs.evalguard(repo, "run", "--batch", "--max-wait", "2s")
        #expect(first.status == 3, "\(first.stderr)")
        #expect(first.stderr.contains("batch batch_1 is still in_progress after --max-wait 2s"), "\(first.stderr)")
        #expect(repo.read(".evals/results/batches/models.feature.json") != nil)

        let second = try runs.evalguard(repo, "run", "--batch")
        #expect(second.status == 0, "\(second.stderr)")
        #expect(
            second.stderr.contains(
                "resuming OpenAI's Batch API batch batch_1 of 2 requests (.evals/results/batches/models.feature.json)"),
            "\(second.stderr)")
        #expect(try BatchRunTests.Recorded(models).batchesCreated == 1)
        #expect(try BatchRunTests.Recorded(judges).batchesCreated == 1)
        #expect(try runs.result(repo).suites[0].cases.map(\.passed) == [true, false])
        #expect(repo.read(".evals/results/batches/models.feature.json") == nil)
        #expect(repo.read(".evals/results/batches/models.grader.json") == nil)
    }

    @Test func aCreateWhoseAnswerIsLostIsNotSentAgainAndTheNextRunFindsItsBatch() throws {
        let server = try OpenAITestServer(["--batch-create-status", "500"])
        let repo = try runs.repository(server, cases: [caseLine("a", "alpha")])
        let first = try runs.evalguard(repo, "run", "--batch")
        #expect(first.status == 3, "\(first.stderr)")
        #expect(first.stderr.contains("answered HTTP 500 creating the batch"), "\(first.stderr)")
        #expect(first.stderr.contains("the batch may have been created all the same"), "\(first.stderr)")
        #expect(
            first.stderr.contains(
                "it first looks for the batch (input file file-1, metadata evalguard_digest) at \(server.baseURL)/batches"
            ),
            "\(first.stderr)")
        #expect(try BatchRunTests.Recorded(server).batchesCreated == 1)
        let kept = try #require(repo.read(".evals/results/batches/model.json"))
        #expect(!kept.contains("batch_id") && kept.contains("\"digest\""), "\(kept)")
        let created = try #require(
            try server.requests().first {
                $0["method"]?.stringValue == "POST" && $0["path"]?.stringValue == "/v1/batches"
            })
        #expect(created["body"]?.stringValue?.contains("\"metadata\":{\"evalguard_digest\":") == true)

        let second = try runs.evalguard(repo, "run", "--batch")
        #expect(second.status == 0, "\(second.stderr)")
        #expect(
            second.stderr.contains(
                "found OpenAI's Batch API batch batch_1 of 1 requests, whose create did not answer (.evals/results/batches/model.json): resuming it"
            ), "\(second.stderr)")
        #expect(try BatchRunTests.Recorded(server).batchesCreated == 1)
        #expect(try runs.result(repo).suites[0].cases.map(\.passed) == [true])
        #expect(repo.read(".evals/results/batches/model.json") == nil)
    }

    @Test func aKeptBatchTheServerDoesNotKnowIsDroppedWithASafeWarningAndSubmittedAgain() throws {
        let server = try OpenAITestServer(["--batch-polls", "1", "--not-found-text", " \u{1B}]0;owned\u{07}\u{1B}[2J"])
        let repo = try runs.repository(server, cases: [caseLine("a", "alpha")])
        #expect(try runs.evalguard(repo, "run", "--batch", "--max-wait", "0").status == 3)
        let path = ".evals/results/batches/model.json"
        let kept = try #require(repo.read(path))
        #expect(kept.contains("\"base_url\":\"\(server.baseURL)\""), "\(kept)")
        try repo.write(path, kept.replacingOccurrences(of: "batch_1", with: "batch_9"))

        let r = try runs.evalguard(repo, "run", "--batch")
        #expect(r.status == 0, "\(r.stderr)")
        // The server's text, its control characters replaced (and the key, "k", redacted from it).
        #expect(
            r.stderr.contains("warning: OpenAI's Batch API knows no batch batch_9 (kept in \(path)): "), "\(r.stderr)")
        #expect(
            r.stderr.contains(
                "request URL: GET /v1/batches/batch_9 \u{FFFD}]0;owned\u{FFFD}\u{FFFD}[2J; it is forgotten and the requests are submitted again"
            ), "\(r.stderr)")
        #expect(!r.stderr.contains("\u{1B}"))
        #expect(r.stderr.contains("as batch batch_2"), "\(r.stderr)")
        #expect(try BatchRunTests.Recorded(server).batchesCreated == 2)
        #expect(repo.read(path) == nil)
    }

    @Test func aBatchServersErrorReachesTheTerminalWithoutItsEscapeSequences() throws {
        let server = try OpenAITestServer(["--not-found-text", " \u{1B}[2J"])
        let repo = try runs.repository(server, cases: [caseLine("a", "alpha")])
        try repo.write(
            ".evals/evalguard.json",
            try #require(repo.read(".evals/evalguard.json")).replacingOccurrences(of: "/v1\"", with: "/v2\""))
        try repo.commitAll("no batch API there")
        let r = try runs.evalguard(repo, "run", "--batch")
        #expect(r.status == 3, "\(r.stderr)")
        #expect(r.stderr.contains("request URL: POST /v2/files \u{FFFD}[2J"), "\(r.stderr)")
        #expect(!r.stderr.contains("\u{1B}"))
    }
}
