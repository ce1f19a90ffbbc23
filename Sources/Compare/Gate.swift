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
    package static func compare(baseline: Baseline, current: RunResult, config: EvalConfig) -> Comparison {
        var suites: [SuiteComparison] = []
        let names = Set(baseline.suites.keys).union(current.suites.map(\.name)).sorted()
        for name in names {
            let thresholds = config.suites.first { $0.name == name }?.thresholds ?? config.thresholds
            switch (baseline.suites[name], current.suite(name)) {
            case let (b?, c?):
                // Each suite's costs against its own model's price tables.
                let prices = PriceTables(baseline: b.prices ?? baseline.prices, current: current.prices(ofSuite: name))
                let settle = config.suites.first { $0.name == name }?.settle ?? config.settle
                suites.append(compare(name: name, baseline: b, current: c, thresholds: thresholds,
                                      settings: config.verdict, prices: prices, settle: settle))
            case (nil, _?):
                suites.append(SuiteComparison(name: name, metrics: [], regressed: [], fixed: [], added: [], removed: [],
                                              note: "new suite: not in the baseline, so not gated (run 'evalguard baseline' to include it)"))
            case (_?, nil):
                suites.append(SuiteComparison(name: name, metrics: [], regressed: [], fixed: [], added: [], removed: [],
                                              note: "in the baseline but no longer configured"))
            case (nil, nil):
                break
            }
        }
        return FamilyWise.holm(Comparison(suites: suites, settings: config.verdict))
    }

    /// Pairs the cases by id, then compares each metric.
    static func compare(name: String, baseline: BaselineSuite, current: SuiteResult, thresholds: Thresholds,
                        settings: VerdictSettings = .defaults, prices: PriceTables = PriceTables(),
                        settle: SettleSettings = .off) -> SuiteComparison {
        var regressed: [CaseFlip] = [], fixed: [CaseFlip] = [], flaky: [FlakyCase] = []
        var outcomes: [PairedOutcome] = []
        // Settling: the cases whose first stage differs, with their re-asks, and every case pooled.
        var settled: [(first: PairedOutcome, reasks: Int, reaskPasses: Int)] = [], pooled: [PairedOutcome] = []
        var pending: [String] = []
        var seen = Set<String>()
        for asked in current.cases {
            // The first stage decides what flipped; re-asks made to settle it are read apart.
            let c = asked.firstStage
            seen.insert(c.id)
            guard let before = baseline.cases[c.id] else { continue }
            let outcome = PairedOutcome(baselinePasses: before.passes, baselineRuns: before.runCount,
                                        currentPasses: c.passCount, currentRuns: c.runCount)
            if before.isFlaky || c.isFlaky {
                flaky.append(FlakyCase(id: c.id, baselineRate: outcome.baselineRate, currentRate: outcome.currentRate))
                if settings.flaky == .exclude { continue }
            }
            outcomes.append(outcome)
            pooled.append(PairedOutcome(baselinePasses: before.passes, baselineRuns: before.runCount,
                                        currentPasses: asked.passCount, currentRuns: asked.runCount))
            if outcome.baselineRate != outcome.currentRate {
                settled.append((outcome, asked.settledRuns ?? 0, asked.settledPasses ?? 0))
                if Gate.needsReask(asked, maxRepeats: settle.maxRepeats) { pending.append(c.id) }
            }
            let repeated = before.runCount > 1 || c.runCount > 1
            var flip = CaseFlip(id: c.id, output: c.output, error: c.error,
                                baselineRate: repeated ? outcome.baselineRate : nil,
                                currentRate: repeated ? outcome.currentRate : nil)
            flip.reason = c.reason
            if outcome.currentRate < outcome.baselineRate { regressed.append(flip) }
            if outcome.currentRate > outcome.baselineRate { fixed.append(flip) }
        }
        let added = current.cases.map(\.id).filter { baseline.cases[$0] == nil }
        let removed = baseline.cases.keys.filter { !seen.contains($0) }.sorted()
        let metrics: [MetricComparison] = GatedMetric.allCases.map { metric in
            switch metric {
            case .accuracy:
                let first = accuracy(PairedAccuracy(outcomes), baseline: baseline.metrics, current: Metrics(current.cases.map(\.firstStage)),
                                     runs: current.cases.map(\.firstStage.runCount).max() ?? 1,
                                     excludedFlaky: settings.flaky == .exclude ? flaky.count : 0,
                                     threshold: thresholds.accuracy, settings: settings)
                guard settle.enabled else { return first }
                return Gate.settle(first, settled: settled, pooled: pooled, threshold: thresholds.accuracy, alpha: settings.alpha)
            case .p95LatencyMs:
                return latency(baseline: baseline, current: current, threshold: thresholds.p95Latency, settings: settings)
            case .avgCostUSD:
                return cost(baseline: baseline.metrics.avgCostUSD, current: current.metrics.avgCostUSD,
                            threshold: thresholds.avgCost, prices: prices)
            case .meanScore:
                return meanScore(baseline: baseline, current: current, threshold: thresholds.meanScore, settings: settings)
            }
        }.filter { $0.metric != .meanScore || thresholds.meanScore != nil }
        var suite = SuiteComparison(name: name, metrics: metrics, regressed: regressed, fixed: fixed, added: added, removed: removed)
        suite.flaky = flaky
        // Only an accuracy verdict the first stage left inconclusive is settled.
        if settle.enabled, let m = metrics.first(where: { $0.metric == .accuracy }), (m.settle?.firstVerdict ?? m.verdict) == .inconclusive,
           settled.allSatisfy({ $0.first.baselineRuns == $0.first.currentRuns }),
           SettledAccuracy.canSucceed(settled.map { SettledCase(baselinePasses: $0.first.baselinePasses, currentPasses: $0.first.currentPasses,
                                                                runs: $0.first.currentRuns, reasks: 1, reaskPasses: 0) },
                                      alpha: settings.alpha) {
            suite.settlePending = pending
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
