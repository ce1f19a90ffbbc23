import EvalGuardTestSupport
import Testing

@testable import EvalGuardStore

/// `.evals/baseline.json` as earlier versions wrote it still reads.
@Suite struct BaselineParsingTests {
    @Test func aBaselineInTheEarlierLayoutStillParses() throws {
        let old = """
            {
              "dirty": false,
              "format": 1,
              "from_commit": "0123456789abcdef0123456789abcdef01234567",
              "overall": {"accuracy": 1, "avg_cost_usd": 0.001, "cases": 1, "errors": 0, "mean_latency_ms": 2, "p50_latency_ms": 2, "p95_latency_ms": 2, "p99_latency_ms": 2, "passed": 1, "timeouts": 0, "total_cost_usd": 0.001},
              "suites": {
                "main": {
                  "cases": {
                    "a": {"cost_usd": 0.001, "passed": true, "score": 1}
                  },
                  "latencies_ms": [2],
                  "metrics": {"accuracy": 1, "avg_cost_usd": 0.001, "cases": 1, "errors": 0, "mean_latency_ms": 2, "p50_latency_ms": 2, "p95_latency_ms": 2, "p99_latency_ms": 2, "passed": 1, "timeouts": 0, "total_cost_usd": 0.001}
                }
              }
            }
            """
        let baseline = try Baseline.parse(Array(old.utf8), displayPath: Baseline.path)
        #expect(baseline.suites["main"]?.cases["a"]?.passed == true)
    }
}
