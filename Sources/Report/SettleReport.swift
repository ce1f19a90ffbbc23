import EvalGuardCompare
import EvalGuardSupport

extension SettleStatistics {
    /// "settled by re-asking 56 cases, 81 extra model calls: …", for the report under the metric.
    package var line: String {
        let verdict = firstVerdict == .inconclusive ? "the inconclusive first run" : "the first run"
        return "accuracy: settled by re-asking \(cases) case(s), \(extraCalls) extra model call(s), \(verdict) held with every answer pooled: "
            + "\(persistedWorse) fall(s) and \(persistedBetter) rise(s) persisted, the rest reverted; "
            + "settled test p \(Format.pValueRelation(pValue)) against the \(Format.number(level)) of alpha the first stage left"
            + (significant ? ": significant" : ": not significant") + (exact ? "" : " (normal approximation)")
    }

    /// The same for `--format json`.
    package var json: JSONValue {
        .object([
            "cases": .number(Double(cases)), "extra_model_calls": .number(Double(extraCalls)),
            "persisted_worse": .number(Double(persistedWorse)), "persisted_better": .number(Double(persistedBetter)),
            "p_value": .number(pValue), "level": .number(level), "exact": .bool(exact),
            "pooled_baseline": .number(baselineAccuracy), "pooled_current": .number(currentAccuracy),
            "first_verdict": .string(firstVerdict.rawValue),
        ])
    }
}
