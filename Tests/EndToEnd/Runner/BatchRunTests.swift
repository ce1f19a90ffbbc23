import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardConfig
@testable import EvalGuardStore
@testable import EvalGuardSupport

/// `run --batch` (and `"batch": true`) against the stand-in server's Batch API: the same
/// requests as direct ones, answers at the batch price, latency not measured, a batch resumed
/// rather than paid for twice, and what did not complete in it asked directly.
@Suite struct BatchRunTests {
    static let prices = #"{"gpt-4o-mini": {"input_per_million": 0.15, "output_per_million": 0.60}}"#

    func repository(
        _ server: OpenAITestServer, cases: [String], model: String = "", prices: String = prices,
        poll: Double = 0
    ) throws -> ScratchRepository {
        let repo = try ScratchRepository()
        try repo.write(
            ".evals/evalguard.json",
            """
            {"model": {"provider": "openai", "base_url": "\(server.baseURL)", "model": "gpt-4o-mini", "api_key_env": "EVAL_KEY",
                       "batch_poll_s": \(poll), "messages": [{"role": "user", "content": "{{input}}"}]\(model)},
             "suites": {"main": {"cases": "cases/main.jsonl", "scorer": "exact"}}}
            """)
        try repo.write(".evals/cases/main.jsonl", cases.joined(separator: "\n") + "\n")
        try repo.write(".evals/prices.json", prices)
        try repo.write(".evals/.gitignore", "results/\n")
        try repo.commitAll("evals")
        return repo
    }

    func result(_ repo: ScratchRepository) throws -> RunResult {
        let text = try #require(repo.read(".evals/results/\(repo.head).json"))
        return try JSONDecoder().decode(RunResult.self, from: Data(text.utf8))
    }

    var environment: [String: String] {
        ProcessInfo.processInfo.environment.merging(["EVAL_KEY": "k"]) { _, new in new }
    }

    func evalguard(_ repo: ScratchRepository, _ arguments: String...) throws -> (
        status: Int32, stdout: String, stderr: String
    ) {
        try runBinary(arguments, in: repo.root, environment: environment)
    }

    /// What the server recorded, by kind.
    struct Recorded {
        var uploads: [String] = []
        var batchesCreated = 0
        var polls = 0
        var direct: [String] = []

        init(_ server: OpenAITestServer) throws {
            for r in try server.requests() {
                switch (r["method"]?.stringValue, r["path"]?.stringValue) {
                case ("UPLOAD"?, _): uploads.append(r["file"]?.stringValue ?? "")
                case ("POST"?, "/v1/batches"?): batchesCreated += 1
                case ("GET"?, let path?) where path.hasPrefix("/v1/batches/"): polls += 1
                case ("POST"?, "/v1/chat/completions"?): direct.append(r["body"]?.stringValue ?? "")
                default: break
                }
            }
        }

        /// The bodies of the uploaded lines, as sent (the text between `"body":` and the line's end).
        var batchedBodies: [String] {
            uploads.flatMap { $0.split(separator: "\n") }.map { line in
                let body = line[line.range(of: "\"body\":")!.upperBound...]
                return String(body.dropLast())
            }
        }
    }

    @Test func aBatchedRunAnswersAsADirectOneAtHalfThePriceWithoutLatency() throws {
        let server = try OpenAITestServer(["--batch-polls", "2"])
        let repo = try repository(server, cases: [caseLine("a", "hello there"), caseLine("b", "one two three four")])
        let direct = try evalguard(repo, "run")
        #expect(direct.status == 0, "\(direct.stderr)")
        let directResult = try result(repo)
        let batched = try evalguard(repo, "run", "--batch", "--fresh")
        #expect(batched.status == 0, "\(batched.stderr)")
        #expect(
            batched.stderr.contains("submitted 2 requests to OpenAI's Batch API as batch batch_1"), "\(batched.stderr)")
        #expect(
            batched.stdout.contains(
                "2 answer(s) came through a batch API, at the batch price; latency not measured (batch)"),
            "\(batched.stdout)")
        let recorded = try Recorded(server)
        #expect(recorded.batchesCreated == 1 && recorded.uploads.count == 1 && recorded.polls == 3)
        // The batch carries the bodies the direct run sent, byte for byte.
        #expect(recorded.batchedBodies.sorted() == recorded.direct.sorted() && recorded.direct.count == 2)

        let batchedResult = try result(repo)
        let (d, b) = (directResult.suites[0].cases, batchedResult.suites[0].cases)
        #expect(
            d.map(\.output) == b.map(\.output) && d.map(\.passed) == b.map(\.passed) && d.map(\.score) == b.map(\.score)
        )
        // "hello there": 2 prompt and 2 completion tokens; 2 × 0.15 + 2 × 0.60 = 1.5 per million, half in a batch.
        #expect(d[0].costUSD == 0.0000015 && b[0].costUSD == 0.00000075)
        // "one two three four": 4 and 4; 4 × 0.75 = 3 per million, 1.5 in a batch.
        #expect(d[1].costUSD == 0.000003 && b[1].costUSD == 0.0000015)
        #expect(b.allSatisfy { $0.usage?["batch"] == 1 } && d.allSatisfy { $0.usage?["batch"] == nil })
        #expect(batchedResult.suites[0].metrics.batched == 2 && !batchedResult.suites[0].metrics.latencyMeasured)
        #expect(batchedResult.overall.avgCostUSD == 0.000001125)
        #expect(repo.read(".evals/results/batches/model.json") == nil)

        // A price change re-prices the batched answers at the new batch price, without calls.
        let asked = try server.requests().count
        try repo.write(
            ".evals/prices.json", #"{"gpt-4o-mini": {"input_per_million": 0.30, "output_per_million": 0.60}}"#)
        try repo.commitAll("dearer prompts")
        #expect(try evalguard(repo, "run").status == 0)
        #expect(try server.requests().count == asked)
        let repriced = try result(repo).suites[0].cases
        // (2 × 0.30 + 2 × 0.60) / 2 = 0.9 per million; (4 × 0.30 + 4 × 0.60) / 2 = 1.8.
        #expect(repriced[0].costUSD == 0.0000009 && repriced[1].costUSD == 0.0000018)
        #expect(try result(repo).suites[0].reuse?.repriced == 2)
    }

    @Test func explicitBatchRatesAndADiscountPriceABatchedAnswerAndItsRepricing() throws {
        let table = try PriceTable.parse(
            ConfigSource(
                displayPath: ".evals/prices.json",
                text: """
                    {"a": {"input_per_million": 0.15, "output_per_million": 0.60, "batch_discount": 0.4},
                     "b": {"input_per_million": 0.15, "output_per_million": 0.60, "cached_input_per_million": 0.075,
                           "batch_input_per_million": 0.1, "batch_output_per_million": 0.5}}
                    """))
        let tokens = PriceTable.BilledTokens.openAICompatible(prompt: 1234, cached: 1000, completion: 567)
        // 1234 × 0.06 + 567 × 0.24 = 210.12 per million.
        #expect(table.models["a"]!.batched.cost(tokens) == 0.00021012)
        // 234 × 0.1 + 1000 × 0.0375 + 567 × 0.5 = 344.4 per million: the cached rate at the default half.
        #expect(table.models["b"]!.batched.cost(tokens) == 0.0003444)
        let usage: [String: Double] = [
            "prompt_tokens": 1234, "cached_tokens": 1000, "completion_tokens": 567, "batch": 1,
        ]
        #expect(table.models["b"]!.forUsage(usage) == table.models["b"]!.batched)
        #expect(table.models["b"]!.forUsage(["prompt_tokens": 1]) == table.models["b"]!)
        #expect {
            try PriceTable.parse(
                ConfigSource(
                    displayPath: ".evals/prices.json",
                    text: "{\"m\": {\"input_per_million\": 1, \"output_per_million\": 2,\n \"batch_discount\": 0}}"))
        } throws: { error in
            (error as? EvalGuardError)?.location == ".evals/prices.json:2"
        }
    }

    @Test func aBatchPastMaxWaitIsResumedByTheNextRunWithoutASecondSubmission() throws {
        let server = try OpenAITestServer(["--batch-polls", "3"])
        let repo = try repository(server, cases: [caseLine("a", "hello"), caseLine("b", "world")])
        let first = try evalguard(repo, "run", "--batch", "--max-wait", "0")
        #expect(first.status == 3, "\(first.stderr)")
        #expect(first.stderr.contains("batch batch_1 is still validating after --max-wait 0s"), "\(first.stderr)")
        #expect(first.stderr.contains("run the same command with --batch again to resume it"), "\(first.stderr)")
        #expect(repo.read(".evals/results/batches/model.json")?.contains("\"batch_id\":\"batch_1\"") == true)
        #expect(repo.read(".evals/results/\(repo.head).json") == nil)

        let second = try evalguard(repo, "run", "--batch")
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stderr.contains("resuming OpenAI's Batch API batch batch_1 of 2 requests"), "\(second.stderr)")
        let recorded = try Recorded(server)
        #expect(recorded.batchesCreated == 1 && recorded.uploads.count == 1 && recorded.direct.isEmpty)
        #expect(try result(repo).suites[0].cases.allSatisfy { $0.passed && $0.usage?["batch"] == 1 })
        #expect(repo.read(".evals/results/batches/model.json") == nil)
    }

    @Test func requestsThatFailedInTheBatchAreAskedDirectly() throws {
        let server = try OpenAITestServer()
        let repo = try repository(
            server, cases: [caseLine("a", "fine"), caseLine("b", "x batch-error"), caseLine("c", "y batch-status:400")])
        let r = try evalguard(repo, "run", "--batch")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(
            r.stderr.contains("2 of 3 requests did not complete in batch batch_1 (completed): asked directly"),
            "\(r.stderr)")
        let recorded = try Recorded(server)
        #expect(recorded.direct.count == 2 && recorded.direct.allSatisfy { $0.contains("batch-") })
        let cases = try result(repo).suites[0].cases
        #expect(cases.map(\.passed) == [true, true, true])
        #expect(cases.map { $0.usage?["batch"] } == [1, nil, nil])
        // One answer came through the batch: the suite's latency is not measured all the same.
        #expect(try result(repo).suites[0].metrics.batched == 1)
    }

    @Test func anExpiredBatchsUnfinishedRequestsAreAskedDirectly() throws {
        let server = try OpenAITestServer(["--batch-final", "expired"])
        let repo = try repository(server, cases: [caseLine("a", "done soon"), caseLine("b", "late batch-unfinished")])
        let r = try evalguard(repo, "run", "--batch")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(
            r.stderr.contains("1 of 2 requests did not complete in batch batch_1 (expired): asked directly"),
            "\(r.stderr)")
        #expect(try Recorded(server).direct.count == 1)
        #expect(try result(repo).suites[0].cases.allSatisfy(\.passed))
    }

    @Test func reusedAnswersAreNotSubmittedAgain() throws {
        let server = try OpenAITestServer()
        let repo = try repository(
            server, cases: [caseLine("a", "alpha"), caseLine("b", "beta")], model: #", "batch": true"#)
        #expect(try evalguard(repo, "run").status == 0)
        try repo.write(
            ".evals/cases/main.jsonl",
            [caseLine("a", "alpha"), caseLine("b", "beta"), caseLine("c", "gamma")].joined(separator: "\n") + "\n")
        try repo.commitAll("one more case")
        let r = try evalguard(repo, "run")
        #expect(r.status == 0, "\(r.stderr)")
        let recorded = try Recorded(server)
        #expect(recorded.batchesCreated == 2 && recorded.direct.isEmpty)
        #expect(recorded.uploads.map { $0.split(separator: "\n").count } == [2, 1])
        #expect(recorded.uploads[1].contains("gamma"))
    }

    @Test func aCheckMeasuresNoLatencyInABatchAndSkipsTheGateSayingSo() throws {
        let server = try OpenAITestServer()
        let repo = try repository(server, cases: (1...6).map { caseLine("c\($0)", "word\($0)") })
        #expect(try evalguard(repo, "baseline").status == 0)
        try repo.commitAll("baseline")
        let check = try evalguard(repo, "check", "--batch", "--fresh")
        #expect(check.status == 0, "\(check.stderr)")
        let row = try #require(check.stdout.split(separator: "\n").first { $0.contains("p95_latency_ms") })
        #expect(row.contains("skipped (not measured (batch))"), "\(check.stdout)")
        #expect(try Recorded(server).batchesCreated == 1)
        let json = try evalguard(repo, "check", "--batch", "--format", "json")
        #expect(json.stdout.contains("not measured (batch)"), "\(json.stdout)")
        let page = repo.path("report.html")
        #expect(try evalguard(repo, "report", "-o", page).status == 0)
        #expect(try String(contentsOfFile: page, encoding: .utf8).contains("not measured (batch)"))
    }

    @Test func checkAndCIWithoutTheFlagNeverBatchEvenAModelThatSaysSo() throws {
        let server = try OpenAITestServer()
        // At one price batched or not, so the new direct answer moves no cost gate: this is about who batches.
        let repo = try repository(
            server, cases: [caseLine("a", "alpha"), caseLine("b", "beta")], model: #", "batch": true"#,
            prices: #"{"gpt-4o-mini": {"input_per_million": 0.15, "output_per_million": 0.60, "batch_discount": 1}}"#)
        #expect(try evalguard(repo, "baseline").status == 0)
        try repo.commitAll("baseline")
        #expect(try Recorded(server).batchesCreated == 1)
        try repo.write(
            ".evals/cases/main.jsonl",
            [caseLine("a", "alpha"), caseLine("b", "beta"), caseLine("c", "gamma")].joined(separator: "\n") + "\n")
        let check = try evalguard(repo, "check")
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        let recorded = try Recorded(server)
        #expect(recorded.batchesCreated == 1 && recorded.direct.count == 1 && recorded.direct[0].contains("gamma"))
    }

    @Test func aBatchWhoseBoundExceedsTheCostLimitIsNotSubmitted() throws {
        let server = try OpenAITestServer()
        let repo = try repository(
            server, cases: [caseLine("a", "alpha"), caseLine("b", "beta")], model: #", "max_tokens": 1000"#)
        // 2 answers of up to 1000 tokens at $0.30 per million are $0.0006 alone.
        let r = try evalguard(repo, "run", "--batch", "--max-cost", "0.0005")
        #expect(r.status == 3, "\(r.stderr)")
        #expect(r.stderr.contains("more than the cost limit of $0.0005; not submitted"), "\(r.stderr)")
        #expect(try Recorded(server).uploads.isEmpty)
        let ok = try evalguard(repo, "run", "--batch", "--max-cost", "0.01")
        #expect(ok.status == 0, "\(ok.stderr)")
    }

    @Test func aJudgeThatSaysBatchGradesThroughABatch() throws {
        let server = try OpenAITestServer(["--judge"])
        let repo = try ScratchRepository()
        try repo.write("reply.py", Models.echo())
        try repo.write(
            ".evals/cases/replies.jsonl",
            [caseLine("a", "refund sent", "refund"), caseLine("b", "no idea", "refund")].joined(separator: "\n") + "\n")
        try repo.write(".evals/.gitignore", "results/\n")
        try repo.write(".evals/prices.json", Self.prices.replacingOccurrences(of: "gpt-4o-mini", with: "judge-1"))
        try repo.write(
            ".evals/evalguard.json",
            """
            {"models": {"feature": {"command": ["python3", "reply.py"], "timeout_s": 10},
                        "grader": {"provider": "openai", "base_url": "\(server.baseURL)", "model": "judge-1", "batch": true, "batch_poll_s": 0}},
             "suites": {"replies": {"cases": "cases/replies.jsonl", "model": "feature",
                                    "scorer": {"type": "judge", "judge": "grader", "rubric": "Says the refund is sent."}}}}
            """)
        try repo.commitAll("a judged feature")
        let run = try evalguard(repo, "run")
        #expect(run.status == 0, "\(run.stderr)")
        let recorded = try Recorded(server)
        #expect(recorded.batchesCreated == 1 && recorded.direct.isEmpty)
        #expect(try result(repo).suites[0].cases.map(\.passed) == [true, false])
        #expect(repo.read(".evals/results/batches/models.grader.json") == nil)
    }

    @Test func theHookNeverBatchesEvenAModelThatSaysSo() throws {
        let server = try OpenAITestServer()
        let repo = try repository(
            server, cases: [caseLine("a", "alpha"), caseLine("b", "beta")], model: #", "batch": true"#,
            prices: #"{"gpt-4o-mini": {"input_per_million": 0.15, "output_per_million": 0.60, "batch_discount": 1}}"#)
        let remote = NSTemporaryDirectory() + "evalguard-remote-\(UUID().uuidString).git"
        defer { try? FileManager.default.removeItem(atPath: remote) }
        try Shell.run(["git", "init", "-q", "--bare", "-b", "main", remote])
        #expect(try evalguard(repo, "baseline").status == 0)
        try repo.commitAll("baseline")
        try repo.git("remote", "add", "origin", remote)
        try repo.git("push", "-q", "-u", "origin", "main")
        #expect(try evalguard(repo, "install-hook").status == 0)
        try repo.write(
            ".evals/cases/main.jsonl",
            [caseLine("a", "alpha"), caseLine("b", "beta"), caseLine("c", "gamma")].joined(separator: "\n") + "\n")
        try repo.commitAll("one more case")
        let push = try Shell.run(["git", "push", "origin", "main"], in: repo.root, environment: environment)
        #expect(push.status == 0, "\(push.stderr)")
        let recorded = try Recorded(server)
        #expect(
            recorded.batchesCreated == 1 && recorded.direct.count == 1 && recorded.direct[0].contains("gamma"),
            "\(push.stderr)")
    }

    @Test func ctrlCWhilePollingLeavesTheBatchRunningAndItsIDKept() throws {
        let server = try OpenAITestServer(["--batch-polls", "100000"])
        let repo = try repository(server, cases: [caseLine("a", "alpha")], poll: 0.05)
        let process = Process()
        process.executableURL = try #require(evalguardBinary())
        process.arguments = ["run", "--batch"]
        process.currentDirectoryURL = URL(fileURLWithPath: repo.root)
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Ready once the batch's id is kept: it is written before the first poll.
        var polled = 0
        while polled < 2, process.isRunning {
            polled = try Recorded(server).polls
            Thread.sleep(forTimeInterval: 0.02)
        }
        #expect(repo.read(".evals/results/batches/model.json")?.contains("batch_1") == true)
        process.interrupt()
        process.waitUntilExit()
        #expect(process.terminationStatus == 130)
        let requests = try server.requests()
        #expect(!requests.contains { $0["path"]?.stringValue?.contains("cancel") == true })
        #expect(try Recorded(server).batchesCreated == 1)
        #expect(repo.read(".evals/results/batches/model.json")?.contains("batch_1") == true)
    }

    @Test func eachShareOfAShardedRunSubmitsItsOwnCases() throws {
        let server = try OpenAITestServer()
        let repo = try repository(server, cases: (1...8).map { caseLine("c\($0)", "word\($0)") })
        for share in ["1/2", "2/2"] {
            let r = try evalguard(repo, "run", "--shard", share, "--batch")
            #expect(r.status == 0, "\(r.stderr)")
        }
        let recorded = try Recorded(server)
        #expect(recorded.batchesCreated == 2 && recorded.direct.isEmpty)
        #expect(recorded.uploads.reduce(0) { $0 + $1.split(separator: "\n").count } == 8)
        let merged = try evalguard(repo, "merge", ".evals/results/shards/" + repo.head)
        #expect(merged.status == 0, "\(merged.stderr)")
        #expect(try result(repo).suites[0].metrics.batched == 8)
    }

    @Test func aBatchRefusedAsAWholeIsAskedDirectly() throws {
        let server = try OpenAITestServer(["--batch-final", "failed"])
        let repo = try repository(server, cases: [caseLine("a", "alpha"), caseLine("b", "beta")])
        let r = try evalguard(repo, "run", "--batch")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(
            r.stderr.contains("warning: batch batch_1 failed (the file was refused): its requests are asked directly"),
            "\(r.stderr)")
        #expect(try Recorded(server).direct.count == 2)
        #expect(try result(repo).suites[0].cases.allSatisfy { $0.passed && $0.usage?["batch"] == nil })
        #expect(try result(repo).suites[0].metrics.latencyMeasured)
    }

    @Test func aKeptBatchForOtherRequestsIsLeftAndANewOneSubmitted() throws {
        let server = try OpenAITestServer(["--batch-polls", "1"])
        let repo = try repository(server, cases: [caseLine("a", "alpha")])
        #expect(try evalguard(repo, "run", "--batch", "--max-wait", "0").status == 3)
        try repo.write(".evals/cases/main.jsonl", caseLine("a", "alpha, reworded") + "\n")
        try repo.commitAll("reword")
        let r = try evalguard(repo, "run", "--batch")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(
            r.stderr.contains(
                "warning: the batch batch_1 in .evals/results/batches/model.json was for other requests; it is left as it is"
            ), "\(r.stderr)")
        #expect(r.stderr.contains("as batch batch_2"))
        #expect(try Recorded(server).batchesCreated == 2)
    }
}
