/// How `check` reports a comparison: a table of metrics, the cases that flipped, the verdict.
public struct VerdictReport {
    public var comparison: Comparison
    public var current: RunResult
    /// Labels for the header: what was evaluated and which baseline it was held against.
    public var subject: String
    public var baselineLabel: String
    /// Expected answers by suite and case id, to show next to a flipped case's output.
    public var expected: [String: [String: JSONValue]] = [:]

    public static let flipLimit = 10

    public func text() -> String {
        var out = "\(subject) against \(baselineLabel)\n\n"
        var table = TextTable(headers: ["suite", "metric", "baseline", "current", "delta", "threshold", "verdict"],
                              rightAligned: [2, 3, 4])
        for suite in comparison.suites {
            for m in suite.metrics {
                table.rows.append([suite.name, m.metric.rawValue, Format.value(m.baseline, of: m.metric),
                                   Format.value(m.current, of: m.metric), Format.delta(m), m.threshold ?? "off",
                                   m.verdict == .regression ? "REGRESSION" : m.verdict.rawValue + (m.note.map { " (\($0))" } ?? "")])
            }
        }
        out += table.render()
        for suite in comparison.suites {
            if let note = suite.note { out += "\n\(suite.name): \(note)\n" }
            guard !suite.regressed.isEmpty || !suite.fixed.isEmpty else { continue }
            out += "\n\(suite.name): \(suite.regressed.count) case(s) regressed (pass → fail), \(suite.fixed.count) fixed (fail → pass)\n"
            for flip in suite.regressed.prefix(Self.flipLimit) { out += "  - \(line(flip, suite: suite.name))\n" }
            if suite.regressed.count > Self.flipLimit { out += "  … and \(suite.regressed.count - Self.flipLimit) more\n" }
            for flip in suite.fixed.prefix(Self.flipLimit) { out += "  + \(line(flip, suite: suite.name))\n" }
            if suite.fixed.count > Self.flipLimit { out += "  … and \(suite.fixed.count - Self.flipLimit) more\n" }
        }
        let regressions = comparison.regressions
        if regressions.isEmpty {
            out += "\nVerdict: pass\n"
        } else {
            let list = regressions.map { "\($0.suite) \($0.metric.metric.rawValue)" }.joined(separator: ", ")
            out += "\nVerdict: REGRESSION (\(list))\n"
        }
        return out
    }

    private func line(_ flip: CaseFlip, suite: String) -> String {
        var s = flip.id
        if let e = expected[suite]?[flip.id] { s += "  expected " + clip(e.canonicalText) }
        if let error = flip.error { s += "  error: " + clip(error) } else if let o = flip.output { s += "  got " + clip(o) }
        return s
    }

    private func clip(_ s: String, _ limit: Int = 80) -> String {
        s.count > limit ? String(s.prefix(limit)) + "…" : s
    }

    /// The same content as one JSON document for machines (documented in the README).
    public func json(extra: [String: JSONValue] = [:]) -> JSONValue {
        var suites: [String: JSONValue] = [:]
        for suite in comparison.suites {
            var metrics: [String: JSONValue] = [:]
            for m in suite.metrics {
                var entry: [String: JSONValue] = [
                    "baseline": m.baseline.map(JSONValue.number) ?? .null,
                    "current": m.current.map(JSONValue.number) ?? .null,
                    "delta": m.delta.map(JSONValue.number) ?? .null,
                    "threshold": m.threshold == nil ? .null : .object(m.thresholdValues.mapValues(JSONValue.number)),
                    "verdict": .string(m.verdict.rawValue),
                ]
                if let note = m.note { entry["note"] = .string(note) }
                metrics[m.metric.rawValue] = .object(entry)
            }
            var entry: [String: JSONValue] = [
                "verdict": .string(suite.verdict.rawValue),
                "metrics": .object(metrics),
                "pass_to_fail": .array(suite.regressed.map { .string($0.id) }),
                "fail_to_pass": .array(suite.fixed.map { .string($0.id) }),
                "added_cases": .array(suite.added.map(JSONValue.string)),
                "removed_cases": .array(suite.removed.map(JSONValue.string)),
            ]
            if let note = suite.note { entry["note"] = .string(note) }
            suites[suite.name] = .object(entry)
        }
        var doc = extra
        doc["verdict"] = .string(comparison.verdict.rawValue)
        doc["suites"] = .object(suites)
        return .object(doc)
    }
}
