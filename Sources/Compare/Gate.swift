import EvalGuardConfig
import EvalGuardStatistics
import EvalGuardStore
import EvalGuardSupport

/// Applies a suite's thresholds to baseline and current figures, accounting for noise.
/// Improvements never fail. Each gated metric gets one of three verdicts:
/// - regression: beyond its threshold, and the change is significant at `alpha`;
/// - inconclusive: beyond its threshold, but noise could explain it;
/// - pass: within its threshold.
/// The rules per metric are in `AccuracyVerdict.swift` and `LatencyVerdict.swift`.
package enum Gate {
    /// `canAsk` says whether a commit's model can be asked again (the commit is in the
    /// repository): settling then re-asks each flipped case on the side that failed it, the
    /// baseline's model included (see `Settlement`); otherwise only the current side.
    package static func compare(
        baseline: Baseline, current: RunResult, config: EvalConfig,
        canAsk: (String) -> Bool = { _ in false }
    ) -> Comparison {
        var suites: [SuiteComparison] = []
        let names = Set(baseline.suites.keys).union(current.suites.map(\.name)).sorted()
        for name in names {
            let thresholds = config.suites.first { $0.name == name }?.thresholds ?? config.thresholds
            switch (baseline.suites[name], current.suite(name)) {
            case (let b?, let c?):
                // Each suite's costs against its own model's price tables.
                let prices = PriceTables(baseline: b.prices ?? baseline.prices, current: current.prices(ofSuite: name))
                let suiteConfig = config.suites.first { $0.name == name }
                let settle = suiteConfig?.settle ?? config.settle
                // The baseline's model can be asked when the suite was recorded from a clean commit that is here.
                let commit = b.fromCommit ?? baseline.fromCommit
                let dirty = b.fromCommit != nil ? b.dirty ?? false : baseline.dirty
                let askable = settle.enabled && !dirty && canAsk(commit) ? commit : nil
                let noisy =
                    suiteConfig.map { !config.model(of: $0).isDeterministic(repeats: config.verdict.repeats) } ?? false
                var suite = compare(
                    name: name, baseline: b, current: c, thresholds: thresholds,
                    settings: config.verdict, prices: prices, settle: settle, baselineModel: askable, noisy: noisy)
                suite.onInconclusive = suiteConfig?.onInconclusive
                suites.append(suite)
            case (nil, _?):
                suites.append(
                    SuiteComparison(
                        name: name, metrics: [], regressed: [], fixed: [], added: [], removed: [],
                        note: "new suite: not in the baseline, so not gated (run 'evalguard baseline' to include it)"))
            case (_?, nil):
                suites.append(
                    SuiteComparison(
                        name: name, metrics: [], regressed: [], fixed: [], added: [], removed: [],
                        note: "in the baseline but no longer configured"))
            case (nil, nil):
                break
            }
        }
        return FamilyWise.holm(Comparison(suites: suites, settings: config.verdict))
    }

    /// Pairs the cases by id, then compares each metric.
    static func compare(
        name: String, baseline: BaselineSuite, current: SuiteResult, thresholds: Thresholds,
        settings: VerdictSettings = .defaults, prices: PriceTables = PriceTables(),
        settle: SettleSettings = .off, baselineModel: String? = nil, noisy: Bool = false
    ) -> SuiteComparison {
        var regressed: [CaseFlip] = []
        var fixed: [CaseFlip] = []
        var flaky: [FlakyCase] = []
        var outcomes: [PairedOutcome] = []
        // Settling: the cases whose first stage differs, with what re-asking each side returned.
        var discordant: [Discordant] = []
        let baselineReasks = baselineModel.flatMap { commit in
            current.baselineReasks.map { $0.commit == commit ? $0.cases : [:] } ?? [:]
        }
        // One lookup per case: what the baseline lacks is added, and the baseline's cases left
        // unmatched are removed (a result's ids are unique: stored ones are checked for it).
        var added: [String] = []
        var matched = 0
        for asked in current.cases {
            // The first stage decides what flipped; re-asks made to settle it are read apart.
            let c = asked.firstStage
            guard let before = baseline.cases[c.id] else {
                added.append(c.id)
                continue
            }
            matched += 1
            guard
                let outcome = PairedOutcome(
                    baselinePasses: before.passes, baselineRuns: before.runCount,
                    currentPasses: c.passCount, currentRuns: c.runCount)
            else { continue }
            if before.isFlaky || c.isFlaky {
                flaky.append(FlakyCase(id: c.id, baselineRate: outcome.baselineRate, currentRate: outcome.currentRate))
                if settings.flaky == .exclude { continue }
            }
            outcomes.append(outcome)
            if outcome.baselineRate != outcome.currentRate {
                discordant.append(
                    Discordant(
                        id: c.id, first: outcome,
                        current: asked.settledRuns.flatMap {
                            $0 > 0 ? SettledCase.Side(runs: $0, passes: asked.settledPasses ?? 0) : nil
                        },
                        baseline: baselineReasks?[c.id].map { SettledCase.Side(runs: $0.runs, passes: $0.passes) }))
            }
            let repeated = before.runCount > 1 || c.runCount > 1
            var flip = CaseFlip(
                id: c.id, output: c.output, error: c.error,
                baselineRate: repeated ? outcome.baselineRate : nil,
                currentRate: repeated ? outcome.currentRate : nil)
            flip.reason = c.reason
            if outcome.currentRate < outcome.baselineRate { regressed.append(flip) }
            if outcome.currentRate > outcome.baselineRate { fixed.append(flip) }
        }
        // The cases as their first runs left them: the cases themselves, not a copy, unless some were re-asked.
        let firstStages =
            current.cases.contains { ($0.settledRuns ?? 0) > 0 } ? current.cases.map(\.firstStage) : current.cases
        var removed: [String] = []
        if matched < baseline.cases.count {
            let ids = Set(current.cases.map(\.id))
            removed = baseline.cases.keys.filter { !ids.contains($0) }.sorted()
        }
        let firstAccuracy = accuracy(
            PairedAccuracy(outcomes), baseline: baseline.metrics, current: Metrics(firstStages),
            runs: firstStages.lazy.map(\.runCount).max() ?? 1,
            excludedFlaky: settings.flaky == .exclude ? flaky.count : 0,
            threshold: thresholds.accuracy, settings: settings)
        let settling = Settlement(
            discordant, first: firstAccuracy, paired: outcomes.count, threshold: thresholds.accuracy,
            settle: settle, bothSides: baselineModel != nil, noisy: noisy, alpha: settings.alpha)
        let metrics: [MetricComparison] = GatedMetric.allCases.map { metric in
            switch metric {
            case .accuracy:
                return settling.verdict ?? firstAccuracy
            case .p95LatencyMs:
                return latency(
                    baseline: baseline, current: current, threshold: thresholds.p95Latency, settings: settings)
            case .avgCostUSD:
                return cost(
                    baseline: baseline.metrics.avgCostUSD, current: current.metrics.avgCostUSD,
                    threshold: thresholds.avgCost, prices: prices,
                    batched: (baseline.metrics.batchedShare, current.metrics.batchedShare))
            case .meanScore:
                return meanScore(
                    baseline: baseline, current: current, threshold: thresholds.meanScore, settings: settings)
            case .avgSteps:
                return steps(
                    baseline: baseline.metrics.avgSteps, current: current.metrics.avgSteps,
                    threshold: thresholds.avgSteps)
            }
        }.filter { $0.metric != .meanScore || thresholds.meanScore != nil }
            .filter { $0.metric != .avgSteps || $0.baseline != nil || $0.current != nil }
        var suite = SuiteComparison(
            name: name, metrics: metrics, regressed: regressed, fixed: fixed, added: added, removed: removed)
        suite.flaky = flaky
        suite.settlePending = settling.pendingCurrent
        if let commit = baselineModel, !settling.pendingBaseline.isEmpty {
            suite.settlePendingBaseline = ReaskPlan.BaselineAsk(commit: commit, ids: settling.pendingBaseline)
        }
        suite.flakyExcluded = settings.flaky == .exclude && !flaky.isEmpty
        return suite
    }

    /// The threshold rule on point figures alone: is `current` more than the allowance above
    /// `baseline`? (More than `maxIncreasePct` percent AND more than `minIncrease`.)
    static func beyond(_ t: IncreaseThreshold, baseline b: Double, current c: Double) -> Bool {
        let increase = c - b
        let beyondPct = b > 0 ? increase / b * 100 > t.maxIncreasePct + 1e-9 : increase > 0
        return beyondPct && increase > t.minIncrease
    }
}

/// The price tables both runs' costs were computed with, when the results record them.
package struct PriceTables: Sendable {
    package var baseline: JSONValue?
    package var current: JSONValue?

    package init(baseline: JSONValue? = nil, current: JSONValue? = nil) {
        self.baseline = baseline
        self.current = current
    }

    /// True only when both sides name a table and the tables differ.
    package var changed: Bool {
        guard let baseline, let current else { return false }
        return baseline != current
    }
}
