import EvalGuardCompare
import EvalGuardStatistics
import EvalGuardSupport
import FoundationEssentials

/// `evalguard compare`'s words: a table per suite (text or markdown), the non-inferiority
/// sentences, and the JSON. Names and outputs come from the configuration and the models, so
/// every one is made safe for where it is shown.
package struct CompareReport {
    package var matrix: CandidateMatrix

    package init(_ matrix: CandidateMatrix) { self.matrix = matrix }

    static let headers = [
        "configuration", "accuracy", "Δ accuracy [95% CI]", "p (Holm)", "check", "mean score", "p95 ms",
        "Δ p95 ms [95% CI]",
        "avg cost", "cost/correct", "tokens", "errors", "pareto",
    ]

    /// One row per configuration, the current one first.
    func rows(_ suite: SuiteMatrix) -> [[String]] {
        let c = suite.current
        var rows = [
            [
                matrix.currentLabel, Format.accuracy(c.accuracy), "", "", "",
                c.meanScore.map { Format.fixed($0, 4) } ?? "-",
                Format.ms(c.p95LatencyMs), "", Format.usd(c.avgCostUSD), Format.usd(c.costPerCorrectUSD),
                c.avgTokens.map { Format.fixed($0, 0) } ?? "-", String(c.errors), suite.currentPareto ? "*" : "",
            ]
        ]
        for v in suite.candidates {
            let f = v.figures
            let delta = Self.points(v.accuracy.difference) + " " + Format.interval(v.accuracy.interval, Self.points)
            let p95 =
                v.latency.map {
                    Format.signedMs($0.difference) + " " + Format.interval($0.differenceInterval, Format.signedMs)
                } ?? "-"
            let score =
                f.meanScore.map { m in
                    Format.fixed(m, 4)
                        + (v.meanScore.map { " (p " + Format.pValue(Self.twoSided($0.pValue)) + ")" } ?? "")
                } ?? "-"
            rows.append([
                Self.safe(v.name), Format.accuracy(f.accuracy), delta, Format.pValue(v.adjustedPValue),
                Self.verdict(v.verdict), score, Format.ms(f.p95LatencyMs), p95,
                Format.usd(f.avgCostUSD), Format.usd(f.costPerCorrectUSD),
                f.avgTokens.map { Format.fixed($0, 0) } ?? "-",
                String(f.errors), v.pareto ? "*" : "",
            ])
        }
        return rows
    }

    /// The accuracy verdict `check` would give the variant against the current result as its
    /// baseline ("pass", "regression", "inconclusive"; "settled" when re-asks decided it).
    static func verdict(_ m: MetricComparison?) -> String {
        guard let m, m.verdict != .skipped else { return "-" }
        return m.verdict.rawValue + (m.settle.map { _ in " (settled)" } ?? "")
    }

    /// The sign-flip test is one-sided ("worse"); a comparison asks "different" either way.
    static func twoSided(_ p: Double) -> Double { min(1, 2 * min(p, 1 - p)) }

    /// "+2.5 pts": an accuracy difference in percentage points.
    static func points(_ d: Double) -> String {
        let v = (d * 1000).rounded() / 10
        return (v > 0 ? "+" : "") + String(cFormat: "%.1f", v == 0 ? 0 : v) + " pts"
    }

    /// The non-inferiority verdict in a sentence: "ft-mini is not worse than current by more
    /// than 2 points (p = 0.003) and 87% cheaper, 95% faster".
    static func sentence(_ v: CandidateComparison, current: CandidateFigures, label: String) -> String? {
        guard let n = v.nonInferiority else { return nil }
        let margin = Self.marginText(n.margin)
        guard n.holds else {
            return
                "\(safe(v.name)) is not shown to be within \(margin) of \(label) (p \(Format.pValueRelation(n.adjustedPValue)))"
        }
        var sentence =
            "\(safe(v.name)) is not worse than \(label) by more than \(margin) (p \(Format.pValueRelation(n.adjustedPValue)))"
        var trade: [String] = []
        if let a = current.avgCostUSD, let b = v.figures.avgCostUSD, a > 0 {
            trade.append(
                b <= a
                    ? "\(Int(((a - b) / a * 100).rounded()))% cheaper" : "\(Int(((b - a) / a * 100).rounded()))% dearer"
            )
        }
        if current.p95LatencyMs > 0 {
            let (a, b) = (current.p95LatencyMs, v.figures.p95LatencyMs)
            trade.append(
                b <= a
                    ? "\(Int(((a - b) / a * 100).rounded()))% faster" : "\(Int(((b - a) / a * 100).rounded()))% slower")
        }
        if !trade.isEmpty { sentence += " and " + trade.joined(separator: ", ") }
        return sentence
    }

    static func marginText(_ margin: Double) -> String {
        let points = margin * 100
        let text = points == points.rounded() ? String(Int(points)) : String(cFormat: "%.1f", points)
        return text + (text == "1" ? " point" : " points")
    }

    package func text() -> String {
        var out = ""
        for suite in matrix.suites {
            out += "suite \(Self.safe(suite.name)) (\(suite.current.cases) cases)\n"
            var table = TextTable(headers: Self.headers, rightAligned: [1, 3, 5, 6, 8, 9, 10, 11])
            table.rows = rows(suite)
            out += table.render()
            for v in suite.candidates {
                if let line = Self.sentence(v, current: suite.current, label: matrix.currentLabel) {
                    out += line + "\n"
                }
                let broke = v.flipped.filter { !$0.fixed }.count
                let fixed = v.flipped.count - broke
                if !v.flipped.isEmpty {
                    out += "  \(Self.safe(v.name)): \(broke) case(s) fail that pass now, \(fixed) pass that fail now\n"
                }
                for flip in v.flipped.prefix(Format.flipLimit) {
                    out +=
                        "    \(flip.fixed ? "fixed" : "broke") \(Self.safe(Format.clip(flip.id, 40))): \(Self.safe(Format.clip(flip.current, 50))) → \(Self.safe(Format.clip(flip.candidate, 50)))\n"
                }
                if v.flipped.count > Format.flipLimit {
                    out += "    … and \(v.flipped.count - Format.flipLimit) more\n"
                }
            }
            out += "\n"
        }
        out +=
            "Δ: candidate − \(matrix.currentLabel) over the cases both ran, Tango's score interval; p: exact McNemar, Holm across the candidates of a suite; check: the accuracy verdict check would give the candidate with the current result as baseline (settled as check settles); Δ p95: bootstrap interval; pareto: no configuration is at least as good on accuracy, p95 and cost and better on one.\n"
        return out
    }

    package func markdown() -> String {
        var out = "## evalguard compare\n\n"
        for suite in matrix.suites {
            out += "### \(Self.cell(suite.name)) (\(suite.current.cases) cases)\n\n"
            out +=
                "| " + Self.headers.joined(separator: " | ") + " |\n|"
                + String(repeating: " --- |", count: Self.headers.count) + "\n"
            for row in rows(suite) { out += "| " + row.map(Self.cell).joined(separator: " | ") + " |\n" }
            let sentences = suite.candidates.compactMap {
                Self.sentence($0, current: suite.current, label: matrix.currentLabel)
            }
            if !sentences.isEmpty {
                out += "\n" + sentences.map { "- " + Self.cell($0) }.joined(separator: "\n") + "\n"
            }
            out += "\n"
        }
        return out
    }

    package func json() -> JSONValue {
        func figures(_ f: CandidateFigures) -> [String: JSONValue] {
            [
                "cases": .number(Double(f.cases)), "accuracy": .number(f.accuracy),
                "mean_score": f.meanScore.map(JSONValue.number) ?? .null,
                "p95_latency_ms": .number(f.p95LatencyMs), "avg_cost_usd": f.avgCostUSD.map(JSONValue.number) ?? .null,
                "cost_per_correct_usd": f.costPerCorrectUSD.map(JSONValue.number) ?? .null,
                "avg_tokens": f.avgTokens.map(JSONValue.number) ?? .null, "errors": .number(Double(f.errors)),
            ]
        }
        func interval(_ i: ConfidenceInterval) -> JSONValue { .array([.number(i.lower), .number(i.upper)]) }
        let suites: [JSONValue] = matrix.suites.map { suite in
            var current = figures(suite.current)
            current["pareto"] = .bool(suite.currentPareto)
            let candidates: [JSONValue] = suite.candidates.map { v in
                var o = figures(v.figures)
                o["name"] = .string(v.name)
                o["pareto"] = .bool(v.pareto)
                o["accuracy_difference"] = .number(v.accuracy.difference)
                o["accuracy_difference_interval"] = interval(v.accuracy.interval)
                o["worse"] = .number(Double(v.accuracy.worse))
                o["better"] = .number(Double(v.accuracy.better))
                o["paired_cases"] = .number(Double(v.accuracy.cases))
                o["p_value"] = .number(v.pValue)
                o["p_value_holm"] = .number(v.adjustedPValue)
                o["check_verdict"] = v.verdict.map { .string($0.verdict.rawValue) } ?? .null
                o["settled"] =
                    v.verdict?.settle.map { s in
                        .object([
                            "cases": .number(Double(s.cases)), "extra_calls": .number(Double(s.extraCalls)),
                            "persisted_worse": .number(Double(s.persistedWorse)),
                            "persisted_better": .number(Double(s.persistedBetter)),
                        ])
                    } ?? .null
                o["mean_score_p_value"] = v.meanScore.map { .number($0.pValue) } ?? .null
                o["p95_latency_difference_ms"] = v.latency.map { .number($0.difference) } ?? .null
                o["p95_latency_difference_interval"] = v.latency.map { interval($0.differenceInterval) } ?? .null
                o["non_inferiority"] =
                    v.nonInferiority.map { n in
                        .object([
                            "margin": .number(n.margin), "p_value": .number(n.pValue),
                            "p_value_holm": .number(n.adjustedPValue),
                            "holds": .bool(n.holds),
                            "sentence": Self.sentence(v, current: suite.current, label: matrix.currentLabel).map(
                                JSONValue.string) ?? .null,
                        ])
                    } ?? .null
                o["flipped"] = .array(
                    v.flipped.map { f in
                        .object([
                            "id": .string(f.id), "direction": .string(f.fixed ? "fixed" : "broke"),
                            "current": f.current.map(JSONValue.string) ?? .null,
                            "candidate": f.candidate.map(JSONValue.string) ?? .null,
                        ])
                    })
                return .object(o)
            }
            return .object(["name": .string(suite.name), "current": .object(current), "candidates": .array(candidates)])
        }
        return .object([
            "against": .string(matrix.currentLabel), "alpha": .number(matrix.alpha),
            "margin": matrix.margin.map(JSONValue.number) ?? .null, "suites": .array(suites),
        ])
    }

    package static func safe(_ s: String) -> String { Format.safe(s) }

    static func cell(_ s: String) -> String {
        safe(s).replacingText("|", with: "\\|").replacingText("<", with: "&lt;")
    }
}
