/// Applies a suite's thresholds to baseline and current figures. Improvements never fail.
public enum Gate {
    public static func compare(baseline: Baseline, current: RunResult, config: EvalConfig) -> Comparison {
        var suites: [SuiteComparison] = []
        let names = Set(baseline.suites.keys).union(current.suites.map(\.name)).sorted()
        for name in names {
            let thresholds = config.suites.first { $0.name == name }?.thresholds ?? config.thresholds
            switch (baseline.suites[name], current.suite(name)) {
            case let (b?, c?):
                suites.append(compare(name: name, baseline: b, current: c, thresholds: thresholds))
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
        return Comparison(suites: suites)
    }

    static func compare(name: String, baseline: BaselineSuite, current: SuiteResult, thresholds: Thresholds) -> SuiteComparison {
        var regressed: [CaseFlip] = [], fixed: [CaseFlip] = []
        var seen = Set<String>()
        for c in current.cases {
            seen.insert(c.id)
            guard let before = baseline.cases[c.id] else { continue }
            if before.passed && !c.passed { regressed.append(CaseFlip(id: c.id, output: c.output, error: c.error)) }
            if !before.passed && c.passed { fixed.append(CaseFlip(id: c.id, output: c.output, error: c.error)) }
        }
        let added = current.cases.map(\.id).filter { baseline.cases[$0] == nil }
        let removed = baseline.cases.keys.filter { !seen.contains($0) }.sorted()
        let metrics = GatedMetric.allCases.map { metric in
            compare(metric, baseline: baseline.metrics.value(of: metric), current: current.metrics.value(of: metric), thresholds: thresholds)
        }
        return SuiteComparison(name: name, metrics: metrics, regressed: regressed, fixed: fixed, added: added, removed: removed)
    }

    static func compare(_ metric: GatedMetric, baseline: Double?, current: Double?, thresholds: Thresholds) -> MetricComparison {
        var m = MetricComparison(metric: metric, baseline: baseline, current: current, threshold: nil, thresholdValues: [:], verdict: .skipped)
        switch metric {
        case .accuracy:
            guard let t = thresholds.accuracy else { m.note = "switched off"; return m }
            m.threshold = "max drop \(Format.number(t.maxDrop))"
            m.thresholdValues = ["max_drop": t.maxDrop]
            guard let b = baseline, let c = current else { return m }
            m.verdict = b - c > t.maxDrop + 1e-12 ? .regression : .pass
        case .p95LatencyMs, .avgCostUSD:
            let unit = metric == .p95LatencyMs ? "ms" : "usd"
            guard let t = metric == .p95LatencyMs ? thresholds.p95Latency : thresholds.avgCost else { m.note = "switched off"; return m }
            m.threshold = "+\(Format.number(t.maxIncreasePct))%" + (t.minIncrease > 0 ? " and +\(Format.number(t.minIncrease)) \(unit)" : "")
            m.thresholdValues = ["max_increase_pct": t.maxIncreasePct, "min_increase_\(unit)": t.minIncrease]
            guard let b = baseline, let c = current else {
                if metric == .avgCostUSD {
                    m.note = baseline == nil && current == nil ? "no cost reported" : baseline == nil ? "no cost in the baseline" : "no cost reported now"
                }
                return m
            }
            let increase = c - b
            let beyondPct = b > 0 ? increase / b * 100 > t.maxIncreasePct + 1e-9 : increase > 0
            m.verdict = beyondPct && increase > t.minIncrease ? .regression : .pass
        }
        return m
    }
}
