import EvalGuardCompare
import EvalGuardStatistics
import EvalGuardSupport

extension VerdictReport {
    /// The same content as one JSON document for machines (documented in docs/verdicts.md).
    /// Per metric: `baseline`, `current`, `delta`, `threshold`, `verdict`, and when the metric
    /// was tested `significant`, `alpha`, `p_value` (accuracy), `interval` and, for an
    /// inconclusive verdict, `advice`.
    package func json(extra: [String: JSONValue] = [:]) -> JSONValue {
        var suites: [String: JSONValue] = [:]
        for suite in comparison.suites {
            var metrics: [String: JSONValue] = [:]
            for m in suite.metrics { metrics[m.metric.rawValue] = .object(metric(m)) }
            var entry: [String: JSONValue] = [
                "verdict": .string(suite.verdict.rawValue),
                "metrics": .object(metrics),
                "pass_to_fail": .array(suite.regressed.map { .string($0.id) }),
                "fail_to_pass": .array(suite.fixed.map { .string($0.id) }),
                "added_cases": .array(suite.added.map(JSONValue.string)),
                "removed_cases": .array(suite.removed.map(JSONValue.string)),
                "flaky_cases": .array(
                    suite.flaky.map {
                        .object([
                            "id": .string($0.id), "baseline_pass_rate": .number($0.baselineRate),
                            "current_pass_rate": .number($0.currentRate),
                        ])
                    }),
                "flaky_excluded": .bool(suite.flakyExcluded),
                "on_inconclusive": .string(comparison.policy(of: suite).rawValue),
            ]
            if let note = suite.note { entry["note"] = .string(note) }
            suites[suite.name] = .object(entry)
        }
        let settings = comparison.settings
        var doc = extra
        doc["verdict"] = .string(comparison.verdict.rawValue)
        doc["blocks"] = .bool(comparison.blocks)
        doc["settings"] = .object([
            "alpha": .number(settings.alpha), "repeat": .number(Double(current.repeats ?? 1)),
            "on_inconclusive": .string(settings.onInconclusive.rawValue), "flaky": .string(settings.flaky.rawValue),
        ])
        doc["suites"] = .object(suites)
        if let audit { doc["audit"] = audit.json }
        return .object(doc)
    }

    private func metric(_ m: MetricComparison) -> [String: JSONValue] {
        var entry: [String: JSONValue] = [
            "baseline": m.baseline.map(JSONValue.number) ?? .null,
            "current": m.current.map(JSONValue.number) ?? .null,
            "delta": m.delta.map(JSONValue.number) ?? .null,
            "threshold": m.threshold.map { .object($0.values.mapValues(JSONValue.number)) } ?? .null,
            "verdict": .string(m.verdict.rawValue),
        ]
        if let note = m.note { entry["note"] = .string(note) }
        if let advice = m.advice { entry["advice"] = .string(advice) }
        if let settle = m.settle { entry["settle"] = settle.json }
        if !m.warnings.isEmpty { entry["warnings"] = .array(m.warnings.map(JSONValue.string)) }
        guard let s = m.statistics else { return entry }
        func pair(_ i: ConfidenceInterval) -> JSONValue { .array([.number(i.lower), .number(i.upper)]) }
        entry["significant"] = .bool(s.significant)
        entry["alpha"] = .number(s.alpha)
        if let p = s.pValue { entry["p_value"] = .number(p) }
        if let p = s.adjustedPValue, let family = s.familySize {
            entry["holm"] = .object(["adjusted_p_value": .number(p), "family_size": .number(Double(family))])
        }
        switch m.metric {
        case .accuracy:
            var interval: [String: JSONValue] = ["confidence": .number(0.95), "method": .string("wilson")]
            if let b = s.baselineInterval { interval["baseline"] = pair(b) }
            if let c = s.currentInterval { interval["current"] = pair(c) }
            entry["interval"] = .object(interval)
            entry["test"] = .string(
                s.exactTest == false
                    ? "one-sided paired test, normal approximation (sign-flip with repeats)"
                    : "one-sided exact paired test (McNemar; sign-flip with repeats)")
            if let n = s.pairedCases { entry["paired_cases"] = .number(Double(n)) }
            if let w = s.worse { entry["worse"] = .number(Double(w)) }
            if let b = s.better { entry["better"] = .number(Double(b)) }
            entry["min_detectable_drop"] = s.minimumDetectableDrop.map(JSONValue.number) ?? .null
        case .p95LatencyMs:
            var interval: [String: JSONValue] = ["method": .string("percentile bootstrap, seeded")]
            if let c = s.intervalConfidence { interval["confidence"] = .number(c) }
            if let d = s.differenceInterval { interval["difference_ms"] = pair(d) }
            interval["ratio"] = s.ratioInterval.map(pair) ?? .null
            entry["interval"] = .object(interval)
            for (name, values) in s.percentiles {
                entry[name + "_latency_ms"] = .object([
                    "baseline": .number(values.baseline), "current": .number(values.current),
                ])
            }
            if let n = s.samples {
                entry["timed_runs"] = .object([
                    "baseline": .number(Double(n.baseline)), "current": .number(Double(n.current)),
                ])
            }
        case .meanScore:
            var interval: [String: JSONValue] = [
                "method": .string("paired percentile bootstrap of the mean change, seeded")
            ]
            if let c = s.intervalConfidence { interval["confidence"] = .number(c) }
            if let d = s.differenceInterval { interval["difference"] = pair(d) }
            entry["interval"] = .object(interval)
            entry["test"] = .string(
                s.exactTest == false
                    ? "one-sided paired sign-flip permutation test, Monte-Carlo (\(PairedScore.draws) seeded draws)"
                    : "one-sided paired sign-flip permutation test, exact")
            if let n = s.pairedCases { entry["paired_cases"] = .number(Double(n)) }
            if let w = s.worse { entry["worse"] = .number(Double(w)) }
            if let b = s.better { entry["better"] = .number(Double(b)) }
        case .avgCostUSD, .avgSteps:
            break
        }
        return entry
    }
}
