import EvalGuardSupport

/// A two-sided confidence interval.
package struct ConfidenceInterval: Equatable, Sendable, CustomStringConvertible {
    package var lower: Double
    package var upper: Double

    package init(lower: Double, upper: Double) {
        self.lower = lower
        self.upper = upper
    }

    package func contains(_ x: Double) -> Bool { lower <= x && x <= upper }

    package var description: String { "[\(lower), \(upper)]" }
}

/// The Wilson score interval for a proportion, used for accuracy (cases passed / cases).
///
/// Why Wilson and not the textbook "p ± z·sqrt(p(1-p)/n)" (Wald): eval suites are small and
/// accuracies sit near 1, exactly where Wald breaks. At 40/40 passed Wald gives [1, 1], a
/// certainty no suite of 40 cases can give; Wilson gives [0.912, 1]. It stays inside [0, 1],
/// never collapses to a point, and its coverage is close to nominal from n = 10 up. It is
/// `statsmodels.stats.proportion.proportion_confint(method='wilson')`.
package enum Wilson {
    /// The interval for `successes` out of `n` at the given confidence (0 < confidence < 1).
    /// With n = 0 nothing is known, so the interval is all of [0, 1].
    package static func interval(
        successes: Int, n: Int,
        confidence: Double = 0.95
    ) -> ConfidenceInterval {
        precondition(
            n >= 0 && successes >= 0 && successes <= n,
            "successes must be in 0...n")
        guard n > 0 else { return ConfidenceInterval(lower: 0, upper: 1) }
        var interval = interval(proportion: Double(successes) / Double(n), n: n, confidence: confidence)
        // At 0 or n successes the bound is exactly 0 or 1 in theory; rounding would leave
        // a stray 1e-17 that reads as "not quite zero" in a report.
        if successes == 0 { interval.lower = 0 }
        if successes == n { interval.upper = 1 }
        return interval
    }

    /// The interval for an observed proportion `p` over `n` units that need not be a whole
    /// number of successes: the mean pass rate of `n` cases each run several times. The case,
    /// not the run, is the unit sampled (repeats of one case are not independent draws), so `n`
    /// is the number of cases. Equal to `proportion_confint(p * n, n, method='wilson')`.
    package static func interval(
        proportion p: Double, n: Int,
        confidence: Double = 0.95
    ) -> ConfidenceInterval {
        precondition(p >= 0 && p <= 1, "the proportion must be in 0...1")
        precondition(confidence > 0 && confidence < 1, "confidence must be in (0, 1)")
        guard n > 0 else { return ConfidenceInterval(lower: 0, upper: 1) }
        let z = Normal.quantile(1 - (1 - confidence) / 2)
        let m = Double(n)
        let z2 = z * z
        let denominator = 1 + z2 / m
        let center = (p + z2 / (2 * m)) / denominator
        let half = z / denominator * (p * (1 - p) / m + z2 / (4 * m * m)).squareRoot()
        return ConfidenceInterval(lower: max(0, center - half), upper: min(1, center + half))
    }
}
