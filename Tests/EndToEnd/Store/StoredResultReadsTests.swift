import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardStore

/// What an evaluation decodes of the stored results: a configuration edit that changes no suite
/// key reads the one result its suites' keys lead to, once, whatever the number of suites, and
/// `run --fresh` without a judge or embedder (whose caches it would reuse) reads none.
@Suite struct StoredResultReadsTests {
    static let environment = VerdictCacheTests.environment

    static func decodedResults(_ stderr: String) -> Int? {
        guard let line = VerdictCacheTests.decoded(stderr), let count = line.split(separator: " ").dropFirst(2).first
        else { return nil }
        return Int(count)
    }

    /// Three suites on one model; a few commits of history with results of their own.
    func project() throws -> ScratchRepository {
        let repo = try ScratchRepository()
        try repo.setUpEvals(model: Models.echo(), cases: (1...10).map { caseLine("c\($0)", "q\($0)") })
        try repo.write(
            ".evals/cases/more.jsonl", (1...10).map { caseLine("m\($0)", "r\($0)") }.joined(separator: "\n") + "\n")
        try repo.write(
            ".evals/cases/last.jsonl", (1...10).map { caseLine("l\($0)", "s\($0)") }.joined(separator: "\n") + "\n")
        let config = try #require(repo.read(".evals/evalguard.json"))
        try repo.write(
            ".evals/evalguard.json",
            config.replacingOccurrences(
                of: "\"scorer\": \"exact\"}}",
                with: """
                    "scorer": "exact"}, "more": {"cases": "cases/more.jsonl", "scorer": "exact"}, "last": {"cases": "cases/last.jsonl", "scorer": "exact"}}
                    """))
        try repo.commitAll("Add evals")
        #expect(repo.evalguard("baseline").status == 0)
        try repo.commitAll("Record the baseline")
        for i in 1...3 {
            try repo.write("notes\(i).txt", "\(i)\n")
            try repo.commitAll("Change \(i)")
            #expect(repo.evalguard("run").status == 0)
        }
        return repo
    }

    @Test func aThresholdEditReadsOneStoredResult() throws {
        let repo = try project()
        let config = try #require(repo.read(".evals/evalguard.json"))
        try repo.write(
            ".evals/evalguard.json",
            config.replacingOccurrences(
                of: "\"p95_latency_ms\": false", with: "\"p95_latency_ms\": false, \"accuracy\": {\"max_drop\": 0.05}"))
        let check = try runBinary(["check"], in: repo.root, environment: Self.environment)
        #expect(check.status == 0, "\(check.stderr)")
        #expect(check.stderr.contains("the model did not run") || check.stderr.contains("reused"), "\(check.stderr)")
        #expect(Self.decodedResults(check.stderr) == 1, "\(check.stderr)")
    }

    @Test func runFreshReadsNoStoredResult() throws {
        let repo = try project()
        let run = try runBinary(["run", "--fresh"], in: repo.root, environment: Self.environment)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(Self.decodedResults(run.stderr) == 0, "\(run.stderr)")
    }

    @Test func aNoteIsSearchedForAKeyByItsBytes() {
        let key = String(repeating: "ab", count: 20)
        #expect(ResultStore.holds("{\"key\":\"" + key + "\"}", key))
        #expect(ResultStore.holds("a" + key, key))
        #expect(ResultStore.holds(key, key))
        #expect(!ResultStore.holds(String(key.dropLast()), key))
        #expect(!ResultStore.holds("ab ab ab " + String(key.dropFirst()), key))
        #expect(!ResultStore.holds("", key))
        #expect(ResultStore.holds("é " + key + " é", key))
    }
}
