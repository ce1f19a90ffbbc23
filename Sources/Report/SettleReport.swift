import EvalGuardCompare
import EvalGuardSupport

extension SettleStatistics {
    /// "settled by re-asking 56 cases, 81 extra model calls: …", for the report under the metric.
    package var line: String {
        let sides =
            bothSides ? "each on the side that failed it, the baseline's model included" : "of the current model"
        var s =
            "accuracy: settled by re-asking \(cases) flipped case(s) \(sides), \(extraCalls) extra model call(s); the first run was \(firstVerdict.rawValue): "
            + "\(persistedWorse) fall(s) and \(persistedBetter) rise(s) persisted, the rest reverted"
        if let persistingDrop { s += "; the drop that persisted: \(Format.accuracy(persistingDrop))" }
        s += "; settled test p \(Format.pValueRelation(pValue))" + (exact ? "" : " (normal approximation)")
        if significant {
            return s + ", significant: at or below \(Format.pValue(level)), what alpha leaves it beside the first run"
        }
        return s
            + (level > 0
                ? ", not significant: it would need \(Format.pValue(level)) or less, what alpha leaves it beside the first run"
                : ", not significant: alpha leaves it nothing beside the first run")
    }

    /// The same for `--format json`.
    package var json: JSONValue {
        var members: [String: JSONValue] = [
            "cases": .number(Double(cases)), "extra_model_calls": .number(Double(extraCalls)),
            "baseline_model_asked": .bool(bothSides),
            "persisted_worse": .number(Double(persistedWorse)), "persisted_better": .number(Double(persistedBetter)),
            "p_value": .number(pValue), "level": .number(level), "significant": .bool(significant),
            "exact": .bool(exact),
            "first_verdict": .string(firstVerdict.rawValue),
        ]
        if let persistingDrop { members["persisting_drop"] = .number(persistingDrop) }
        return .object(members)
    }
}
