import Foundation
import Testing
@testable import EvalGuardStatistics

@Suite struct StatisticsBootstrapTests {
    /// Latency-like sample: `median` times a log-normal factor with the given spread.
    static func latencies(count: Int, median: Double, spread: Double = 0.4,
                          seed: UInt64) -> [Double] {
        var g = SeededGenerator(seed: seed)
        return (0..<count).map { _ in
            let u = (Double(g.next() >> 11) + 0.5) * 0x1.0p-53
            return median * exp(spread * Normal.quantile(u))
        }
    }

    @Test func histogramQuantileEqualsQuantileOfExpandedSample() {
        var g = SeededGenerator(seed: 11)
        for size in [1, 2, 3, 10, 97] {
            let sorted = (0..<size).map { Double($0) * 1.5 + Double(g.index(below: 5)) }.sorted()
            var counts = (0..<size).map { _ in UInt32(g.index(below: 4)) }
            if counts.allSatisfy({ $0 == 0 }) { counts[size - 1] = 1 }
            var expanded = [Double]()
            for (value, count) in zip(sorted, counts) {
                expanded += repeatElement(value, count: Int(count))
            }
            for q in [0.0, 0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 1.0] {
                #expect(Bootstrap.quantile(sorted: sorted, counts: counts, q)
                        == Quantile.of(expanded, q), "size \(size), q \(q)")
            }
        }
    }

    /// The counting shortcut must give exactly what sorting the drawn resample gives.
    @Test func resampledQuantileEqualsSortingTheSameResample() {
        let sample = Self.latencies(count: 500, median: 800, seed: 2).sorted()
        var counts = [UInt32](repeating: 0, count: sample.count)
        for seed: UInt64 in 0..<20 {
            var fast = SeededGenerator(seed: seed)
            var slow = fast
            let q = Bootstrap.resampledQuantile(sorted: sample, counts: &counts, 0.95, &fast)
            let resample = (0..<sample.count).map { _ in sample[slow.index(below: sample.count)] }
            #expect(q == Quantile.of(resample, 0.95))
        }
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
            let shift = Bootstrap.quantileShift(baseline: base, current: curr, resamples: 500,
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
        let shift = try #require(Bootstrap.quantileShift(baseline: [0, 5, 10, 12],
                                                         current: [3, 6, 9, 30]))
        #expect(shift.ratioInterval == nil)
        #expect(shift.ratio == nil)
        // The point estimate is still the observed p95 change.
        #expect(abs(shift.difference - (Quantile.of([3, 6, 9, 30], 0.95)! - Quantile.of([0, 5, 10, 12], 0.95)!)) < 1e-9)
    }

    @Test func singleValuesGiveAPointInterval() throws {
        let shift = try #require(Bootstrap.quantileShift(baseline: [100], current: [130]))
        #expect(shift.differenceInterval == ConfidenceInterval(lower: 30, upper: 30))
        #expect(shift.ratioInterval == ConfidenceInterval(lower: 1.3, upper: 1.3))
    }
}
