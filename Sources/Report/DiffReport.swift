import EvalGuardConfig
import EvalGuardEvaluation
import EvalGuardStatistics
import EvalGuardStore
import EvalGuardSupport
import FoundationEssentials

/// `evalguard diff A B`: two commits' results case by case: figures and their deltas, the cases
/// that flipped, and how the latency and cost distributions moved (quantiles side by side).
package struct DiffReport {
    package var a: RunResult
    package var b: RunResult
    package var labelA: String
    package var labelB: String
    package var suites: Set<String>?
    package var broke: [FlippedCase]
    package var fixed: [FlippedCase]

    static let quantiles: [(String, Double)] = [
        ("p10", 0.10), ("p25", 0.25), ("p50", 0.50), ("p75", 0.75),
        ("p90", 0.90), ("p95", 0.95), ("p99", 0.99), ("max", 1.0),
    ]

    package init(
        a: RunResult, b: RunResult, labelA: String, labelB: String, suites: Set<String>?,
        broke: [FlippedCase], fixed: [FlippedCase]
    ) {
        (self.a, self.b, self.labelA, self.labelB, self.suites, self.broke, self.fixed) = (
            a, b, labelA, labelB, suites, broke, fixed
        )
    }

    var names: [String] {
        Set(a.suites.map(\.name)).union(b.suites.map(\.name)).filter { suites?.contains($0) ?? true }.sorted()
    }

    func cases(_ r: RunResult) -> [CaseResult] {
        r.suites.filter { suites?.contains($0.name) ?? true }.flatMap(\.cases)
    }

    static func pct(_ x: Double?, _ y: Double?) -> String {
        guard let x, let y else { return "-" }
        return Format.signedPercent(from: x, to: y)
    }

    package func text() -> String {
        var out = "evalguard diff: \(labelA) → \(labelB)\n\n"
        var table = TextTable(headers: ["suite", "metric", "A", "B", "delta"], rightAligned: [2, 3, 4])
        for name in names {
            let ma = a.suite(name)?.metrics
            let mb = b.suite(name)?.metrics
            table.rows.append([
                name, "accuracy", ma.map { Format.accuracy($0.accuracy) } ?? "-",
                mb.map { Format.accuracy($0.accuracy) } ?? "-",
                ma.flatMap { x in mb.map { Format.signedPoints(from: x.accuracy, to: $0.accuracy) } } ?? "-",
            ])
            for (label, path) in [
                ("p50_latency_ms", \Metrics.p50LatencyMs), ("p95_latency_ms", \Metrics.p95LatencyMs),
                ("p99_latency_ms", \Metrics.p99LatencyMs), ("mean_latency_ms", \Metrics.meanLatencyMs),
            ] {
                table.rows.append([
                    name, label, ma.map { Format.ms($0[keyPath: path]) } ?? "-",
                    mb.map { Format.ms($0[keyPath: path]) } ?? "-",
                    Self.pct(ma?[keyPath: path], mb?[keyPath: path]),
                ])
            }
            table.rows.append([
                name, "avg_cost_usd", Format.usd(ma?.avgCostUSD), Format.usd(mb?.avgCostUSD),
                Self.pct(ma?.avgCostUSD, mb?.avgCostUSD),
            ])
            for (label, path) in [("avg_steps", \Metrics.avgSteps), ("avg_tool_calls", \Metrics.avgToolCalls)]
            where ma?[keyPath: path] != nil || mb?[keyPath: path] != nil {
                let shown = { (m: Metrics?) in m?[keyPath: path].map { Format.number($0, digits: 2) } ?? "-" }
                table.rows.append([name, label, shown(ma), shown(mb), Self.pct(ma?[keyPath: path], mb?[keyPath: path])])
            }
            table.rows.append([
                name, "errors", ma.map { "\($0.errors + $0.timeouts)" } ?? "-",
                mb.map { "\($0.errors + $0.timeouts)" } ?? "-", "",
            ])
        }
        out += table.render()
        let discordant = "\(broke.count) case(s) regressed (pass → fail), \(fixed.count) fixed (fail → pass)"
        // The gate's test (one-sided: "is B worse?"), so check and diff give one p-value for the same flips.
        out +=
            "\n\(discordant); McNemar p = \(Format.number(McNemar.pValueWorse(regressed: broke.count, fixed: fixed.count), digits: 4)), one-sided\n"
        for f in broke.prefix(Format.flipLimit) { out += "  - " + line(f) + calls(f) + "\n" }
        if broke.count > Format.flipLimit { out += "  … and \(broke.count - Format.flipLimit) more\n" }
        for f in fixed.prefix(Format.flipLimit) { out += "  + " + line(f) + calls(f) + "\n" }
        if fixed.count > Format.flipLimit { out += "  … and \(fixed.count - Format.flipLimit) more\n" }
        out += distribution("latency ms", Metrics.timedLatencies(cases(a)), Metrics.timedLatencies(cases(b)), Format.ms)
        out += distribution(
            "cost usd", cases(a).compactMap(\.costUSD).sorted(), cases(b).compactMap(\.costUSD).sorted()
        ) { Format.usd($0) }
        return out
    }

    func line(_ f: FlippedCase) -> String {
        "\(f.suite)/\(f.id)  input \(Format.clip(f.input, 40))  expected \(Format.clip(f.expected, 30, against: f.output))  got "
            + (f.error.map { "error: " + Format.clip($0, 40) } ?? Format.clip(f.output, 30, against: f.expected))
    }

    /// An agent's calls on both sides, row by row, under a flipped case's line ("" for others).
    func calls(_ f: FlippedCase) -> String {
        guard f.error == nil, f.baselineError == nil,
            let calls = CallComparison(left: f.baselineOutput, right: f.output)
        else { return "" }
        return "\n" + calls.lines(leftLabel: labelA, rightLabel: labelB).joined(separator: "\n")
    }

    func distribution(_ title: String, _ x: [Double], _ y: [Double], _ format: (Double) -> String) -> String {
        guard !x.isEmpty || !y.isEmpty else { return "" }
        var table = TextTable(headers: [title] + Self.quantiles.map(\.0), rightAligned: Set(1...Self.quantiles.count))
        table.rows.append(["A"] + Self.quantiles.map { q in Quantile.sorted(x, q.1).map(format) ?? "-" })
        table.rows.append(["B"] + Self.quantiles.map { q in Quantile.sorted(y, q.1).map(format) ?? "-" })
        table.rows.append(
            ["change"] + Self.quantiles.map { q in Self.pct(Quantile.sorted(x, q.1), Quantile.sorted(y, q.1)) })
        return "\n" + table.render()
    }

    package func json() -> JSONValue {
        func flip(_ f: FlippedCase) -> JSONValue {
            .object([
                "suite": .string(f.suite), "id": .string(f.id), "input": f.input.map(JSONValue.string) ?? .null,
                "expected": f.expected.map(JSONValue.string) ?? .null,
                "output": f.output.map(JSONValue.string) ?? .null,
                "error": f.error.map(JSONValue.string) ?? .null,
            ])
        }
        func quantiles(_ v: [Double]) -> JSONValue {
            .object(
                Dictionary(
                    uniqueKeysWithValues: Self.quantiles.map {
                        ($0.0, Quantile.sorted(v, $0.1).map(JSONValue.number) ?? .null)
                    }))
        }
        var suites: [String: JSONValue] = [:]
        for name in names {
            func figures(_ m: Metrics?) -> JSONValue {
                guard let m else { return .null }
                var figures: [String: JSONValue] = GatedMetric.allCases.reduce(into: [:]) {
                    $0[$1.rawValue] = m.value(of: $1).map(JSONValue.number) ?? .null
                }
                // Agent figures only for suites whose answers made calls.
                if m.avgSteps == nil {
                    figures["avg_steps"] = nil
                } else {
                    figures["avg_tool_calls"] = m.avgToolCalls.map(JSONValue.number) ?? .null
                }
                return .object(figures)
            }
            suites[name] = .object(["a": figures(a.suite(name)?.metrics), "b": figures(b.suite(name)?.metrics)])
        }
        return .object([
            "a": .string(a.commit), "b": .string(b.commit), "suites": .object(suites),
            "pass_to_fail": .array(broke.map(flip)), "fail_to_pass": .array(fixed.map(flip)),
            "latency_ms": .object([
                "a": quantiles(Metrics.timedLatencies(cases(a))), "b": quantiles(Metrics.timedLatencies(cases(b))),
            ]),
            "cost_usd": .object([
                "a": quantiles(cases(a).compactMap(\.costUSD).sorted()),
                "b": quantiles(cases(b).compactMap(\.costUSD).sorted()),
            ]),
        ])
    }
}
