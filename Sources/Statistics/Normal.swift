import EvalGuardSupport
import FoundationEssentials

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The standard normal distribution's quantile function, for the z of a confidence level
/// (1.959963984540054 for 95%). Foundation has `erfc` but no inverse, and hard-coding 1.96
/// would make every interval subtly different from scipy's and statsmodels'.
package enum Normal {
    /// The x with P(Z <= x) = p for Z ~ N(0, 1); -infinity at 0, +infinity at 1, NaN outside.
    ///
    /// Acklam's rational approximation (relative error 1.15e-9) followed by one Halley step
    /// on `erfc`, which brings it to within a few ulps across (0, 1).
    package static func quantile(_ p: Double) -> Double {
        guard p >= 0, p <= 1 else { return .nan }
        if p == 0 { return -.infinity }
        if p == 1 { return .infinity }
        // 1 - p is exact for p > 0.5, so working in the lower half loses nothing and keeps
        // the refinement step away from the cancellation in Phi(x) - p near 1.
        if p > 0.5 { return -quantile(1 - p) }
        var x = acklam(p)
        let e = 0.5 * erfc(-x / 2.0.squareRoot()) - p
        let u = e * (2 * Double.pi).squareRoot() * exp(x * x / 2)
        x -= u / (1 + x * u / 2)
        return x
    }

    /// Acklam's approximation for 0 < p <= 0.5.
    private static func acklam(_ p: Double) -> Double {
        let a = [
            -3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
            1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00,
        ]
        let b = [
            -5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
            6.680131188771972e+01, -1.328068155288572e+01,
        ]
        let c = [
            -7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
            -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00,
        ]
        let d = [
            7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
            3.754408661907416e+00,
        ]
        if p < 0.02425 {
            let q = (-2 * log(p)).squareRoot()
            let num = ((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]
            let den = (((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1
            return num / den
        }
        let q = p - 0.5
        let r = q * q
        let num = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
        let den = ((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1
        return num / den
    }
}
