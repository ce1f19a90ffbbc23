import EvalGuardTestSupport
import Testing

@testable import EvalGuardStatistics

@Suite struct QuantileTests {
    // Reference: numpy.percentile([15, 20, 35, 40, 50], [50, 95, 99]) == [35., 48., 49.6]
    @Test func matchesNumpyLinearInterpolation() {
        let v: [Double] = [40, 15, 50, 20, 35]
        #expect(Quantile.of(v, 0.50) == 35)
        #expect(abs(Quantile.of(v, 0.95)! - 48.0) < 1e-9)
        #expect(abs(Quantile.of(v, 0.99)! - 49.6) < 1e-9)
        #expect(Quantile.of([], 0.5) == nil)
        #expect(Quantile.of([7], 0.95) == 7)
    }
}
