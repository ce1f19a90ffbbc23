import EvalGuardTestSupport
import Testing

@testable import EvalGuardStatistics

@Suite struct StatisticsMcNemarTests {
    // References from scipy 1.17.1 and from exact rational arithmetic (the exact value is
    // used where they differ: scipy is off by ~5e-14 relative at n = 100,000):
    //
    //   from fractions import Fraction
    //   from scipy.stats import binomtest
    //   def exact_lower_tail(k, n):  # P(X <= k), X ~ Bin(n, 1/2), in exact integers
    //       term, total = 1, 0
    //       for i in range(k + 1):
    //           total += term
    //           term = term * (n - i) // (i + 1)
    //       return Fraction(total, 2 ** n)
    //   for b, c in [(0,6), (6,0), ..., (45000,55000), (123,0), (0,1)]:
    //       n, k = b + c, min(b, c)
    //       print(b, c, binomtest(b, n, 0.5).pvalue,
    //             binomtest(b, n, 0.5, alternative='greater').pvalue,
    //             float(min(1, 2 * exact_lower_tail(k, n))), float(exact_lower_tail(c, n)))
    //
    // (regressed b, fixed c, two-sided p, one-sided "worse" p)
    static let references: [(Int, Int, Double, Double)] = [
        (0, 6, 0.03125, 1.0),
        (6, 0, 0.03125, 0.015625),
        (1, 1, 1.0, 0.75),
        (3, 30, 1.4011748135089874e-06, 0.9999999345745891),
        (30, 3, 1.4011748135089874e-06, 7.005874067544937e-07),
        (5, 6, 1.0, 0.7255859375),
        (10, 2, 0.03857421875, 0.019287109375),
        (480, 520, 0.21744829320414094, 0.9026168357691172),
        (0, 20, 1.9073486328125e-06, 1.0),
        (4900, 5100, 0.04658552770494739, 0.9777871004769597),
        (49500, 50500, 0.0015823598788515956, 0.9992258201845774),
        (50000, 50000, 1.0, 0.5012615631070984),
        (49000, 51000, 2.588716038346898e-10, 0.9999999998757588),
        (45000, 55000, 8.600341645714696e-220, 1.0),
        (123, 0, 1.88079096131566e-37, 9.4039548065783e-38),
        (0, 1, 1.0, 1.0),
    ]

    static func relativeError(_ x: Double, _ reference: Double) -> Double {
        reference == 0 ? abs(x) : abs(x - reference) / reference
    }

    @Test(arguments: references)
    func twoSidedMatchesExactBinomialTest(b: Int, c: Int, twoSided: Double, worse: Double) {
        let p = McNemar.pValue(regressed: b, fixed: c)
        #expect(Self.relativeError(p, twoSided) < 1e-12, "b=\(b) c=\(c): \(p) vs \(twoSided)")
    }

    @Test(arguments: references)
    func oneSidedMatchesExactBinomialTest(b: Int, c: Int, twoSided: Double, worse: Double) {
        let p = McNemar.pValueWorse(regressed: b, fixed: c)
        #expect(Self.relativeError(p, worse) < 1e-12, "b=\(b) c=\(c): \(p) vs \(worse)")
    }

    @Test func noDiscordantPairsIsNoEvidence() {
        #expect(McNemar.pValue(regressed: 0, fixed: 0) == 1)
        #expect(McNemar.pValueWorse(regressed: 0, fixed: 0) == 1)
    }

    @Test func twoSidedIsSymmetricAndNeverAboveOne() {
        for b in 0...40 {
            for c in 0...40 {
                let p = McNemar.pValue(regressed: b, fixed: c)
                #expect(p == McNemar.pValue(regressed: c, fixed: b))
                #expect(p > 0 && p <= 1)
            }
        }
    }

    /// Where the tail is tiny, the one-sided p is exactly half the two-sided one.
    @Test func oneSidedIsHalfTheTwoSidedWhenLeaningWorse() {
        for (b, c) in [(30, 3), (10, 2), (5100, 4900), (60_000, 40_000)] {
            let two = McNemar.pValue(regressed: b, fixed: c)
            let one = McNemar.pValueWorse(regressed: b, fixed: c)
            #expect(Self.relativeError(one, two / 2) < 1e-12)
        }
    }

    // References: the smallest k with binomtest(k, k, 0.5, alternative=alt).pvalue < alpha,
    // divided by cases, or None (nil) when no k <= cases qualifies:
    //
    //   def mdd(cases, alpha, alt):
    //       for k in range(1, cases + 1):
    //           if binomtest(k, k, 0.5, alternative=alt).pvalue < alpha:
    //               return k / cases
    //       return None
    //   print(cases, alpha, mdd(cases, alpha, 'two-sided'), mdd(cases, alpha, 'greater'))
    //
    // (cases, alpha, two-sided, one-sided)
    static let detectable: [(Int, Double, Double?, Double?)] = [
        (40, 0.05, 0.15, 0.125),
        (5, 0.05, nil, 1.0),
        (6, 0.05, 1.0, 0.8333333333333334),
        (100, 0.05, 0.06, 0.05),
        (100, 0.01, 0.08, 0.07),
        (1000, 0.001, 0.011, 0.01),
        (20, 1e-6, nil, 1.0),
    ]

    @Test(arguments: detectable)
    func minimumDetectableDropMatchesReference(
        cases: Int, alpha: Double,
        twoSided: Double?, oneSided: Double?
    ) {
        #expect(McNemar.minimumDetectableDrop(cases: cases, alpha: alpha) == twoSided)
        #expect(
            McNemar.minimumDetectableDrop(cases: cases, alpha: alpha, oneSided: true)
                == oneSided)
    }

    @Test func emptySuiteCannotDetectAnything() {
        #expect(McNemar.minimumDetectableDrop(cases: 0) == nil)
    }
}
