import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardStatistics

@Suite struct StatisticsBootstrapTests {
    static func latencies(count: Int, median: Double, spread: Double = 0.4, seed: UInt64) -> [Double] {
        LatencySample.make(count: count, median: median, spread: spread, seed: seed)
    }

    /// P(X = k) for X ~ Binomial(n, p).
    static func binomialPMF(_ n: Int, _ p: Double, _ k: Int) -> Double {
        guard k >= 0, k <= n else { return 0 }
        var choose = 1.0
        for i in 0..<k { choose *= Double(n - i) / Double(i + 1) }
        return choose * pow(p, Double(k)) * pow(1 - p, Double(n - k))
    }

    /// The exact joint law of a resample's order statistics of ranks r and r + 1 (as indices into
    /// the sorted sample), against 40,000 draws of `resampledRanks`: the joint distribution
    /// function at every (s, t). With N_x the draws at or below index x (Binomial(n, (x+1)/n)),
    /// P(I₍r₎ ≤ s, I₍r+1₎ ≤ t) = P(N_s ≥ r+1, N_t ≥ r+2): for s ≤ t a sum over N_s and
    /// N_t − N_s (multinomial), for s > t just P(N_t ≥ r+2). A wrong Beta parameter or a rank off by one moves these by far more
    /// than the tolerance, which is several times the sampling error (1/(2√N) at most).
    @Test(arguments: [1, 2, 3, 5, 12])
    func resampledRanksFollowTheExactLaw(n: Int) {
        var rng = SeededGenerator(seed: 7)
        let draws = 40_000
        for r in 0..<n {
            let top = min(r + 1, n - 1)
            var seen = [[Int]](repeating: [Int](repeating: 0, count: n), count: n)
            for _ in 0..<draws {
                let (i, j) = Bootstrap.resampledRanks(n: n, lo: r, rng: &rng)
                #expect(i <= j && i >= 0 && j < n)
                seen[i][j] += 1
            }
            func exact(_ s: Int, _ t: Int) -> Double {
                let ps = Double(s + 1) / Double(n)
                let pt = Double(t + 1) / Double(n)
                if top == r { // n = r + 1: both ranks are the largest draw
                    return pow(Double(min(s, t) + 1) / Double(n), Double(n))
                }
                if s > t { return (r + 2...n).reduce(0) { $0 + Self.binomialPMF(n, pt, $1) } }
                // Over a = N_s and b = N_t − N_s (multinomial): a ≥ r+1 and a + b ≥ r+2.
                var total = 0.0
                for a in (r + 1)...n {
                    for b in max(0, r + 2 - a)...(n - a) {
                        total +=
                            Self.binomialPMF(n, ps, a) * Self.binomialPMF(n - a, ps < 1 ? (pt - ps) / (1 - ps) : 0, b)
                    }
                }
                return total
            }
            var worst = 0.0
            for s in 0..<n {
                for t in 0..<n {
                    var count = 0
                    for i in 0...s { for j in 0...t { count += seen[i][j] } }
                    worst = max(worst, abs(Double(count) / Double(draws) - exact(s, t)))
                }
            }
            #expect(worst < 0.012, "n \(n), rank \(r): largest gap \(worst)")
        }
    }

    /// Gamma draws have the law's mean and variance (both equal to the shape).
    @Test(arguments: [1.0, 2.5, 40, 19_000])
    func gammaDrawsHaveTheirMoments(shape: Double) {
        var rng = SeededGenerator(seed: 3)
        let x = (0..<50_000).map { _ in Beta.gamma(shape, &rng) }
        let mean = x.reduce(0, +) / Double(x.count)
        let variance = x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(x.count - 1)
        #expect(abs(mean - shape) < 5 * (shape / Double(x.count)).squareRoot(), "mean \(mean)")
        #expect(abs(variance / shape - 1) < 0.05, "variance \(variance)")
    }

    @Test func sameSeedGivesIdenticalIntervals() {
        let base = Self.latencies(count: 300, median: 800, seed: 1)
        let curr = Self.latencies(count: 300, median: 850, seed: 2)
        let a = Bootstrap.quantileShift(baseline: base, current: curr, seed: 99)
        let b = Bootstrap.quantileShift(baseline: base, current: curr, seed: 99)
        let c = Bootstrap.quantileShift(baseline: base, current: curr, seed: 100)
        #expect(a != nil)
        #expect(a == b)
        #expect(a?.differenceInterval != c?.differenceInterval)
    }

    @Test func intervalsContainTheObservedShift() throws {
        let base = Self.latencies(count: 400, median: 800, seed: 3)
        let curr = Self.latencies(count: 350, median: 900, seed: 4)
        let shift = try #require(Bootstrap.quantileShift(baseline: base, current: curr))
        #expect(shift.baseline == Quantile.of(base, 0.95))
        #expect(shift.current == Quantile.of(curr, 0.95))
        #expect(shift.differenceInterval.contains(shift.difference))
        #expect(try shift.ratioInterval!.contains(#require(shift.ratio)))
    }

    /// Two runs of an unchanged model: the 95% interval must contain 0 for most seeds
    /// (98 of these 100 at the time of writing; 85 leaves room for Monte Carlo noise).
    @Test func unchangedDistributionUsuallyContainsZero() {
        var covered = 0
        for seed: UInt64 in 0..<100 {
            let base = Self.latencies(count: 200, median: 800, seed: 1000 + seed)
            let curr = Self.latencies(count: 200, median: 800, seed: 2000 + seed)
            let shift = Bootstrap.quantileShift(
                baseline: base, current: curr, resamples: 500,
                seed: seed)!
            if shift.differenceInterval.contains(0) && shift.ratioInterval!.contains(1) {
                covered += 1
            }
        }
        #expect(covered >= 85, "covered \(covered) of 100")
    }

    @Test func clearlySlowerRunExcludesZero() throws {
        let base = Self.latencies(count: 500, median: 800, seed: 5)
        let curr = Self.latencies(count: 500, median: 1200, seed: 6)
        let shift = try #require(Bootstrap.quantileShift(baseline: base, current: curr))
        #expect(shift.differenceInterval.lower > 0)
        #expect(try #require(shift.ratioInterval).lower > 1.2)
        #expect(try #require(shift.ratioInterval).contains(1.5))
    }

    // Reference: numpy 2.4.6, the same data and 200,000 resamples (Monte Carlo error of the
    // endpoints is negligible there; ours, with 2,000 resamples, is ~5% of the width):
    //
    //   base = np.array([100 + ((i * 7919) % 1000) / 10 for i in range(1000)])
    //   curr = np.array([110 + ((i * 104729) % 1000) / 8 for i in range(800)])
    //   rng = np.random.default_rng(20240601)
    //   for j in range(200_000):
    //       qb = np.percentile(rng.choice(base, base.size), 95)
    //       qc = np.percentile(rng.choice(curr, curr.size), 95)
    //       d[j] = qc - qb; r[j] = qc / qb
    //   np.percentile(d, [2.5, 97.5]), np.percentile(r, [2.5, 97.5])
    @Test func agreesWithNumpyBootstrap() throws {
        let base = (0..<1000).map { 100 + Double(($0 * 7919) % 1000) / 10 }
        let curr = (0..<800).map { 110 + Double(($0 * 104729) % 1000) / 8 }
        let shift = try #require(Bootstrap.quantileShift(baseline: base, current: curr))
        #expect(abs(shift.baseline - 194.905) < 1e-9)
        #expect(abs(shift.current - 228.63125) < 1e-9)
        let (dLow, dHigh) = (31.243749999999977, 35.96249999999998)
        let (rLow, rHigh) = (1.1597491917364446, 1.1854699311163281)
        let dTolerance = 0.15 * (dHigh - dLow)
        let rTolerance = 0.15 * (rHigh - rLow)
        #expect(abs(shift.differenceInterval.lower - dLow) < dTolerance, "\(shift)")
        #expect(abs(shift.differenceInterval.upper - dHigh) < dTolerance, "\(shift)")
        let ratio = try #require(shift.ratioInterval)
        #expect(abs(ratio.lower - rLow) < rTolerance, "\(ratio)")
        #expect(abs(ratio.upper - rHigh) < rTolerance, "\(ratio)")
    }

    @Test func unusableSamplesGiveNil() {
        #expect(Bootstrap.quantileShift(baseline: [], current: [1, 2]) == nil)
        #expect(Bootstrap.quantileShift(baseline: [1, 2], current: []) == nil)
        #expect(Bootstrap.quantileShift(baseline: [1, .nan], current: [1, 2]) == nil)
        #expect(Bootstrap.quantileShift(baseline: [1, 2], current: [.infinity]) == nil)
    }

    @Test func zeroInBaselineDropsOnlyTheRatio() throws {
        let shift = try #require(
            Bootstrap.quantileShift(
                baseline: [0, 5, 10, 12],
                current: [3, 6, 9, 30]))
        #expect(shift.ratioInterval == nil)
        #expect(shift.ratio == nil)
        // The point estimate is still the observed p95 change.
        #expect(
            abs(shift.difference - (Quantile.of([3, 6, 9, 30], 0.95)! - Quantile.of([0, 5, 10, 12], 0.95)!)) < 1e-9)
    }

    @Test func singleValuesGiveAPointInterval() throws {
        let shift = try #require(Bootstrap.quantileShift(baseline: [100], current: [130]))
        #expect(shift.differenceInterval == ConfidenceInterval(lower: 30, upper: 30))
        #expect(shift.ratioInterval == ConfidenceInterval(lower: 1.3, upper: 1.3))
    }
}
