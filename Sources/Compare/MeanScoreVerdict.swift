import EvalGuardConfig
import EvalGuardStatistics
import EvalGuardStore
import EvalGuardSupport

extension Gate {
    /// The mean_score rule, the accuracy rule on graded scores: over the cases both runs scored
    /// (by id), a regression when the mean score fell by more than `max_drop` AND the one-sided
    /// paired sign-flip test (`PairedScore`) gives p < alpha; inconclusive when it fell by more
    /// than `max_drop` but p >= alpha; pass otherwise. Every paired case counts, flaky or not: a
    /// repeated case's score is already the mean over its runs. The bootstrap interval of the
    /// change (at 1 − 2 alpha) is evidence for the reader, not part of the decision, exactly as
    /// the Wilson intervals are for accuracy.
    static func meanScore(
        baseline: BaselineSuite, current: SuiteResult, threshold: AccuracyThreshold?,
        settings: VerdictSettings
    ) -> MetricComparison {
        var m = MetricComparison(metric: .meanScore, baseline: nil, current: nil, threshold: nil, verdict: .skipped)
        guard let t = threshold else {
            m.note = "switched off"
            return m
        }
        m.threshold = .maxDrop(t.maxDrop)
        let pairs = current.cases.compactMap { c in
            baseline.cases[c.id].map { (baseline: $0.scoreValue, current: c.score) }
        }
        guard !pairs.isEmpty else {
            m.verdict = .pass
            m.note = "no case in both runs"
            return m
        }
        let alpha = settings.alpha
        let test = PairedScore(pairs, confidence: 1 - 2 * alpha)
        m.baseline = test.baselineMean
        m.current = test.currentMean
        var s = MetricStatistics(test, alpha: alpha)
        s.differenceInterval = test.interval
        s.intervalConfidence = test.confidence
        m.statistics = s
        let beyond = test.drop > t.maxDrop + 1e-12
        m.verdict = !beyond ? .pass : s.significant ? .regression : .inconclusive
        if m.verdict == .inconclusive {
            let next =
                (current.cases.map(\.runCount).max() ?? 1) > 1 ? (current.cases.map(\.runCount).max() ?? 1) * 2 : 3
            m.advice =
                "to tell this drop from noise: more cases (now \(test.cases)), or repeating each case (repeat: \(next), or --repeat \(next)) to average out noisy scores"
        }
        return m
    }
}
