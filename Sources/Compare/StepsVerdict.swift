import EvalGuardConfig
import EvalGuardStore

extension Gate {
    /// The agent-steps rule: the threshold on the mean steps per case, as on the average cost
    /// (a point rule, no sampling test): an agent that takes twice the steps costs about twice
    /// as much and is about twice as slow, whatever its accuracy. Shown only for suites whose
    /// answers made calls on either side, and gated only when `avg_steps` is configured.
    static func steps(baseline: Double?, current: Double?, threshold: IncreaseThreshold?) -> MetricComparison {
        var m = MetricComparison(
            metric: .avgSteps, baseline: baseline, current: current, threshold: nil, verdict: .skipped)
        guard let t = threshold else {
            m.note = "switched off"
            return m
        }
        m.threshold = .maxIncrease(percent: t.maxIncreasePct, atLeast: t.minIncrease, unit: "steps")
        guard baseline != nil || current != nil else {
            m.note = "no steps on either side"
            return m
        }
        // A side without figures made no call (a case without calls keeps no counts), so it took
        // no steps: an agent that starts calling tools is gated like one that calls more.
        let (b, c) = (baseline ?? 0, current ?? 0)
        (m.baseline, m.current) = (b, c)
        m.verdict = beyond(t, baseline: b, current: c) ? .regression : .pass
        return m
    }
}
