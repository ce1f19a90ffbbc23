import EvalGuardConfig
import EvalGuardHistory
import EvalGuardSupport
import FoundationEssentials

/// How `evalguard log` prints: one line per commit, newest first, then a sparkline per metric
/// over the range, oldest to newest, as a terminal can show it.
package struct LogReport {
    package var entries: [LogEntry]
    package var suite: String?

    package init(entries: [LogEntry], suite: String?) {
        self.entries = entries
        self.suite = suite
    }

    static func day(_ d: Date) -> String { Format.date(d, time: false) }

    package func text() -> String {
        guard !entries.isEmpty else {
            return "No stored results on this history: evaluate commits with 'evalguard run' or 'evalguard blame'.\n"
        }
        var table = TextTable(
            headers: ["commit", "date", "subject", "accuracy", "p95 ms", "avg cost $", ""], rightAligned: [3, 4, 5])
        for e in entries {
            let m = e.summary.metrics(suite)
            var marks: [String] = []
            if e.baselineChanged { marks.append("◆ baseline") }
            if e.shared {
                marks.append("= \(e.summary.commit.prefix(7))" + (e.summary.dirty ? " + uncommitted changes" : ""))
            }
            table.rows.append([
                e.commit.shortSHA, Self.day(e.commit.date), Format.clip(e.commit.subject, 48),
                m.map { Format.accuracy($0.accuracy) } ?? "-", m.map { Format.ms($0.p95LatencyMs) } ?? "-",
                Format.usd(m?.avgCostUSD), marks.joined(separator: "  "),
            ])
        }
        var out = table.render() + "\n"
        let oldestFirst = entries.reversed().map { $0.summary.metrics(suite) }
        for metric in GatedMetric.allCases {
            let values = oldestFirst.map { $0?.value(of: metric) }
            let known = values.compactMap { $0 }
            guard let low = known.min(), let high = known.max() else { continue }
            out +=
                metric.rawValue.padded(to: 15) + Sparkline.render(values)
                + "  \(Format.value(low, of: metric))–\(Format.value(high, of: metric))\n"
        }
        out +=
            "(\(entries.count) commit(s) with a result; ◆ marks a baseline change, = a result shared by evaluation key)\n"
        return out
    }

    package func json() -> JSONValue {
        .array(
            entries.map { e in
                let m = e.summary.metrics(suite)
                func number(_ v: Double?) -> JSONValue { v.map(JSONValue.number) ?? .null }
                return .object([
                    "commit": .string(e.commit.sha), "date": .string(Format.date(e.commit.date)),
                    "subject": .string(e.commit.subject),
                    "accuracy": number(m?.accuracy), "p95_latency_ms": number(m?.p95LatencyMs),
                    "avg_cost_usd": number(m?.avgCostUSD),
                    "baseline_changed": .bool(e.baselineChanged), "result_commit": .string(e.summary.commit),
                ])
            })
    }
}
