import EvalGuardTestSupport
import Testing

@testable import EvalGuardStatistics

@Suite struct StatisticsWilsonTests {
    // References from scipy 1.17.1 / statsmodels 0.15.0:
    //
    //   from scipy.stats import norm
    //   from statsmodels.stats.proportion import proportion_confint
    //   for p in [0.5, 0.975, 0.95, 0.995, 0.841344746, 1e-10, 0.999999, 0.01]:
    //       print(p, repr(norm.ppf(p)))
    //   for s, n, a in [(0,10,0.05), (10,10,0.05), ..., (99990,100000,0.05)]:
    //       print(s, n, 1 - a, proportion_confint(s, n, alpha=a, method='wilson'))
    static let normalQuantiles: [(Double, Double)] = [
        (0.5, 0.0),
        (0.975, 1.959963984540054),
        (0.95, 1.6448536269514722),
        (0.995, 2.5758293035489004),
        (0.841344746, 0.9999999997167301),
        (1e-10, -6.361340902404056),
        (0.999999, 4.753424308817087),
        (0.01, -2.3263478740408408),
    ]

    // (successes, n, confidence, lower, upper)
    static let wilson: [(Int, Int, Double, Double, Double)] = [
        (0, 10, 0.95, 0.0, 0.27753279986288926),
        (10, 10, 0.95, 0.7224672001371106, 1.0),
        (7, 10, 0.95, 0.39677814746114537, 0.8922087325936989),
        (40, 40, 0.95, 0.9123783988027134, 1.0),
        (38, 40, 0.95, 0.8349612263085903, 0.9861793326138516),
        (1, 1, 0.95, 0.2065493143772374, 1.0),
        (850, 1000, 0.95, 0.8265313415731996, 0.8707899274869118),
        (850, 1000, 0.90, 0.8304836500709786, 0.8676275796611891),
        (3, 7, 0.99, 0.11637368051613811, 0.8102850959116126),
        (99990, 100000, 0.95, 0.9998159153045492, 0.9999456792654904),
    ]

    @Test(arguments: normalQuantiles)
    func normalQuantileMatchesScipy(p: Double, expected: Double) {
        let x = Normal.quantile(p)
        #expect(abs(x - expected) <= 1e-13 * max(1, abs(expected)), "p=\(p): \(x) vs \(expected)")
    }

    @Test func normalQuantileEdges() {
        #expect(Normal.quantile(0) == -.infinity)
        #expect(Normal.quantile(1) == .infinity)
        #expect(Normal.quantile(-0.1).isNaN)
        #expect(Normal.quantile(1.5).isNaN)
        // 1 - 0.75 is exactly 0.25, so symmetry must hold bit for bit.
        #expect(Normal.quantile(0.25) == -Normal.quantile(0.75))
    }

    @Test(arguments: wilson)
    func wilsonMatchesStatsmodels(
        successes: Int, n: Int, confidence: Double,
        lower: Double, upper: Double
    ) {
        let ci = Wilson.interval(successes: successes, n: n, confidence: confidence)
        #expect(abs(ci.lower - lower) < 1e-12, "\(successes)/\(n): lower \(ci.lower) vs \(lower)")
        #expect(abs(ci.upper - upper) < 1e-12, "\(successes)/\(n): upper \(ci.upper) vs \(upper)")
    }

    @Test func wilsonDefaultsTo95Percent() {
        #expect(
            Wilson.interval(successes: 38, n: 40)
                == Wilson.interval(successes: 38, n: 40, confidence: 0.95))
    }

    @Test func allOrNothingHitsTheBoundExactly() {
        #expect(Wilson.interval(successes: 0, n: 25).lower == 0)
        #expect(Wilson.interval(successes: 25, n: 25).upper == 1)
    }

    @Test func emptySuiteKnowsNothing() {
        #expect(Wilson.interval(successes: 0, n: 0) == ConfidenceInterval(lower: 0, upper: 1))
    }

    @Test func intervalContainsTheObservedProportionAndNarrowsWithN() {
        var previousWidth = 1.0
        for n in [10, 100, 1000, 10000] {
            let ci = Wilson.interval(successes: n * 8 / 10, n: n)
            #expect(ci.contains(0.8))
            #expect(ci.upper - ci.lower < previousWidth)
            previousWidth = ci.upper - ci.lower
        }
    }
}
