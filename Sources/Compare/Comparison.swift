import EvalGuardConfig
import EvalGuardStatistics
import EvalGuardStore
import EvalGuardSupport

/// What a metric's comparison concluded.
package enum Verdict: String, Codable, Sendable {
    case pass
    case regression
    /// Beyond the threshold, but not distinguishable from noise.
    case inconclusive
    /// Not gated: switched off, or nothing to compare.
    case skipped
}

/// One metric of one suite, baseline against current.
/// A metric's threshold as data; reports word it.
package enum ThresholdRule: Sendable, Equatable {
    /// Accuracy may fall by at most this much (a fraction).
    case maxDrop(Double)
    /// The figure may rise by at most `percent` percent, or by at most `atLeast` in `unit`.
    case maxIncrease(percent: Double, atLeast: Double, unit: String)

    /// The configuration's keys and values, for machine-readable output.
    package var values: [String: Double] {
        switch self {
        case .maxDrop(let d): ["max_drop": d]
        case .maxIncrease(let p, let m, let unit): ["max_increase_pct": p, "min_increase_\(unit)": m]
        }
    }
}

package struct MetricComparison: Sendable {
    package var metric: GatedMetric
    package var baseline: Double?
    package var current: Double?
    /// The threshold from the configuration, nil when switched off.
    package var threshold: ThresholdRule?
    package var verdict: Verdict
    /// Why the verdict is what it is, when that is not obvious from the numbers.
    package var note: String?

    /// The evidence, when the metric was tested (see `Gate` for the rules).
    package var statistics: MetricStatistics?
    /// What would turn an inconclusive verdict into a conclusive one.
    package var advice: String?
    /// Things the reader must know to interpret the change (a changed price table).
    package var warnings: [String] = []
    /// Inconclusive because the two runs were priced differently, not because of noise.
    package var priceChange: PriceChange?
    package var pricesChanged: Bool { priceChange != nil }
    /// Accuracy: what asking again about the flipped cases found, when it settled the verdict.
    package var settle: SettleStatistics?

    package init(
        metric: GatedMetric, baseline: Double?, current: Double?, threshold: ThresholdRule?,
        verdict: Verdict, note: String? = nil
    ) {
        self.metric = metric
        self.baseline = baseline
        self.current = current
        self.threshold = threshold
        self.verdict = verdict
        self.note = note
    }

    package var delta: Double? {
        guard let b = baseline, let c = current else { return nil }
        return c - b
    }
}

/// Why two runs' costs are not at one set of prices.
package enum PriceChange: Sendable {
    /// The price table differs between the runs.
    case table
    /// One run's answers came through a batch API, at its price, and the other's did not.
    case batchMode

    package var reason: String {
        switch self {
        case .table: "the price table changed"
        case .batchMode: "one run was priced at the batch price and the other at the direct price"
        }
    }

    /// The reasons of `changes`, each once, for one sentence.
    package static func reasons(_ changes: some Sequence<PriceChange?>) -> String {
        var seen: [PriceChange] = []
        for case let change? in changes where !seen.contains(change) { seen.append(change) }
        return seen.map(\.reason).joined(separator: ", and ")
    }
}

/// The statistics behind a metric's verdict.
package struct MetricStatistics: Sendable {
    /// The significance level the verdict was decided at.
    package var alpha: Double
    /// True when the change is distinguishable from noise at `alpha`.
    package var significant: Bool
    /// Accuracy and mean score: the one-sided paired test's p-value for "the current run is worse".
    package var pValue: Double?
    /// With more than one p-value test in the check: the Holm-adjusted p-value that decided
    /// `significant`, and how many tests formed the family (`FamilyWise.swift`).
    package var adjustedPValue: Double?
    package var familySize: Int?
    /// Accuracy: whether the p-value is exact, or the normal approximation used when the exact
    /// distribution (many repeats) would cost too much to compute.
    package var exactTest: Bool?
    /// Accuracy: cases compared, and how many fell and rose.
    package var pairedCases: Int?
    package var worse: Int?
    package var better: Int?
    /// Accuracy: Wilson 95% intervals of each run's accuracy.
    package var baselineInterval: ConfidenceInterval?
    package var currentInterval: ConfidenceInterval?
    /// Accuracy: the smallest drop a suite of this size can show as significant; nil when
    /// even every case failing would not be.
    package var minimumDetectableDrop: Double?
    /// Latency: bootstrap intervals for the p95's change, current − baseline (ms) and
    /// current / baseline, at `intervalConfidence` (1 − 2 alpha: a one-sided test at alpha).
    package var differenceInterval: ConfidenceInterval?
    package var ratioInterval: ConfidenceInterval?
    package var intervalConfidence: Double?
    /// Latency: p50 and p99 on both sides, for context.
    package var percentiles: [String: (baseline: Double, current: Double)] = [:]
    /// Latency: timed runs on each side.
    package var samples: (baseline: Int, current: Int)?

    package init(alpha: Double, significant: Bool) {
        self.alpha = alpha
        self.significant = significant
    }
}

/// A case whose outcome changed between the baseline and the current run.
package struct CaseFlip: Sendable {
    package var id: String
    /// The current run's output (canonical JSON, truncated) and error, for the report.
    package var output: String?
    package var error: String?
    /// Why the scorer failed the current answer, when it says (a schema violation).
    package var reason: String?
    /// Pass rates on both sides, when either side ran the case more than once.
    package var baselineRate: Double?
    package var currentRate: Double?
}

/// A case whose outcomes disagreed across repeats, in the baseline, the current run or both.
package struct FlakyCase: Sendable {
    package var id: String
    package var baselineRate: Double
    package var currentRate: Double
}

/// One suite's comparison.
package struct SuiteComparison: Sendable {
    package var name: String
    package var metrics: [MetricComparison]
    /// Cases whose pass rate fell (pass → fail with one run) and rose, among those gated.
    package var regressed: [CaseFlip]
    package var fixed: [CaseFlip]
    /// Cases present on one side only.
    package var added: [String]
    package var removed: [String]
    /// Set when the suite is new or gone: nothing was gated.
    package var note: String?
    /// Cases to ask the model about again to settle an inconclusive accuracy verdict (see
    /// `Gate.needsReask`); empty when nothing is left to settle or settling is off.
    package var settlePending: [String] = []
    /// Cases to ask the baseline's model about again, and its commit.
    package var settlePendingBaseline: ReaskPlan.BaselineAsk?
    /// Flaky cases, and whether they were left out of the accuracy gate (`flaky: exclude`).
    package var flaky: [FlakyCase] = []
    package var flakyExcluded = false
    /// The suite's own `on_inconclusive` (nil: the top level's, `Comparison.settings`).
    package var onInconclusive: InconclusivePolicy?

    package init(
        name: String, metrics: [MetricComparison], regressed: [CaseFlip], fixed: [CaseFlip],
        added: [String], removed: [String], note: String? = nil
    ) {
        self.name = name
        self.metrics = metrics
        self.regressed = regressed
        self.fixed = fixed
        self.added = added
        self.removed = removed
        self.note = note
    }

    package var verdict: Verdict {
        if metrics.contains(where: { $0.verdict == .regression }) { return .regression }
        if metrics.contains(where: { $0.verdict == .inconclusive }) { return .inconclusive }
        return .pass
    }
}

/// The whole comparison of a run against a baseline.
package struct Comparison: Sendable {
    package var suites: [SuiteComparison]
    /// The settings the verdicts were decided with.
    package var settings: VerdictSettings = .defaults

    package init(suites: [SuiteComparison], settings: VerdictSettings = .defaults) {
        self.suites = suites
        self.settings = settings
    }

    package var regressions: [(suite: String, metric: MetricComparison)] { metrics(.regression) }
    package var inconclusives: [(suite: String, metric: MetricComparison)] { metrics(.inconclusive) }

    private func metrics(_ verdict: Verdict) -> [(suite: String, metric: MetricComparison)] {
        suites.flatMap { s in s.metrics.filter { $0.verdict == verdict }.map { (s.name, $0) } }
    }

    /// "regression" when any metric of any suite regressed significantly beyond its threshold;
    /// otherwise "inconclusive" when any metric is beyond its threshold without significance.
    package var verdict: Verdict {
        if !regressions.isEmpty { return .regression }
        if !inconclusives.isEmpty { return .inconclusive }
        return .pass
    }

    /// True when the push or build should stop: a regression, or an inconclusive suite whose
    /// `on_inconclusive` (its own, else the top level's) is "fail".
    package var blocks: Bool {
        verdict == .regression || suites.contains { $0.verdict == .inconclusive && policy(of: $0) == .fail }
    }

    /// What an inconclusive verdict of `suite` does: its own `on_inconclusive`, else the top level's.
    package func policy(of suite: SuiteComparison) -> InconclusivePolicy {
        suite.onInconclusive ?? settings.onInconclusive
    }

    /// Whether the suite named `name` fails when inconclusive.
    package func failsOnInconclusive(suite name: String) -> Bool {
        suites.first { $0.name == name }.map { policy(of: $0) == .fail } ?? (settings.onInconclusive == .fail)
    }
}

extension MetricStatistics {
    /// The statistics of a paired test at `alpha`: significant when its p-value is below it.
    init(_ test: some PairedTest, alpha: Double) {
        self.init(alpha: alpha, significant: test.pValue < alpha)
        pValue = test.pValue
        exactTest = test.exact
        pairedCases = test.cases
        worse = test.worse
        better = test.better
    }
}
