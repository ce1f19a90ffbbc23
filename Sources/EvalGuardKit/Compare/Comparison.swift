/// What a metric's comparison concluded.
public enum Verdict: String, Codable, Sendable {
    case pass
    case regression
    /// Beyond the threshold, but not distinguishable from noise.
    case inconclusive
    /// Not gated: switched off, or nothing to compare.
    case skipped
}

/// One metric of one suite, baseline against current.
public struct MetricComparison: Sendable {
    public var metric: GatedMetric
    public var baseline: Double?
    public var current: Double?
    /// The threshold as written in the configuration, nil when switched off.
    public var threshold: String?
    public var thresholdValues: [String: Double]
    public var verdict: Verdict
    /// Why the verdict is what it is, when that is not obvious from the numbers.
    public var note: String?

    public var delta: Double? {
        guard let b = baseline, let c = current else { return nil }
        return c - b
    }
}

/// A case whose outcome changed between the baseline and the current run.
public struct CaseFlip: Sendable {
    public var id: String
    /// The current run's output (canonical JSON, truncated) and error, for the report.
    public var output: String?
    public var error: String?
}

/// One suite's comparison.
public struct SuiteComparison: Sendable {
    public var name: String
    public var metrics: [MetricComparison]
    public var regressed: [CaseFlip]
    public var fixed: [CaseFlip]
    /// Cases present on one side only.
    public var added: [String]
    public var removed: [String]
    /// Set when the suite is new or gone: nothing was gated.
    public var note: String?

    public var verdict: Verdict {
        if metrics.contains(where: { $0.verdict == .regression }) { return .regression }
        if metrics.contains(where: { $0.verdict == .inconclusive }) { return .inconclusive }
        return .pass
    }
}

/// The whole comparison of a run against a baseline.
public struct Comparison: Sendable {
    public var suites: [SuiteComparison]

    public var regressions: [(suite: String, metric: MetricComparison)] {
        suites.flatMap { s in s.metrics.filter { $0.verdict == .regression }.map { (s.name, $0) } }
    }

    /// "regression" when any metric of any suite regressed beyond its threshold.
    public var verdict: Verdict {
        regressions.isEmpty ? .pass : .regression
    }
}
