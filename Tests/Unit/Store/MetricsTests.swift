import EvalGuardTestSupport
import Testing

@testable import EvalGuardStore

/// The overall figures of a run: cost per case over the cases that report one, and the wall time
/// lost to retries with concurrent waits counted once.
@Suite struct MetricsTests {
    @Test func averageCostIsOverTheCasesThatReportOne() {
        let priced = (0..<2).map { CaseResult(id: "r\($0)", passed: true, score: 1, latencyMs: 1, costUSD: 0.000017) }
        let unpriced = (0..<2).map { CaseResult(id: "p\($0)", passed: true, score: 1, latencyMs: 1) }
        let m = Metrics(priced + unpriced)
        #expect(abs(m.totalCostUSD! - 0.000034) < 1e-12)
        // Not 0.0000085: the two cases without a cost do not dilute the average.
        #expect(abs(m.avgCostUSD! - 0.000017) < 1e-12)
        #expect(Metrics(unpriced).avgCostUSD == nil)
    }

    /// Retry windows that overlap are merged: wall time, not the sum of the waits.
    @Test func overlappingWindowsAreMerged() {
        func c(_ from: Double, _ ms: Double) -> CaseResult {
            var r = CaseResult(id: "\(from)", passed: true, score: 1, latencyMs: 1, retries: 1, retryMs: ms)
            r.retryFromMs = from
            return r
        }
        #expect(Metrics([c(0, 1000), c(500, 1000), c(3000, 500)]).retryMs == 2000)
    }
}
