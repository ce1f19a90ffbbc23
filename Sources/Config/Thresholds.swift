import EvalGuardSupport

/// The metrics a suite is gated on, by the names used in the configuration and in reports.
package enum GatedMetric: String, CaseIterable, Sendable, Codable {
    case accuracy
    case p95LatencyMs = "p95_latency_ms"
    case avgCostUSD = "avg_cost_usd"
    /// The mean of the cases' scores in [0, 1]; gated only when configured.
    case meanScore = "mean_score"
    /// An agent's mean steps per case; gated only when configured.
    case avgSteps = "avg_steps"
}

/// How far accuracy (or the mean score) may fall before a push is blocked (absolute, 0.01 = one point).
package struct AccuracyThreshold: Sendable, Equatable {
    package var maxDrop: Double
}

/// How far a latency or cost figure may rise: more than `maxIncreasePct` percent AND more than
/// `minIncrease` in absolute terms, so that a 0.3 ms → 0.4 ms wobble is not a "33% regression".
/// Latency's floor defaults to 1 ms: below that, a shared machine's scheduling decides, not the model.
package struct IncreaseThreshold: Sendable, Equatable {
    package var maxIncreasePct: Double
    package var minIncrease: Double
}

/// Thresholds for one suite; a nil member is switched off.
package struct Thresholds: Sendable, Equatable {
    package var accuracy: AccuracyThreshold?
    package var p95Latency: IncreaseThreshold?
    package var avgCost: IncreaseThreshold?
    /// Off unless configured: most scorers only pass or fail, and then accuracy says it all.
    package var meanScore: AccuracyThreshold?
    /// Off unless configured: an agent's steps per case may rise by at most this much.
    package var avgSteps: IncreaseThreshold?

    package static let defaults = Thresholds(
        accuracy: AccuracyThreshold(maxDrop: 0.01),
        p95Latency: IncreaseThreshold(maxIncreasePct: 20, minIncrease: 1),
        avgCost: IncreaseThreshold(maxIncreasePct: 10, minIncrease: 0))

    /// These thresholds with the ones written in `node` taking precedence, metric by metric.
    /// `false` or `null` switches a metric off.
    package func overridden(by node: ConfigNode) throws -> Thresholds {
        var result = self
        let members = try node.object(allowed: GatedMetric.allCases.map(\.rawValue))
        for (key, member) in members {
            let off = member.isNull || member.value == .bool(false)
            // `object(allowed:)` let through only the metrics' names.
            switch GatedMetric(rawValue: key)! {
            case .accuracy:
                if off {
                    result.accuracy = nil
                    continue
                }
                result.accuracy = try Self.drop(member)
            case .meanScore:
                if off {
                    result.meanScore = nil
                    continue
                }
                result.meanScore = try Self.drop(member)
            case .p95LatencyMs:
                if off {
                    result.p95Latency = nil
                    continue
                }
                result.p95Latency = try Self.increase(member, unit: "ms", current: result.p95Latency)
            case .avgCostUSD:
                if off {
                    result.avgCost = nil
                    continue
                }
                result.avgCost = try Self.increase(member, unit: "usd", current: result.avgCost)
            case .avgSteps:
                if off {
                    result.avgSteps = nil
                    continue
                }
                result.avgSteps = try Self.increase(member, unit: "steps", current: result.avgSteps)
            }
        }
        return result
    }

    private static func drop(_ member: ConfigNode) throws -> AccuracyThreshold {
        let m = try member.object(allowed: ["max_drop"])
        guard let drop = m["max_drop"] else {
            throw member.error("needs \"max_drop\" (for example 0.01), or false to switch it off")
        }
        return AccuracyThreshold(maxDrop: try drop.number(in: 0...1))
    }

    private static func increase(_ node: ConfigNode, unit: String, current: IncreaseThreshold?) throws
        -> IncreaseThreshold
    {
        let m = try node.object(allowed: ["max_increase_pct", "min_increase_\(unit)"])
        guard let pct = m["max_increase_pct"] else {
            throw node.error("needs \"max_increase_pct\" (for example 20), or false to switch it off")
        }
        let floor =
            try m["min_increase_\(unit)"]?.number(in: 0...Double.greatestFiniteMagnitude) ?? current?.minIncrease ?? 0
        return IncreaseThreshold(maxIncreasePct: try pct.number(in: 0...1_000_000), minIncrease: floor)
    }
}
