import EvalGuardTestSupport
import Testing

@testable import EvalGuardStatistics

/// The bootstrap's constant-time draw against 20,000 plain resamples: seconds of arithmetic, so
/// kept out of the unit target's quick run.
@Suite struct BootstrapResamplingTests {
    /// The constant-time draw against the plain bootstrap (draw n values, sort, take the
    /// quantile) on a latency sample: the replicates' mean and spread agree.
    @Test func resampledQuantileMatchesSortingResamples() {
        let sample = LatencySample.make(count: 300, median: 800, seed: 2).sorted()
        var fast = SeededGenerator(seed: 5)
        var slow = SeededGenerator(seed: 6)
        let replicates = 20_000
        let a = (0..<replicates).map { _ in Bootstrap.resampledQuantile(sorted: sample, 0.95, &fast) }
        let b = (0..<replicates).map { _ in
            Quantile.of((0..<sample.count).map { _ in sample[slow.index(below: sample.count)] }, 0.95)!
        }
        func moments(_ x: [Double]) -> (Double, Double) {
            let m = x.reduce(0, +) / Double(x.count)
            return (m, (x.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(x.count - 1)).squareRoot())
        }
        let (ma, sa) = moments(a)
        let (mb, sb) = moments(b)
        #expect(abs(ma - mb) < 4 * sb / Double(replicates).squareRoot() * 1.5, "means \(ma) and \(mb)")
        #expect(abs(sa / sb - 1) < 0.05, "spreads \(sa) and \(sb)")
    }
}
