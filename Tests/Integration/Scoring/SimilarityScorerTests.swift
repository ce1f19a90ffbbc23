import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardConfig
@testable import EvalGuardEvaluation
@testable import EvalGuardGit
@testable import EvalGuardStore
@testable import EvalGuardSupport

/// The `similarity` scorer against the stand-in server's `/v1/embeddings`, whose vectors are
/// [1 + count of "a", 1 + count of "b", 1 + count of "c"]: cosines the test computes by hand.
@Suite(.serialized) struct SimilarityScorerTests {
    final class Fixture {
        let server: OpenAITestServer
        let repo: ScratchRepository
        let modelCounter = NSTemporaryDirectory() + "evalguard-model-\(UUID().uuidString).log"
        var evaluator: Evaluator { Evaluator(repository: try! Repository.discover(from: repo.root)) }

        init(cases: [String], threshold: Double = 0.85) throws {
            server = try OpenAITestServer()
            repo = try ScratchRepository()
            try repo.write(
                "model/echo.py",
                """
                import json, sys
                for line in sys.stdin:
                    r = json.loads(line)
                    open(\(JSONValue.string(modelCounter).canonicalText), "a").write("request\\n")
                    sys.stdout.write(json.dumps({"id": r["id"], "output": r["input"]}) + "\\n")
                    sys.stdout.flush()
                """)
            try writeConfig(threshold: threshold)
            try repo.write(".evals/cases/summaries.jsonl", cases.joined(separator: "\n") + "\n")
            try repo.write(".evals/.gitignore", "results/\n")
            try repo.commitAll("summaries scored by similarity")
        }

        deinit { try? FileManager.default.removeItem(atPath: modelCounter) }

        func writeConfig(threshold: Double) throws {
            try repo.write(
                ".evals/evalguard.json",
                """
                {
                  "model": {"command": ["python3", "model/echo.py"], "jobs": 1, "timeout_s": 10},
                  "models": {"embedder": {"provider": "openai", "base_url": "\(server.baseURL)", "model": "text-embedding-3-small",
                                          "messages": [{"role": "user", "content": "{{input}}"}], "retry_backoff_s": 0.01}},
                  "suites": {"summaries": {"cases": "cases/summaries.jsonl",
                                           "scorer": {"type": "similarity", "model": "embedder", "threshold": \(threshold)}}},
                  "thresholds": {"p95_latency_ms": false}
                }
                """)
        }

        var embeddingsRequests: Int {
            ((try? server.requests()) ?? []).count { $0["path"] == .string("/v1/embeddings") }
        }
        var modelRequests: Int {
            ((try? String(contentsOfFile: modelCounter, encoding: .utf8)) ?? "").split(separator: "\n").count
        }

        func evaluate() throws -> (model: Int, embeddings: Int, result: RunResult) {
            let (m, e) = (modelRequests, embeddingsRequests)
            let r = try evaluator.evaluate(.workingTree)
            return (modelRequests - m, embeddingsRequests - e, r.result)
        }
    }

    static let cases = [
        caseLine("same", "aaa", "aaa"), caseLine("far", "bbbb", "aaaa"), caseLine("near", "aab", "aaab"),
    ]

    @Test func passesAtTheThresholdWithTheCosineAsScore() throws {
        let f = try Fixture(cases: Self.cases)
        let (model, embeddings, result) = try f.evaluate()
        #expect(model == 3)
        #expect(embeddings == 1) // five distinct texts ("aaa" twice) in one batch
        let body = try #require(
            try f.server.requests().first { $0["path"] == .string("/v1/embeddings") }?["body"]?.stringValue)
        let sent = try JSONParser.parse(body)
        #expect(sent["model"] == .string("text-embedding-3-small"))
        #expect(sent["input"]?.arrayValue?.count == 5)
        let cases = Dictionary(uniqueKeysWithValues: result.suites[0].cases.map { ($0.id, $0) })
        // [4,1,1]·[4,1,1]: identical.
        #expect(cases["same"]?.passed == true && abs((cases["same"]?.score ?? 0) - 1) < 1e-12)
        // [1,5,1]·[5,1,1] = 11, both norms √27: 11/27 ≈ 0.407.
        #expect(cases["far"]?.passed == false && abs((cases["far"]?.score ?? 0) - 11.0 / 27.0) < 1e-12)
        // [3,2,1]·[4,2,1] = 17 over √14·√21: ≈ 0.9915.
        #expect(
            cases["near"]?.passed == true
                && abs((cases["near"]?.score ?? 0) - 17 / (14.0.squareRoot() * 21.0.squareRoot())) < 1e-12)
        #expect(result.suites[0].embeddings?.count == 5)
    }

    @Test func aSecondRunAsksForNoEmbeddings() throws {
        let f = try Fixture(cases: Self.cases)
        _ = try f.evaluate()
        let (model, embeddings, _) = try f.evaluate()
        #expect(model == 0)
        #expect(embeddings == 0)
    }

    @Test func aNewThresholdReScoresFromTheCachedEmbeddings() throws {
        let f = try Fixture(cases: Self.cases)
        _ = try f.evaluate()
        try f.writeConfig(threshold: 0.4)
        try f.repo.commitAll("looser threshold")
        let (model, embeddings, result) = try f.evaluate()
        #expect(model == 0)
        #expect(embeddings == 0)
        #expect(result.suites[0].reuse?.rescored == 3)
        #expect(result.suites[0].cases.allSatisfy { $0.passed }) // 11/27 ≥ 0.4
        #expect(result.suites[0].embeddings?.count == 5)
    }

    @Test func aMalformedEmbeddingIsAnErrorForItsCaseOnly() throws {
        let f = try Fixture(cases: Self.cases + [caseLine("bad", "BADVEC", "abc")])
        let (_, _, result) = try f.evaluate()
        let bad = try #require(result.suites[0].cases.first { $0.id == "bad" })
        #expect(bad.passed == false)
        #expect(bad.error?.contains("not an array of numbers") == true)
        #expect(result.suites[0].metrics.errors == 1)
        #expect(result.suites[0].cases.first { $0.id == "same" }?.passed == true)
    }

    @Test func theModelMustBeAnOpenAICompatibleEntry() throws {
        let text = """
            {"model": {"command": ["m"]}, "models": {"local": {"command": ["x"]}},
             "suites": {"s": {"cases": "c.jsonl", "scorer": {"type": "similarity", "model": "local", "threshold": 0.8}}}}
            """
        #expect(throws: EvalGuardError.self) {
            try EvalConfig.parse(ConfigSource(displayPath: ".evals/evalguard.json", text: text))
        }
        let missing = text.replacingOccurrences(of: ", \"threshold\": 0.8", with: "")
        #expect(throws: EvalGuardError.self) {
            try EvalConfig.parse(ConfigSource(displayPath: ".evals/evalguard.json", text: missing))
        }
    }
}
