import Testing
import EvalGuardTestSupport
@testable import EvalGuardStore

/// The overall cost per case is over the cases that report a cost.
@Suite struct TrialCostTests {
    @Test func averageCostIsOverTheCasesThatReportOne() {
        let priced = (0..<2).map { CaseResult(id: "r\($0)", passed: true, score: 1, latencyMs: 1, costUSD: 0.000017) }
        let unpriced = (0..<2).map { CaseResult(id: "p\($0)", passed: true, score: 1, latencyMs: 1) }
        let m = Metrics(priced + unpriced)
        #expect(abs(m.totalCostUSD! - 0.000034) < 1e-12)
        // Not 0.0000085: the two cases without a cost do not dilute the average.
        #expect(abs(m.avgCostUSD! - 0.000017) < 1e-12)
        #expect(Metrics(unpriced).avgCostUSD == nil)
    }
}
