import EvalGuardSupport
import FoundationEssentials

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Exact probabilities of the fair-coin binomial Bin(n, 1/2), the null distribution of the
/// discordant pairs in a McNemar test.
///
/// Factorials overflow past n = 170 and a naive `lgamma(n+1) - lgamma(k+1) - lgamma(n-k+1)`
/// loses about nine digits at n = 100,000 (three numbers near 1e6 cancel), so each
/// probability uses Loader's saddle-point form (the algorithm behind R's `dbinom` and
/// scipy's `binom.pmf`), which keeps full relative precision for any n.
enum FairBinomial {
    /// log P(X = k) for X ~ Bin(n, 1/2); -infinity outside 0...n.
    static func logPMF(_ k: Int, _ n: Int) -> Double {
        guard n >= 0, k >= 0, k <= n else { return -.infinity }
        if k == 0 || k == n { return -Double(n) * M_LN2 }
        let (x, m) = (Double(k), Double(n))
        let half = m / 2
        let lc =
            stirlingError(n) - stirlingError(k) - stirlingError(n - k)
            - deviance(x, half) - deviance(m - x, half)
        let lf = log(2 * Double.pi) + log(x) + log1p(-x / m)
        return lc - 0.5 * lf
    }

    /// P(X <= k) for X ~ Bin(n, 1/2).
    static func lowerTail(_ k: Int, _ n: Int) -> Double {
        if k < 0 { return 0 }
        if k >= n { return 1 }
        // Past the middle the sum below would start from a tiny term and grow without bound;
        // the fair coin is symmetric, so use the complement, whose terms all shrink.
        if 2 * k >= n { return 1 - lowerTail(n - k - 1, n) }
        // Sum P(X = i) for i = k, k-1, ... as multiples of P(X = k). The ratio
        // P(X = i-1) / P(X = i) = i / (n - i + 1) is below 1 here, so terms only shrink and
        // the loop stops once they no longer change the sum.
        var sum = 1.0
        var term = 1.0
        var i = k
        while i > 0 {
            term *= Double(i) / Double(n - i + 1)
            sum += term
            if term < sum * 1e-17 { break }
            i -= 1
        }
        return exp(logPMF(k, n)) * sum
    }

    /// log(n!) - log(sqrt(2 pi n) (n/e)^n), the error of Stirling's formula.
    private static func stirlingError(_ n: Int) -> Double {
        let m = Double(n)
        if n <= 15 {
            // Small arguments: lgamma is exact to a few ulps of a number below 30.
            return lgamma(m + 1) - (m + 0.5) * log(m) + m - 0.5 * log(2 * Double.pi)
        }
        let (s0, s1, s2, s3, s4) = (1.0 / 12, 1.0 / 360, 1.0 / 1260, 1.0 / 1680, 1.0 / 1188)
        let nn = m * m
        return (s0 - (s1 - (s2 - (s3 - s4 / nn) / nn) / nn) / nn) / m
    }

    /// x log(x / np) + np - x, computed without cancellation when x is close to np.
    private static func deviance(_ x: Double, _ np: Double) -> Double {
        guard abs(x - np) < 0.1 * (x + np) else { return x * log(x / np) + np - x }
        var v = (x - np) / (x + np)
        var s = (x - np) * v
        var ej = 2 * x * v
        v *= v
        var j = 1.0
        while true {
            ej *= v
            let next = s + ej / (2 * j + 1)
            if next == s { return next }
            s = next
            j += 1
        }
    }
}
