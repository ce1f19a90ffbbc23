import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardConfig
@testable import EvalGuardStore
@testable import EvalGuardSupport

/// `run --batch` (and `"batch": true`) with the anthropic provider, against the stand-in's
/// Message Batches: the bodies a direct run sends, the answers it gets at the batch price (cached
/// usage included), a batch resumed rather than paid for twice, what did not succeed in it asked
/// directly, and a results_url on another host never followed with the key.
@Suite struct AnthropicBatchRunTests {
    static let key = "sk-ant-batch-secret-4e1d"
    static let prices =
        #"{"claude-test": {"input_per_million": 3, "output_per_million": 15, "cached_input_per_million": 0.3, "cache_write_per_million": 3.75}}"#

    func repository(_ server: AnthropicTestServer, cases: [String], model: String = "") throws -> ScratchRepository {
        let repo = try ScratchRepository()
        try repo.write(
            ".evals/evalguard.json",
            """
            {"model": {"provider": "anthropic", "base_url": "\(server.baseURL)", "model": "claude-test", "api_key_env": "EVAL_KEY",
                       "max_tokens": 64, "system": "Repeat the text.", "batch_poll_s": 0, "retry_backoff_s": 0.01,
                       "messages": [{"role": "user", "content": "{{input}}"}]\(model)},
             "suites": {"main": {"cases": "cases/main.jsonl", "scorer": "exact"}}}
            """)
        try repo.write(".evals/cases/main.jsonl", cases.joined(separator: "\n") + "\n")
        try repo.write(".evals/prices.json", Self.prices)
        try repo.write(".evals/.gitignore", "results/\n")
        try repo.commitAll("evals")
        return repo
    }

    func result(_ repo: ScratchRepository) throws -> RunResult {
        let text = try #require(repo.read(".evals/results/\(repo.head).json"))
        return try JSONDecoder().decode(RunResult.self, from: Data(text.utf8))
    }

    func evalguard(_ repo: ScratchRepository, _ arguments: String...) throws -> (
        status: Int32, stdout: String, stderr: String
    ) {
        let environment = ProcessInfo.processInfo.environment.merging(["EVAL_KEY": Self.key]) { _, new in new }
        return try runBinary(arguments, in: repo.root, environment: environment)
    }

    /// What the stand-in recorded, by kind.
    struct Recorded {
        var created: [JSONValue] = []
        var polls = 0
        var resultReads = 0
        var direct: [JSONValue] = []

        init(_ server: AnthropicTestServer) throws {
            for r in try server.requests() {
                let body = r["body"]?.stringValue ?? ""
                switch (r["method"]?.stringValue, r["path"]?.stringValue) {
                case ("POST"?, "/v1/messages/batches"?): created.append(r)
                case ("GET"?, let path?) where path.hasSuffix("/results"): resultReads += 1
                case ("GET"?, let path?) where path.hasPrefix("/v1/messages/batches/"): polls += 1
                case ("POST"?, "/v1/messages"?): direct.append(try JSONParser.parse(body))
                default: break
                }
            }
        }

        /// The `params` of every request of every batch.
        var batchedBodies: [JSONValue] {
            get throws {
                try created.flatMap { request in
                    try JSONParser.parse(request["body"]?.stringValue ?? "")["requests"]?.arrayValue ?? []
                }.compactMap { $0["params"] }
            }
        }
    }

    @Test func aBatchedRunAnswersAsADirectOneAtHalfThePriceCachedUsageIncluded() throws {
        let server = try AnthropicTestServer(["--key", Self.key, "--batch-polls", "1", "--batch-canceling", "1"])
        let repo = try repository(
            server,
            cases: [
                caseLine("a", "input:1200 output:300 cached:5000 written:800"), caseLine("b", "input:10 output:20"),
            ])
        let direct = try evalguard(repo, "run")
        #expect(direct.status == 0, "\(direct.stderr)")
        let directResult = try result(repo)
        let batched = try evalguard(repo, "run", "--batch", "--fresh")
        #expect(batched.status == 0, "\(batched.stderr)")
        #expect(
            batched.stderr.contains("submitted 2 requests to Anthropic's Message Batches as batch msgbatch_1"),
            "\(batched.stderr)")
        #expect(
            batched.stdout.contains(
                "2 answer(s) came through a batch API, at the batch price; latency not measured (batch)"),
            "\(batched.stdout)")
        for output in [direct.stdout, direct.stderr, batched.stdout, batched.stderr] {
            #expect(!output.contains(Self.key))
        }
        let recorded = try Recorded(server)
        // In progress, canceling, ended: three polls, then the results read once.
        #expect(recorded.created.count == 1 && recorded.polls == 3 && recorded.resultReads == 1)
        let headers = recorded.created[0]["headers"]
        #expect(headers?["x-api-key"]?.stringValue == Self.key && headers?["anthropic-version"] != nil)
        #expect(headers?["content-type"]?.stringValue == "application/json")
        let requests = try JSONParser.parse(recorded.created[0]["body"]?.stringValue ?? "")["requests"]?.arrayValue
        #expect(requests?.map { $0["custom_id"]?.stringValue } == ["request-0", "request-1"])
        // The batch carries the bodies the direct run sent.
        let bodies = try recorded.batchedBodies
        #expect(recorded.direct.count == 2 && bodies.count == 2)
        #expect(Set(bodies.map(\.canonicalText)) == Set(recorded.direct.map(\.canonicalText)))

        let (d, b) = (directResult.suites[0].cases, try result(repo).suites[0].cases)
        #expect(d.map(\.output) == b.map(\.output) && b.allSatisfy(\.passed))
        // (1200 × 3 + 5000 × 0.30 + 800 × 3.75 + 300 × 15) / 10⁶ = 0.0126, half in a batch.
        #expect(d[0].costUSD == 0.0126 && b[0].costUSD == 0.0063)
        // (10 × 3 + 20 × 15) / 10⁶ = 0.00033, half in a batch.
        #expect(d[1].costUSD == 0.00033 && b[1].costUSD == 0.000165)
        #expect(b[0].usage?["cache_read_input_tokens"] == 5000 && b[0].usage?["cache_creation_input_tokens"] == 800)
        #expect(zip(d, b).allSatisfy { ($0.usage ?? [:]).merging(["batch": 1]) { _, mark in mark } == $1.usage })
        #expect(try result(repo).suites[0].metrics.batched == 2)
        #expect(repo.read(".evals/results/batches/model.json") == nil)
    }

    @Test func aBatchPastMaxWaitIsResumedWithoutASecondSubmission() throws {
        let server = try AnthropicTestServer(["--batch-polls", "3"])
        let repo = try repository(
            server, cases: [caseLine("a", "hello"), caseLine("b", "world")], model: #", "batch": true"#)
        let first = try evalguard(repo, "run", "--max-wait", "0")
        #expect(first.status == 3, "\(first.stderr)")
        #expect(first.stderr.contains("batch msgbatch_1 is still in_progress after --max-wait 0s"), "\(first.stderr)")
        #expect(repo.read(".evals/results/batches/model.json")?.contains("\"batch_id\":\"msgbatch_1\"") == true)

        let second = try evalguard(repo, "run")
        #expect(second.status == 0, "\(second.stderr)")
        #expect(
            second.stderr.contains("resuming Anthropic's Message Batches batch msgbatch_1 of 2 requests"),
            "\(second.stderr)")
        let recorded = try Recorded(server)
        #expect(recorded.created.count == 1 && recorded.direct.isEmpty)
        #expect(try result(repo).suites[0].cases.allSatisfy { $0.passed && $0.usage?["batch"] == 1 })
        #expect(repo.read(".evals/results/batches/model.json") == nil)
    }

    @Test func erroredExpiredAndCanceledRequestsAreAskedDirectly() throws {
        let server = try AnthropicTestServer()
        let repo = try repository(
            server,
            cases: [
                caseLine("a", "fine"), caseLine("b", "refused status:400:1"), caseLine("c", "late batch-expired"),
                caseLine("d", "dropped batch-canceled"),
            ])
        let r = try evalguard(repo, "run", "--batch")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(
            r.stderr.contains("3 of 4 requests did not complete in batch msgbatch_1 (ended): asked directly"),
            "\(r.stderr)")
        let recorded = try Recorded(server)
        #expect(recorded.created.count == 1 && recorded.direct.count == 3)
        let cases = try result(repo).suites[0].cases
        #expect(cases.map(\.passed) == [true, true, true, true])
        #expect(cases.map { $0.usage?["batch"] } == [1, nil, nil, nil])
    }

    @Test func aResultsURLOnAnotherHostIsNeverFollowed() throws {
        let server = try AnthropicTestServer(["--results-origin", "http://collector.example:8080"])
        let repo = try repository(server, cases: [caseLine("a", "alpha")])
        let r = try evalguard(repo, "run", "--batch")
        #expect(r.status == 3, "\(r.stderr)")
        #expect(
            r.stderr.contains(
                "Anthropic's Message Batches: the results_url of batch msgbatch_1 'http://collector.example:8080/v1/messages/batches/msgbatch_1/results' is not a URL on \(server.baseURL)"
            ), "\(r.stderr)")
        #expect(!r.stderr.contains(Self.key))
        let recorded = try Recorded(server)
        #expect(recorded.resultReads == 0 && recorded.direct.isEmpty)
        #expect(repo.read(".evals/results/\(repo.head).json") == nil)
    }
}

extension AnthropicBatchRunTests {
    @Test func eachShareOfAShardedRunSubmitsItsOwnCases() throws {
        let server = try AnthropicTestServer()
        let repo = try repository(server, cases: (1...6).map { caseLine("c\($0)", "word\($0)") })
        for share in ["1/2", "2/2"] {
            let r = try evalguard(repo, "run", "--shard", share, "--batch")
            #expect(r.status == 0, "\(r.stderr)")
        }
        let recorded = try Recorded(server)
        #expect(try recorded.created.count == 2 && recorded.direct.isEmpty && recorded.batchedBodies.count == 6)
        let merged = try evalguard(repo, "merge", ".evals/results/shards/" + repo.head)
        #expect(merged.status == 0, "\(merged.stderr)")
        #expect(try result(repo).suites[0].metrics.batched == 6)
    }

    @Test func aBatchWhoseBoundExceedsTheCostLimitIsNotSubmitted() throws {
        let server = try AnthropicTestServer()
        let repo = try repository(server, cases: [caseLine("a", "alpha"), caseLine("b", "beta")])
        // 2 answers of up to 64 tokens at the batch's $7.50 per million are $0.00096 alone.
        let r = try evalguard(repo, "run", "--batch", "--max-cost", "0.0009")
        #expect(r.status == 3, "\(r.stderr)")
        #expect(r.stderr.contains("more than the cost limit of $0.0009; not submitted"), "\(r.stderr)")
        #expect(try Recorded(server).created.isEmpty)
        let ok = try evalguard(repo, "run", "--batch", "--max-cost", "0.01")
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(try Recorded(server).created.count == 1)
    }

    @Test func anAnthropicJudgeThatSaysBatchGradesThroughABatch() throws {
        let server = try AnthropicTestServer(["--judge"])
        let repo = try ScratchRepository()
        try repo.write("reply.py", Models.echo())
        try repo.write(
            ".evals/cases/replies.jsonl",
            [caseLine("a", "refund sent", "refund"), caseLine("b", "no idea", "refund")].joined(separator: "\n") + "\n")
        try repo.write(".evals/.gitignore", "results/\n")
        try repo.write(".evals/prices.json", Self.prices)
        try repo.write(
            ".evals/evalguard.json",
            """
            {"models": {"feature": {"command": ["python3", "reply.py"], "timeout_s": 10},
                        "grader": {"provider": "anthropic", "base_url": "\(server.baseURL)", "model": "claude-test",
                                   "max_tokens": 64, "batch": true, "batch_poll_s": 0}},
             "suites": {"replies": {"cases": "cases/replies.jsonl", "model": "feature",
                                    "scorer": {"type": "judge", "judge": "grader", "rubric": "Says the refund is sent."}}}}
            """)
        try repo.commitAll("a judged feature")
        let run = try evalguard(repo, "run")
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("to Anthropic's Message Batches as batch msgbatch_1"), "\(run.stderr)")
        let recorded = try Recorded(server)
        #expect(recorded.created.count == 1 && recorded.direct.isEmpty)
        #expect(try result(repo).suites[0].cases.map(\.passed) == [true, false])
        #expect(repo.read(".evals/results/batches/models.grader.json") == nil)
    }
}
