import EvalGuardCompare
import EvalGuardConfig
import EvalGuardStatistics
import EvalGuardSupport
import FoundationEssentials

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Number formatting shared by every report, so the same figure reads the same everywhere.
package enum Format {
    /// Up to `digits` decimals, trailing zeros dropped: 0.01, 20, 0.8917.
    /// A threshold as the configuration words it: "max drop 0.05", "+10% and +20 ms".
    package static func threshold(_ rule: ThresholdRule?) -> String {
        switch rule {
        case nil: "off"
        case .maxDrop(let d)?: "max drop \(number(d))"
        case .maxIncrease(let p, let m, let unit)?: "+\(number(p))%" + (m > 0 ? " and +\(number(m)) \(unit)" : "")
        }
    }

    package static func number(_ value: Double, digits: Int = 4) -> String {
        var s = fixed(value, digits)
        if s.contains(".") {
            while s.hasSuffix("0") { s.removeLast() }
            if s.hasSuffix(".") { s.removeLast() }
        }
        return s == "-0" ? "0" : s
    }

    package static func accuracy(_ v: Double) -> String { fixed(v, 4) }
    package static func ms(_ v: Double) -> String { v >= 100 ? fixed(v, 0) : fixed(v, 2) }
    package static func usd(_ v: Double?) -> String {
        guard let v else { return "-" }
        return v == 0 ? "0" : v < 0.01 ? fixed(v, 6) : fixed(v, 4)
    }

    /// `v` with `digits` decimals, as `String(format: "%.<digits>f")` printed it, through the C
    /// library directly: Foundation's formatting was a tenth of `log`'s time over long histories.
    package static func fixed(_ v: Double, _ digits: Int) -> String {
        var buffer = [CChar](repeating: 0, count: 64) // longer (huge values) takes String(cFormat:)
        let count = withVaList([Int32(digits), v]) { vsnprintf(&buffer, buffer.count, "%.*f", $0) }
        guard count > 0, Int(count) < buffer.count else { return String(cFormat: "%.\(digits)f", v) }
        return String(decoding: buffer[..<Int(count)].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    package static func value(_ v: Double?, of metric: GatedMetric) -> String {
        guard let v else { return "-" }
        switch metric {
        case .accuracy, .meanScore: return accuracy(v)
        case .p95LatencyMs: return ms(v)
        case .avgCostUSD: return usd(v)
        case .avgSteps: return number(v, digits: 2)
        }
    }

    /// The change in the metric's own terms: points of accuracy, percent for latency and cost.
    package static func delta(_ m: MetricComparison) -> String {
        guard let b = m.baseline, let c = m.current else { return "-" }
        switch m.metric {
        case .accuracy, .meanScore:
            return signedPoints(from: b, to: c)
        case .p95LatencyMs, .avgCostUSD, .avgSteps:
            return signedPercent(from: b, to: c)
        }
    }
}

/// A plain text table with aligned columns; numbers right-aligned.
package struct TextTable {
    package var headers: [String]
    package var rows: [[String]] = []
    /// Columns aligned right (by index).
    package var rightAligned: Set<Int>

    package init(headers: [String], rightAligned: Set<Int>) {
        self.headers = headers
        self.rightAligned = rightAligned
    }

    package func render() -> String {
        var widths = headers.map(\.count)
        for row in rows {
            for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, cell in
                let pad = String(repeating: " ", count: widths[i] - cell.count)
                return rightAligned.contains(i) ? pad + cell : cell + pad
            }.joined(separator: "  ").trailingSpaceTrimmed
        }
        return ([line(headers)] + rows.map(line)).joined(separator: "\n") + "\n"
    }
}

extension String {
    /// Without trailing white space (a regular expression per line cost `log` more than reading
    /// the results it shows).
    fileprivate var trailingSpaceTrimmed: String {
        var end = unicodeScalars.endIndex
        while end > unicodeScalars.startIndex {
            let before = unicodeScalars.index(before: end)
            guard unicodeScalars[before].properties.isWhitespace else { break }
            end = before
        }
        return String(unicodeScalars[..<end])
    }
}

extension Format {
    /// How many flipped cases a text report lists before "… and N more".
    package static let flipLimit = 10

    /// "2025-03-14 09:26:53" in UTC; by hand, since making a date formatter per line cost
    /// `log` more than reading the results.
    package static func date(_ d: Date, time: Bool = true) -> String {
        var seconds = time_t(d.timeIntervalSince1970)
        var t = tm()
        gmtime_r(&seconds, &t)
        func digits(_ n: Int32, _ width: Int) -> String {
            let s = String(n)
            return s.count < width ? String(repeating: "0", count: width - s.count) + s : s
        }
        let day = digits(t.tm_year + 1900, 4) + "-" + digits(t.tm_mon + 1, 2) + "-" + digits(t.tm_mday, 2)
        return time ? day + " " + digits(t.tm_hour, 2) + ":" + digits(t.tm_min, 2) + ":" + digits(t.tm_sec, 2) : day
    }

    /// Text from a file, a configuration or a model, safe on a terminal: control characters (an
    /// escape sequence's ESC among them) are replaced.
    package static func safe(_ s: String) -> String {
        String(
            String.UnicodeScalarView(
                s.unicodeScalars.map { c in
                    (c.value < 0x20 && c != "\t") || (0x7F...0x9F).contains(c.value) ? "\u{FFFD}" : c
                }))
    }

    package static func clip(_ s: String?, _ limit: Int = 60) -> String {
        guard let s else { return "-" }
        let line = oneLine(s)
        return line.count > limit ? String(line.prefix(limit - 1)) + "…" : line
    }

    /// `s` shortened to `limit` characters where it differs from `other` (an output beside its
    /// expected answer, or the other way round): when the first difference lies past the first
    /// half of what fits, a window from a little before it, with "…" on each side that is cut.
    /// Both texts clipped against each other are cut at the same place.
    package static func clip(_ s: String?, _ limit: Int, against other: String?) -> String {
        guard let s, let other else { return clip(s, limit) }
        let line = Array(oneLine(s))
        let base = Array(oneLine(other))
        guard line.count > limit else { return String(line) }
        var first = 0
        while first < line.count, first < base.count, line[first] == base[first] { first += 1 }
        guard first > limit / 2 else { return clip(s, limit) }
        let start = first - limit / 4
        if line.count - start <= limit - 1 { return "…" + String(line[start...]) }
        return "…" + String(line[start..<start + limit - 2]) + "…"
    }

    private static func oneLine(_ s: String) -> String {
        s.utf8.contains(0x0A) ? s.replacingText("\n", with: "⏎") : s
    }

    /// A scorer's reason as worth showing: nil when it says nothing (empty or white space), so
    /// no report prints "because" with nothing after it.
    package static func reason(_ r: String?) -> String? {
        guard let r, r.contains(where: { !$0.isWhitespace }) else { return nil }
        return r
    }

    /// A signed change of accuracy, to four decimals ("-0.0833"; never "-0.0000").
    package static func signedPoints(from x: Double, to y: Double) -> String {
        let d = ((y - x) * 10_000).rounded() / 10_000
        return (d >= 0 ? "+" : "") + String(cFormat: "%.4f", d == 0 ? 0 : d)
    }

    /// A signed percent change from `x` to `y`, to one decimal ("+12.5%"; never "-0.0%"), "new"
    /// when there was nothing before.
    package static func signedPercent(from x: Double, to y: Double) -> String {
        if x == 0 { return y == 0 ? "0%" : "new" }
        let pct = ((y - x) / x * 1000).rounded() / 10
        return (pct >= 0 ? "+" : "") + String(cFormat: "%.1f%%", pct == 0 ? 0 : pct)
    }

    /// A p-value with three significant digits; tiny ones as "< 0.0001".
    package static func pValue(_ p: Double) -> String {
        p < 0.0001 ? "< 0.0001" : p >= 0.9995 ? "1" : String(cFormat: "%.3g", p)
    }

    /// "= 0.0312" or "< 0.0001", to follow a "p".
    package static func pValueRelation(_ p: Double) -> String {
        let text = pValue(p)
        return text.hasPrefix("<") ? text : "= " + text
    }

    /// A pass rate as a fraction with two decimals: 0.67.
    package static func rate(_ r: Double) -> String { String(cFormat: "%.2f", r) }

    /// A signed latency change; one that rounds to zero reads "0.00", never "-0.00".
    package static func signedMs(_ v: Double) -> String {
        let digits = ms(abs(v))
        return digits.allSatisfy { $0 == "0" || $0 == "." } ? digits : (v >= 0 ? "+" : "-") + digits
    }

    package static func interval(_ i: ConfidenceInterval, _ format: (Double) -> String) -> String {
        "[\(format(i.lower)), \(format(i.upper))]"
    }

    /// The table's evidence column: the accuracy test's p-value, the latency change's interval.
    package static func evidence(_ m: MetricComparison) -> String {
        guard let s = m.statistics else { return m.warnings.isEmpty ? "-" : "prices changed" }
        switch m.metric {
        case .accuracy, .meanScore:
            let holm = s.adjustedPValue.map { ", Holm " + pValueRelation($0) } ?? ""
            // A settled verdict: the first run's p, then the settled test's.
            let settled = m.settle.map { ", settled p " + pValueRelation($0.pValue) } ?? ""
            return s.pValue.map { "p " + pValueRelation($0) + holm + settled } ?? "-"
        case .p95LatencyMs:
            guard let conf = s.intervalConfidence else { return "-" }
            let level = number(conf * 100, digits: 1) + "% CI "
            if let r = s.ratioInterval {
                return level + signedPercent(from: 1, to: r.lower) + "…" + signedPercent(from: 1, to: r.upper)
            }
            return s.differenceInterval.map { level + signedMs($0.lower) + "…" + signedMs($0.upper) + " ms" } ?? "-"
        case .avgCostUSD, .avgSteps:
            return "-"
        }
    }
}
