import EvalGuardTestSupport
import Testing

@testable import EvalGuardStatistics

/// Reference values from SciPy 1.17.1, computed once (the test does not need SciPy):
///
///     from scipy import stats; import numpy as np
///     def pt(b, c, n=np.inf):
///         return stats.permutation_test((np.array(b), np.array(c)),
///             lambda x, y, axis: np.mean(x - y, axis=axis), permutation_type='samples',
///             alternative='greater', n_resamples=n, vectorized=True,
///             random_state=np.random.default_rng(3)).pvalue
///
/// `permutation_type='samples'` swaps the two scores within each case: the paired sign flip.
@Suite struct StatisticsPairedScoreTests {
    static let bA = [1.0, 0.8, 0.9, 0.7, 1.0, 0.6, 0.9, 0.8, 0.5, 1.0, 0.7, 0.9]
    static let cA = [0.8, 0.8, 0.6, 0.7, 0.9, 0.4, 1.0, 0.5, 0.5, 0.7, 0.6, 0.8]
    static let bD = [
        0.74, 0.93, 0.84, 0.46, 0.51, 0.91, 0.30, 0.87, 0.86, 0.63, 0.51, 0.49, 0.48, 0.61, 0.65, 0.69, 0.95, 0.72,
        0.55, 0.80,
    ]
    static let cD = [
        0.70, 0.91, 0.93, 0.39, 0.45, 0.89, 0.51, 0.88, 0.82, 0.58, 0.62, 0.50, 0.44, 0.65, 0.50, 0.73, 0.85, 0.60,
        0.52, 0.70,
    ]
    static let bF = [
        0.9, 0.8, 1.0, 0.7, 0.6, 0.9, 0.8, 0.7, 1.0, 0.5, 0.9, 0.8, 0.6, 0.7, 1.0, 0.9, 0.4, 0.8, 0.7, 0.9, 0.6, 1.0,
        0.8, 0.7, 0.9, 0.5, 0.8, 0.9, 0.7, 1.0,
    ]
    static let cF = [
        0.8, 0.8, 0.9, 0.8, 0.5, 0.7, 0.9, 0.6, 1.0, 0.4, 0.8, 0.9, 0.5, 0.6, 0.9, 1.0, 0.3, 0.8, 0.6, 0.7, 0.7, 0.9,
        0.6, 0.7, 1.0, 0.4, 0.7, 0.9, 0.8, 0.9,
    ]

    func test(_ b: [Double], _ c: [Double], confidence: Double = 0.9) -> PairedScore {
        PairedScore(zip(b, c).map { (baseline: $0, current: $1) }, confidence: confidence)
    }

    @Test func exactAgainstSciPy() {
        // pt(bA, cA) = 0.009765625 (9 of 12 cases moved: 5 of the 2^9 sign patterns)
        let a = test(Self.bA, Self.cA)
        #expect(a.exact && a.cases == 12 && a.worse == 8 && a.better == 1)
        #expect(abs(a.pValue - 0.009765625) < 1e-12)
        // pt(bB, cB) = 0.9921875: an improvement is nowhere near significant.
        let b = test([0.2, 0.4, 0.5, 0.1, 0.3, 0.6, 0.2, 0.4], [0.5, 0.4, 0.7, 0.3, 0.2, 0.9, 0.4, 0.6])
        #expect(abs(b.pValue - 0.9921875) < 1e-12)
        // pt(bD, cD) = 0.2060718536376953 (20 moved cases: the exact limit)
        let d = test(Self.bD, Self.cD)
        #expect(d.exact)
        #expect(abs(d.pValue - 0.2060718536376953) < 1e-12)
    }

    @Test func zeroOneScoresGiveMcNemar() {
        // pt(bC, cC) = 0.109375 = stats.binomtest(5, 6, 0.5, alternative='greater').pvalue
        let c = test([1, 1, 1, 1, 1, 0, 1, 0, 1, 1], [0, 0, 0, 0, 0, 1, 1, 0, 1, 1])
        #expect(abs(c.pValue - 0.109375) < 1e-12)
        #expect(abs(c.pValue - McNemar.pValueWorse(regressed: 5, fixed: 1)) < 1e-12)
    }

    @Test func monteCarloBeyondTheExactLimit() {
        // 30 cases, 25 moved: pt(bF, cF, 1_000_000) = 0.011580988419011581 (Monte-Carlo, its
        // standard error ~0.0001). 20,000 seeded draws have a standard error of ~0.00076.
        let f = test(Self.bF, Self.cF)
        #expect(!f.exact)
        #expect(abs(f.pValue - 0.011580988419011581) < 0.003)
        // Seeded: the same inputs give the same p-value, bit for bit.
        #expect(test(Self.bF, Self.cF).pValue == f.pValue)
    }

    @Test func bootstrapIntervalAgainstSciPy() {
        // d = cF - bF; stats.bootstrap((d,), np.mean, confidence_level=0.9, method='percentile',
        //     n_resamples=200000, random_state=np.random.default_rng(1)).confidence_interval
        //   = (-0.07333333333333338, -0.016666666666666666); mean(d) = -0.04666666666666666
        let f = test(Self.bF, Self.cF, confidence: 0.9)
        let i = try! #require(f.interval)
        #expect(abs(f.currentMean - f.baselineMean - -0.04666666666666666) < 1e-12)
        #expect(abs(i.lower - -0.07333333333333338) < 0.01)
        #expect(abs(i.upper - -0.016666666666666666) < 0.01)
        #expect(i.lower < f.currentMean - f.baselineMean && f.currentMean - f.baselineMean < i.upper)
    }

    @Test func nothingMovedIsNoEvidence() {
        let same = test([0.5, 0.7], [0.5, 0.7])
        #expect(same.pValue == 1 && same.worse == 0 && same.better == 0)
    }

    /// Holm by hand: p = (0.01, 0.04, 0.03, 0.005), m = 4, alpha = 0.05. Ascending: 0.005 <
    /// 0.05/4 = 0.0125 (reject), 0.01 < 0.05/3 = 0.0167 (reject), 0.03 >= 0.05/2 = 0.025: stop,
    /// so 0.03 and 0.04 stand although each is below 0.05 alone. Adjusted: 4 × 0.005 = 0.02;
    /// max(0.02, 3 × 0.01) = 0.03; max(0.03, 2 × 0.03) = 0.06; max(0.06, 1 × 0.04) = 0.06.
    @Test func holmByHand() {
        let p = [0.01, 0.04, 0.03, 0.005]
        let adjusted = Holm.adjusted(p)
        for (a, e) in zip(adjusted, [0.03, 0.06, 0.06, 0.02]) { #expect(abs(a - e) < 1e-12) }
        #expect(Holm.rejected(p, alpha: 0.05) == [true, false, false, true])
        #expect(Holm.adjusted([0.04]) == [0.04])
        #expect(Holm.adjusted([0.6, 0.7]) == [1, 1])
    }
}
