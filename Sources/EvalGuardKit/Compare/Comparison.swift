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

    /// The evidence, when the metric was tested (see `Gate` for the rules).
    public var statistics: MetricStatistics?
    /// What would turn an inconclusive verdict into a conclusive one.
    public var advice: String?
    /// Things the reader must know to interpret the change (a changed price table).
    public var warnings: [String] = []

    public init(metric: GatedMetric, baseline: Double?, current: Double?, threshold: String?,
                thresholdValues: [String: Double], verdict: Verdict, note: String? = nil) {
        self.metric = metric
        self.baseline = baseline
        self.current = current
        self.threshold = threshold
        self.thresholdValues = thresholdValues
        self.verdict = verdict
        self.note = note
    }

    public var delta: Double? {
        guard let b = baseline, let c = current else { return nil }
        return c - b
    }
}

/// The statistics behind a metric's verdict.
public struct MetricStatistics: Sendable {
    /// The significance level the verdict was decided at.
    public var alpha: Double
    /// True when the change is distinguishable from noise at `alpha`.
    public var significant: Bool
    /// Accuracy: the one-sided paired test's p-value for "the current run is worse".
    public var pValue: Double?
    /// Accuracy: whether the p-value is exact, or the normal approximation used when the exact
    /// distribution (many repeats) would cost too much to compute.
    public var exactTest: Bool?
    /// Accuracy: cases compared, and how many fell and rose.
    public var pairedCases: Int?
    public var worse: Int?
    public var better: Int?
    /// Accuracy: Wilson 95% intervals of each run's accuracy.
    public var baselineInterval: ConfidenceInterval?
    public var currentInterval: ConfidenceInterval?
    /// Accuracy: the smallest drop a suite of this size can show as significant; nil when
    /// even every case failing would not be.
    public var minimumDetectableDrop: Double?
    /// Latency: bootstrap intervals for the p95's change, current − baseline (ms) and
    /// current / baseline, at `intervalConfidence` (1 − 2 alpha: a one-sided test at alpha).
    public var differenceInterval: ConfidenceInterval?
    public var ratioInterval: ConfidenceInterval?
    public var intervalConfidence: Double?
    /// Latency: p50 and p99 on both sides, for context.
    public var percentiles: [String: (baseline: Double, current: Double)] = [:]
    /// Latency: timed runs on each side.
    public var samples: (baseline: Int, current: Int)?

    public init(alpha: Double, significant: Bool) {
        self.alpha = alpha
        self.significant = significant
    }
}

/// A case whose outcome changed between the baseline and the current run.
public struct CaseFlip: Sendable {
    public var id: String
    /// The current run's output (canonical JSON, truncated) and error, for the report.
    public var output: String?
    public var error: String?
    /// Pass rates on both sides, when either side ran the case more than once.
    public var baselineRate: Double?
    public var currentRate: Double?
}

/// A case whose outcomes disagreed across repeats, in the baseline, the current run or both.
public struct FlakyCase: Sendable {
    public var id: String
    public var baselineRate: Double
    public var currentRate: Double
}

/// One suite's comparison.
public struct SuiteComparison: Sendable {
    public var name: String
    public var metrics: [MetricComparison]
    /// Cases whose pass rate fell (pass → fail with one run) and rose, among those gated.
    public var regressed: [CaseFlip]
    public var fixed: [CaseFlip]
    /// Cases present on one side only.
    public var added: [String]
    public var removed: [String]
    /// Set when the suite is new or gone: nothing was gated.
    public var note: String?
    /// Flaky cases, and whether they were left out of the accuracy gate (`flaky: exclude`).
    public var flaky: [FlakyCase] = []
    public var flakyExcluded = false

    public init(name: String, metrics: [MetricComparison], regressed: [CaseFlip], fixed: [CaseFlip],
                added: [String], removed: [String], note: String? = nil) {
        self.name = name
        self.metrics = metrics
        self.regressed = regressed
        self.fixed = fixed
        self.added = added
        self.removed = removed
        self.note = note
    }

    public var verdict: Verdict {
        if metrics.contains(where: { $0.verdict == .regression }) { return .regression }
        if metrics.contains(where: { $0.verdict == .inconclusive }) { return .inconclusive }
        return .pass
    }
}

/// The whole comparison of a run against a baseline.
public struct Comparison: Sendable {
    public var suites: [SuiteComparison]
    /// The settings the verdicts were decided with.
    public var settings: VerdictSettings = .defaults

    public init(suites: [SuiteComparison], settings: VerdictSettings = .defaults) {
        self.suites = suites
        self.settings = settings
    }

    public var regressions: [(suite: String, metric: MetricComparison)] { metrics(.regression) }
    public var inconclusives: [(suite: String, metric: MetricComparison)] { metrics(.inconclusive) }

    private func metrics(_ verdict: Verdict) -> [(suite: String, metric: MetricComparison)] {
        suites.flatMap { s in s.metrics.filter { $0.verdict == verdict }.map { (s.name, $0) } }
    }

    /// "regression" when any metric of any suite regressed significantly beyond its threshold;
    /// otherwise "inconclusive" when any metric is beyond its threshold without significance.
    public var verdict: Verdict {
        if !regressions.isEmpty { return .regression }
        if !inconclusives.isEmpty { return .inconclusive }
        return .pass
    }

    /// True when the push or build should stop: a regression, or an inconclusive result
    /// under `on_inconclusive: "fail"`.
    public var blocks: Bool {
        verdict == .regression || (verdict == .inconclusive && settings.onInconclusive == .fail)
    }
}
