import EvalGuardSupport

/// The exact McNemar test: did accuracy change between two runs over the same cases?
///
/// Why McNemar and not a t-test or a two-proportion z-test: both runs score the *same* cases,
/// so the outcomes are paired. Cases that pass (or fail) in both runs say nothing about a
/// change; all the evidence is in the discordant pairs, b cases that went pass → fail and
/// c that went fail → pass. Under "nothing changed" each discordant case is a fair coin, so
/// b ~ Bin(b + c, 1/2). Unpaired tests ignore the pairing, and a suite with a handful of
/// flipped cases gets a much weaker (and, for small suites, wrong: normal approximations
/// need dozens of discordant pairs) answer. The exact binomial form is right at any size.
package enum McNemar {
    /// Two-sided exact p-value for `regressed` (pass → fail) and `fixed` (fail → pass) cases:
    /// the probability, if nothing changed, of a split at least as lopsided in either
    /// direction. Equal to `scipy.stats.binomtest(b, b + c, 0.5).pvalue`; 1 when there are no
    /// discordant pairs (no evidence either way).
    package static func pValue(regressed b: Int, fixed c: Int) -> Double {
        precondition(b >= 0 && c >= 0, "case counts cannot be negative")
        let n = b + c
        let k = min(b, c)
        if 2 * k == n { return 1 }
        // The fair coin is symmetric: P(X <= k) + P(X >= n - k) = 2 P(X <= k).
        return min(1, 2 * FairBinomial.lowerTail(k, n))
    }

    /// One-sided exact p-value for "the current run is worse": the probability, if nothing
    /// changed, of at least `regressed` pass → fail cases among the `regressed + fixed`
    /// discordant ones. The gate only blocks on a fall, so this is the test that matches its
    /// question; it is twice as sensitive as the two-sided test when the split leans that way.
    /// Equal to `scipy.stats.binomtest(b, b + c, 0.5, alternative='greater').pvalue`.
    package static func pValueWorse(regressed b: Int, fixed c: Int) -> Double {
        precondition(b >= 0 && c >= 0, "case counts cannot be negative")
        // P(X >= b) = P(X <= c) for X ~ Bin(b + c, 1/2), by symmetry.
        return FairBinomial.lowerTail(c, b + c)
    }

    /// The smallest accuracy drop a suite of `cases` cases can show as significant at level
    /// `alpha`: the smallest k for which k regressions and no fixes give a p-value below
    /// `alpha`, as a fraction of the suite. nil when even every case regressing would not
    /// be significant (the suite is too small to detect anything).
    ///
    /// Why: "no significant regression" from 40 cases is weak evidence. With this figure the
    /// gate can say "this suite of 40 cases cannot detect a drop below 0.15" instead of a
    /// reassuring "pass". Real runs also have fixes that dilute the regressions, so a real
    /// drop must be at least this large, usually larger, to be detected.
    package static func minimumDetectableDrop(
        cases: Int, alpha: Double = 0.05,
        oneSided: Bool = false
    ) -> Double? {
        precondition(alpha > 0 && alpha < 1, "alpha must be in (0, 1)")
        guard cases > 0 else { return nil }
        for k in 1...cases {
            let p = oneSided ? pValueWorse(regressed: k, fixed: 0) : pValue(regressed: k, fixed: 0)
            if p < alpha { return Double(k) / Double(cases) }
        }
        return nil
    }
}
