import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardStore
@testable import EvalGuardSupport

/// A reused answer keeps the `cold_start` mark of the run that measured it: its latency includes
/// its model's start-up wherever it is reused, so it stays out of the percentiles.
@Suite(.serialized) struct ColdStartReuseTests {
    /// Two suites, each with its own command model; `slow` sleeps before it reads its first request.
    func twoSuites() throws -> ScratchRepository {
        let repo = try ScratchRepository()
        try repo.write(
            "slow/model.py",
            """
            import json, sys, time
            time.sleep(1.5)
            for line in sys.stdin:
                r = json.loads(line)
                sys.stdout.write(json.dumps({"id": r["id"], "output": r["input"]}) + "\\n")
                sys.stdout.flush()
            """)
        try repo.write("fast/model.py", Models.echo())
        try repo.write(
            ".evals/cases/slow.jsonl", (0..<20).map { caseLine("s\($0)", "slow \($0)") }.joined(separator: "\n") + "\n")
        try repo.write(
            ".evals/cases/fast.jsonl", (0..<4).map { caseLine("f\($0)", "fast \($0)") }.joined(separator: "\n") + "\n")
        try repo.write(".evals/.gitignore", "results/\n")
        // Latency gated loosely, and an inconclusive verdict blocks: only the start-up (1.5 s on the
        // first case of each of four processes, of twenty) can cross the threshold.
        try repo.write(
            ".evals/evalguard.json",
            """
            {
              "models": {
                "slow": {"command": ["python3", "slow/model.py"], "jobs": 4, "timeout_s": 10, "inputs": ["slow/**"]},
                "fast": {"command": ["python3", "fast/model.py"], "jobs": 1, "timeout_s": 10, "inputs": ["fast/**"]}
              },
              "suites": {
                "slow": {"cases": "cases/slow.jsonl", "model": "slow", "scorer": "exact"},
                "fast": {"cases": "cases/fast.jsonl", "model": "fast", "scorer": "exact"}
              },
              "thresholds": {"p95_latency_ms": {"max_increase_pct": 100, "min_increase_ms": 700}},
              "on_inconclusive": "fail"
            }
            """)
        return repo
    }

    func slowLatencies(_ repo: ScratchRepository) throws -> [Double] {
        let baseline = try Baseline.parse(
            Array(try #require(repo.read(Baseline.path)).utf8), displayPath: Baseline.path)
        return try #require(baseline.suites["slow"]).latenciesMs
    }

    @Test func aChangeToAnotherSuiteLeavesTheSlowSuitesLatencyAsMeasured() throws {
        let repo = try twoSuites()
        #expect(repo.evalguard("run").status == 0)
        #expect(repo.evalguard("baseline").status == 0)
        let recorded = try slowLatencies(repo)
        #expect(
            (1...19).contains(recorded.count), "each process's first answer is left out of the baseline's latencies")
        try repo.commitAll("evals and baseline")

        try repo.write("fast/model.py", Models.echo() + "\n# answers the same, reads differently\n")
        try repo.commitAll("edit the fast model")
        let check = repo.evalguard("check")
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        #expect(!check.stdout.contains("REGRESSION"), "\(check.stdout)")

        // A baseline made now reuses the slow suite's answers and records their latencies as measured.
        #expect(repo.evalguard("baseline").status == 0)
        #expect(try slowLatencies(repo) == recorded)
    }
}
