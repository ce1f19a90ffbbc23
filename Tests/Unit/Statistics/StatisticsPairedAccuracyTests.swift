import EvalGuardTestSupport
import Testing

@testable import EvalGuardStatistics

@Suite struct StatisticsPairedAccuracyTests {
    // References: brute force over every sign pattern in exact fractions, an exact-fraction
    // convolution for the large set, scipy 1.17.1 and statsmodels 0.15.0:
    //
    //   from fractions import Fraction
    //   from itertools import product
    //   from scipy.stats import binomtest
    //   from statsmodels.stats.proportion import proportion_confint
    //   def changes(pairs):  # (baseline passes, runs, current passes, runs)
    //       d = [Fraction(pb, rb) - Fraction(pc, rc) for pb, rb, pc, rc in pairs]
    //       return [x for x in d if x != 0]
    //   def brute(pairs):
    //       d = changes(pairs); obs = sum(d)
    //       hits = sum(1 for s in product((1, -1), repeat=len(d))
    //                  if sum(a * x for a, x in zip(s, d)) >= obs)
    //       return hits / 2 ** len(d)
    //   def dp(pairs):
    //       d = changes(pairs); obs = sum(d); dist = {Fraction(0): Fraction(1)}
    //       for x in d:
    //           nxt = {}
    //           for s, p in dist.items():
    //               for v in (s + x, s - x): nxt[v] = nxt.get(v, 0) + p / 2
    //           dist = nxt
    //       return float(sum(p for s, p in dist.items() if s >= obs))
    //   big = [((7*i) % 5, 4, (3*i + (1 if i % 3 == 0 else 0)) % 5, 4) for i in range(120)]
    //   print(brute(...) for each set below, dp(big))
    //   print(binomtest(7, 9, 0.5, alternative='greater').pvalue)
    //   print(proportion_confint(count, n, alpha=0.05, method='wilson'))
    static let signFlipReferences: [(String, [(Int, Int, Int, Int)], Double)] = [
        (
            "threeRunsMixed",
            [
                (3, 3, 0, 3), (3, 3, 2, 3), (2, 3, 1, 3), (1, 3, 2, 3), (3, 3, 3, 3), (0, 3, 0, 3), (3, 3, 1, 3),
                (2, 3, 0, 3), (1, 3, 0, 3), (3, 3, 2, 3), (0, 3, 1, 3), (2, 3, 2, 3),
            ], 0.046875
        ),
        (
            "fiveRunsLeaningWorse",
            [
                (5, 5, 3, 5), (4, 5, 1, 5), (5, 5, 5, 5), (2, 5, 4, 5), (5, 5, 0, 5), (3, 5, 2, 5), (4, 5, 4, 5),
                (1, 5, 0, 5), (5, 5, 4, 5), (0, 5, 1, 5), (3, 5, 3, 5), (5, 5, 2, 5), (4, 5, 2, 5),
            ], 0.03125
        ),
        (
            "oldBaselineAgainstThreeRuns",
            [
                (1, 1, 2, 3), (1, 1, 0, 3), (0, 1, 1, 3), (1, 1, 1, 3), (1, 1, 3, 3), (0, 1, 0, 3),
                (1, 1, 0, 3), (1, 1, 2, 3), (0, 1, 2, 3), (1, 1, 1, 3),
            ], 0.0859375
        ),
        ("improved", [(0, 3, 3, 3), (1, 3, 3, 3), (2, 3, 3, 3), (3, 3, 2, 3), (0, 3, 2, 3), (1, 3, 2, 3)], 0.984375),
        ("big", (0..<120).map { i in ((7 * i) % 5, 4, (3 * i + (i % 3 == 0 ? 1 : 0)) % 5, 4) }, 0.5198567051767321),
    ]

    static func outcomes(_ pairs: [(Int, Int, Int, Int)]) -> [PairedOutcome] {
        pairs.map { PairedOutcome(baselinePasses: $0.0, baselineRuns: $0.1, currentPasses: $0.2, currentRuns: $0.3)! }
    }

    @Test(arguments: signFlipReferences)
    func signFlipTestMatchesEnumeration(name: String, pairs: [(Int, Int, Int, Int)], reference: Double) {
        let test = PairedAccuracy(Self.outcomes(pairs))
        #expect(test.exact)
        #expect(abs(test.pValue - reference) <= 1e-12 * reference, "\(name): \(test.pValue) vs \(reference)")
    }

    @Test func oneRunPerCaseIsExactlyMcNemar() {
        // 7 cases pass → fail, 2 fail → pass, 31 unchanged: binomtest(7, 9, alternative='greater').
        let pairs =
            Array(repeating: (1, 1, 0, 1), count: 7) + Array(repeating: (0, 1, 1, 1), count: 2)
            + Array(repeating: (1, 1, 1, 1), count: 25) + Array(repeating: (0, 1, 0, 1), count: 6)
        let test = PairedAccuracy(Self.outcomes(pairs))
        #expect(test.worse == 7 && test.better == 2 && test.cases == 40)
        #expect(abs(test.pValue - 0.08984375) < 1e-15)
        #expect(test.wholeFlips)
        #expect(abs(test.drop - 5.0 / 40) < 1e-15)
        #expect(test.baselineAccuracy == 32.0 / 40 && test.currentAccuracy == 27.0 / 40)
    }

    @Test func noChangeIsNoEvidence() {
        let test = PairedAccuracy(Self.outcomes(Array(repeating: (2, 3, 2, 3), count: 10)))
        #expect(test.pValue == 1 && test.worse == 0 && test.better == 0)
        #expect(test.casesNeeded(alpha: 0.05) == nil)
    }

    /// The advice "about N cases" must be the size at which the same split becomes significant.
    @Test func casesNeededMakesTheSameSplitSignificant() throws {
        let pairs =
            Array(repeating: (1, 1, 0, 1), count: 7) + Array(repeating: (0, 1, 1, 1), count: 2)
            + Array(repeating: (1, 1, 1, 1), count: 31)
        let test = PairedAccuracy(Self.outcomes(pairs))
        let needed = try #require(test.casesNeeded(alpha: 0.05))
        let factor = Double(needed) / 40
        #expect(needed > 40)
        #expect(McNemar.pValueWorse(regressed: Int((7 * factor).rounded()), fixed: Int((2 * factor).rounded())) < 0.05)
        // Not wildly more than needed: at 80% of it the split is not yet significant.
        #expect(
            McNemar.pValueWorse(regressed: Int((7 * factor * 0.8).rounded()), fixed: Int((2 * factor * 0.8).rounded()))
                >= 0.05)
    }

    // (count, n, lower, upper) from proportion_confint(count, n, method='wilson')
    static let fractionalWilson: [(Double, Int, Double, Double)] = [
        (266.6666666666667, 400, 0.61907740810703, 0.7110851604482047),
        (8.5, 10, 0.5411539838433437, 0.9645730562526336),
        (39.25, 40, 0.8808564058826718, 0.99730780296494),
        (0.4, 2, 0.01762700262264605, 0.7769448608733621),
        (9999.5, 10000, 0.9995212600658141, 0.9999947799633462),
    ]

    @Test(arguments: fractionalWilson)
    func wilsonForMeanPassRatesMatchesStatsmodels(count: Double, n: Int, lower: Double, upper: Double) {
        let i = Wilson.interval(proportion: count / Double(n), n: n)
        #expect(abs(i.lower - lower) < 1e-12 && abs(i.upper - upper) < 1e-12, "\(count)/\(n): \(i)")
    }

    @Test func minimumDetectableDropOfTheDefaultScenario() {
        // One-sided at 0.05: five regressions and no fixes (p = 1/32) is the least that counts.
        #expect(McNemar.minimumDetectableDrop(cases: 400, alpha: 0.05, oneSided: true) == 5.0 / 400)
        #expect(McNemar.minimumDetectableDrop(cases: 4, alpha: 0.05, oneSided: true) == nil)
    }
}

/// Counts no run could produce reach the statistics only through damaged input: they are
/// refused or approximated, never a trap.
@Suite struct PairedAccuracyBadCountsTests {
    @Test func passesBeyondRunsAreNoOutcome() {
        #expect(PairedOutcome(baselinePasses: 5, baselineRuns: 2, currentPasses: 1, currentRuns: 1) == nil)
        #expect(PairedOutcome(baselinePasses: 1, baselineRuns: 1, currentPasses: -1, currentRuns: 1) == nil)
        #expect(PairedOutcome(baselinePasses: 0, baselineRuns: 0, currentPasses: 0, currentRuns: 1) == nil)
    }

    @Test func runCountsWhoseCommonMultipleOverflowsAreApproximated() throws {
        let primes = [997, 991, 983, 977, 971, 967, 953, 947, 941, 937]
        let outcomes = try primes.map {
            try #require(PairedOutcome(baselinePasses: $0, baselineRuns: $0, currentPasses: 1, currentRuns: $0))
        }
        let test = PairedAccuracy(outcomes)
        #expect(!test.exact && test.worse == 10 && test.pValue < 0.01)
    }
}
