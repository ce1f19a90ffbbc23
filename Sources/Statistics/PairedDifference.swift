import EvalGuardSupport
import FoundationEssentials

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The difference in accuracy between two models run over the same cases (candidate − current),
/// with Tango's score interval and his non-inferiority test.
///
/// Each case falls in one of three cells: the candidate fails a case the current model passes
/// (`worse`, b), passes one it fails (`better`, c), or agrees with it. The difference is
/// Δ = (c − b) / n. Why Tango's score method (Tango 1998, Statistics in Medicine 17:891) and
/// not McNemar's conditional binomial: a non-inferiority claim needs the variance of Δ under
/// "Δ = −margin", which depends on how many cases can differ at all. The conditional test takes
/// the observed discordant count as fixed and would call five identical answers "not worse by
/// 2 points" with certainty; the score statistic estimates the cells under the hypothesis
/// (their restricted maximum-likelihood values) and so says a small suite cannot tell. At
/// margin 0 it is McNemar's z.
package struct PairedDifference: Sendable, Equatable {
    package var cases: Int
    package var worse: Int
    package var better: Int
    /// (better − worse) / cases.
    package var difference: Double
    /// The two-sided score interval for Δ at `confidence`.
    package var interval: ConfidenceInterval

    package init(cases: Int, worse: Int, better: Int, confidence: Double = 0.95) {
        precondition(
            cases >= 0 && worse >= 0 && better >= 0 && worse + better <= cases, "cell counts must fit the cases")
        (self.cases, self.worse, self.better) = (cases, worse, better)
        difference = cases == 0 ? 0 : Double(better - worse) / Double(cases)
        guard cases > 0 else {
            interval = ConfidenceInterval(lower: -1, upper: 1)
            return
        }
        let z = Normal.quantile(1 - (1 - confidence) / 2)
        let (b, c, n) = (worse, better, cases)
        // The score statistic falls as the hypothesised Δ rises: bisect for where it crosses ±z.
        func crossing(_ target: Double, in range: ClosedRange<Double>) -> Double {
            var (lo, hi) = (range.lowerBound, range.upperBound)
            for _ in 0..<100 {
                let mid = (lo + hi) / 2
                if Self.score(worse: b, better: c, cases: n, difference: mid) > target { lo = mid } else { hi = mid }
            }
            return (lo + hi) / 2
        }
        let edge = 1 - 1e-12
        let lower =
            Self.score(worse: b, better: c, cases: n, difference: -edge) <= z ? -1 : crossing(z, in: -edge...difference)
        let upper =
            Self.score(worse: b, better: c, cases: n, difference: edge) >= -z ? 1 : crossing(-z, in: difference...edge)
        interval = ConfidenceInterval(lower: lower, upper: upper)
    }

    /// One-sided p-value for "the candidate is worse by `margin` or more" (H0: Δ ≤ −margin): a
    /// small value says it is not worse by more than the margin.
    package func nonInferiorityPValue(margin: Double) -> Double {
        precondition(margin >= 0 && margin < 1, "the margin must be in [0, 1)")
        guard cases > 0 else { return 1 }
        let t = Self.score(worse: worse, better: better, cases: cases, difference: -margin)
        return 0.5 * erfc(t / 2.0.squareRoot())
    }

    /// Tango's score statistic for H0: Δ = `d`: (c − b − n·d) / sqrt(n·(p̃10 + p̃01 − d²)), where
    /// p̃ are the cells' maximum-likelihood values under the hypothesis.
    static func score(worse b: Int, better c: Int, cases n: Int, difference d: Double) -> Double {
        let m = abs(d)
        // The smaller discordant cell under H0 is the one Δ's sign leaves behind: p_small and
        // p_small + |d|. Its likelihood equation is 2n·p² − B·p − k·|d|(1 − |d|) = 0.
        let (small, large) = d <= 0 ? (c, b) : (b, c)
        let rest = Double(n - b - c)
        let bCoefficient = Double(large) * (1 - m) + Double(small) * (1 - 3 * m) - 2 * rest * m
        let nn = Double(n)
        let root =
            (bCoefficient + (bCoefficient * bCoefficient + 8 * nn * Double(small) * m * (1 - m)).squareRoot())
            / (4 * nn)
        let variance = nn * (2 * max(0, root) + m - m * m)
        let numerator = Double(c - b) - nn * d
        guard variance > 1e-300 else { return numerator == 0 ? 0 : numerator > 0 ? .infinity : -.infinity }
        return numerator / variance.squareRoot()
    }

    /// The two-sided exact McNemar p-value for "the two models differ" (Holm-adjusted across
    /// candidates by the caller).
    package var pValue: Double { McNemar.pValue(regressed: worse, fixed: better) }
}
