import EvalGuardCompare
import EvalGuardStatistics
import EvalGuardSupport
import FoundationEssentials

/// `evalguard compare --html FILE`: the report's page (its style, its Content-Security-Policy,
/// no script) with, per suite, the table, a scatter of accuracy against average cost with each
/// accuracy's Wilson interval, the p95 latencies beside it with their bootstrap intervals, and
/// the flipped cases per candidate side by side. Every name and answer goes through `HTML`.
package struct CompareHTML {
    package var matrix: CandidateMatrix
    package var subject: String

    package init(_ matrix: CandidateMatrix, subject: String) {
        self.matrix = matrix
        self.subject = subject
    }

    package func render() -> String {
        let report = CompareReport(matrix)
        var body = HTML.element("h1", text: "evalguard compare") + HTML.element("p", [("class", "sub")], text: subject)
        for suite in matrix.suites {
            body += HTML.element("h2", text: "Suite \(suite.name) (\(suite.current.cases) cases)")
            body +=
                "<table class=\"compare\"><thead><tr>"
                + CompareReport.headers.map { HTML.element("th", text: $0) }.joined() + "</tr></thead><tbody>"
            for (i, row) in report.rows(suite).enumerated() {
                let pareto = i == 0 ? suite.currentPareto : suite.candidates[i - 1].pareto
                body +=
                    "<tr\(pareto ? " class=\"pareto\"" : "")>"
                    + row.enumerated().map { j, cell in
                        HTML.element("td", j == 0 ? [] : [("class", "num")], text: cell)
                    }.joined() + "</tr>"
            }
            body += "</tbody></table>"
            let sentences = suite.candidates.compactMap { v in
                CompareReport.sentence(v, current: suite.current, label: matrix.currentLabel).map {
                    (v.nonInferiority?.holds ?? false, $0)
                }
            }
            if !sentences.isEmpty {
                body +=
                    "<ul class=\"notes\">"
                    + sentences.map { holds, text in
                        HTML.element("li", [("class", holds ? "v-pass" : "v-inconclusive")], text: text)
                    }.joined() + "</ul>"
            }
            body += "<div class=\"charts\">" + scatter(suite) + latencies(suite) + "</div>"
            body += flips(suite)
        }
        body += HTML.element(
            "footer",
            text:
                "Δ accuracy: candidate − \(matrix.currentLabel) over the cases both ran (Tango's score interval); p: exact McNemar, Holm across a suite's candidates; Δ p95: bootstrap interval; a highlighted row is on the Pareto front over accuracy, p95 and cost."
        )
        return HTMLPage(title: "evalguard compare", body: body, extraStyle: Self.style).render()
    }

    static let style = """
        tr.pareto td:first-child{font-weight:700}tr.pareto td:first-child::after{content:" ★";color:var(--good)}
        svg .ci{stroke:var(--accent);stroke-width:1.5}svg .cur{fill:var(--warn)}
        .sides.two{grid-template-columns:repeat(2,minmax(0,1fr))}

        """

    struct Point {
        var label: String
        var x: Double
        var y: Double
        var low: Double
        var high: Double
        var current: Bool
    }

    /// Accuracy (with its Wilson interval) against average cost; without prices, against p95.
    func scatter(_ suite: SuiteMatrix) -> String {
        let all = [(matrix.currentLabel, suite.current, true)] + suite.candidates.map { ($0.name, $0.figures, false) }
        let priced = all.allSatisfy { $0.1.avgCostUSD != nil }
        let points = all.map { label, f, current in
            let i = Wilson.interval(proportion: min(1, max(0, f.accuracy)), n: f.cases)
            // Per 1,000 cases: a case's cost is often a fraction of a cent, unreadable on an axis.
            let x = priced ? f.avgCostUSD.map { $0 * 1000 } ?? 0 : f.p95LatencyMs
            return Point(label: label, x: x, y: f.accuracy, low: i.lower, high: i.upper, current: current)
        }
        let caption =
            priced
            ? "Accuracy (95% Wilson interval) against cost, USD per 1,000 cases"
            : "Accuracy (95% Wilson interval) against p95 latency (ms): no prices"
        // The axis starts a little below the lowest interval, in steps of 0.05, so close accuracies stay apart.
        let floor = max(0, ((points.map(\.low).min() ?? 0) - 0.02) * 20).rounded(.down) / 20
        return chart(
            caption: caption, points: points, yRange: (floor, 1),
            xFormat: priced ? { String(cFormat: "%.3g", $0) } : { Format.ms($0) },
            yFormat: { String(cFormat: "%.2f", $0) },
            pointTitle: { p in
                "\(p.label): accuracy \(Format.accuracy(p.y)) [\(Format.accuracy(p.low)), \(Format.accuracy(p.high))], "
                    + (priced ? "$\(String(cFormat: "%.4g", p.x)) per 1,000 cases" : "p95 \(Format.ms(p.x)) ms")
            })
    }

    /// p95 latency per configuration, each candidate's with the bootstrap interval of its
    /// difference from the current one (placed around the current p95).
    func latencies(_ suite: SuiteMatrix) -> String {
        var points = [
            Point(
                label: matrix.currentLabel, x: 0, y: suite.current.p95LatencyMs, low: suite.current.p95LatencyMs,
                high: suite.current.p95LatencyMs, current: true)
        ]
        for (i, v) in suite.candidates.enumerated() {
            let base = suite.current.p95LatencyMs
            let ci =
                v.latency?.differenceInterval
                ?? ConfidenceInterval(lower: v.figures.p95LatencyMs - base, upper: v.figures.p95LatencyMs - base)
            points.append(
                Point(
                    label: v.name, x: Double(i + 1), y: v.figures.p95LatencyMs, low: max(0, base + ci.lower),
                    high: base + ci.upper, current: false))
        }
        let top = max(1, points.map(\.high).max() ?? 1) * 1.1
        return chart(
            caption: "p95 latency (ms) with its 95% bootstrap interval", points: points, yRange: (0, top),
            xFormat: { i in Int(i) < points.count && Int(i) >= 0 ? points[Int(i)].label : "" },
            yFormat: { Format.ms($0) },
            pointTitle: { "\($0.label): p95 \(Format.ms($0.y)) ms [\(Format.ms($0.low)), \(Format.ms($0.high))]" },
            categorical: true)
    }

    func chart(
        caption: String, points: [Point], yRange: (Double, Double), xFormat: (Double) -> String,
        yFormat: (Double) -> String,
        pointTitle: (Point) -> String, categorical: Bool = false
    ) -> String {
        let (w, h, left, bottom, top, right) = (460.0, 260.0, 56.0, 36.0, 12.0, 16.0)
        let xs = points.map(\.x)
        var (x0, x1) =
            categorical ? (-0.5, Double(points.count) - 0.5) : (min(0, xs.min() ?? 0), max(xs.max() ?? 1, 1e-9) * 1.15)
        if x1 <= x0 { x1 = x0 + 1 }
        if !categorical { x0 = 0 }
        func px(_ x: Double) -> Double { left + (x - x0) / (x1 - x0) * (w - left - right) }
        func py(_ y: Double) -> Double {
            top + (1 - (y - yRange.0) / max(1e-12, yRange.1 - yRange.0)) * (h - top - bottom)
        }
        func n(_ v: Double) -> String { String(cFormat: "%.1f", v) }
        var svg =
            "<svg class=\"chart\" viewBox=\"0 0 \(Int(w)) \(Int(h))\" role=\"img\" aria-label=\"\(HTML.escape(caption))\">"
        svg +=
            "<line class=\"axis\" x1=\"\(n(left))\" y1=\"\(n(h - bottom))\" x2=\"\(n(w - right))\" y2=\"\(n(h - bottom))\"/>"
        svg += "<line class=\"axis\" x1=\"\(n(left))\" y1=\"\(n(top))\" x2=\"\(n(left))\" y2=\"\(n(h - bottom))\"/>"
        for k in 0...4 {
            let y = yRange.0 + Double(k) / 4 * (yRange.1 - yRange.0)
            svg +=
                "<line class=\"grid\" x1=\"\(n(left))\" y1=\"\(n(py(y)))\" x2=\"\(n(w - right))\" y2=\"\(n(py(y)))\"/>"
            svg +=
                "<text x=\"\(n(left - 6))\" y=\"\(n(py(y) + 4))\" text-anchor=\"end\">\(HTML.escape(yFormat(y)))</text>"
        }
        if categorical {
            for (i, p) in points.enumerated() {
                svg +=
                    "<text x=\"\(n(px(Double(i))))\" y=\"\(n(h - bottom + 16))\" text-anchor=\"middle\">\(HTML.escape(Format.clip(p.label, 18)))</text>"
            }
        } else {
            for k in 0...4 {
                let x = x0 + Double(k) / 4 * (x1 - x0)
                svg +=
                    "<text x=\"\(n(px(x)))\" y=\"\(n(h - bottom + 16))\" text-anchor=\"middle\">\(HTML.escape(xFormat(x)))</text>"
            }
        }
        for p in points {
            let x = px(p.x)
            svg += "<g class=\"cand\"><title>\(HTML.escape(pointTitle(p)))</title>"
            svg += "<line class=\"ci\" x1=\"\(n(x))\" y1=\"\(n(py(p.low)))\" x2=\"\(n(x))\" y2=\"\(n(py(p.high)))\"/>"
            svg += "<circle class=\"pt\(p.current ? " cur" : "")\" cx=\"\(n(x))\" cy=\"\(n(py(p.y)))\" r=\"5\"/>"
            if !categorical {
                svg += "<text x=\"\(n(x + 8))\" y=\"\(n(py(p.y) - 6))\">\(HTML.escape(Format.clip(p.label, 24)))</text>"
            }
            svg += "</g>"
        }
        svg += "</svg>"
        return "<figure>" + HTML.element("figcaption", text: caption) + svg + "</figure>"
    }

    /// Per candidate, the cases it answers otherwise, the current answer beside its own.
    func flips(_ suite: SuiteMatrix) -> String {
        var out = ""
        for v in suite.candidates where !v.flipped.isEmpty {
            out += HTML.element(
                "h3", text: "\(v.name): \(v.flipped.count) case(s) flipped against \(matrix.currentLabel)")
            for flip in v.flipped.prefix(200) {
                out += "<div class=\"flip \(flip.fixed ? "fixed" : "broke")\"><header>"
                out +=
                    HTML.element("span", [("class", "dir")], text: flip.fixed ? "fixed" : "broke")
                    + HTML.element("code", text: flip.id)
                out += "</header><div class=\"sides two\"><div>" + HTML.element("h4", text: matrix.currentLabel)
                out +=
                    flip.current.map { HTML.folded($0) } ?? HTML.element("span", [("class", "none")], text: "no answer")
                out += "</div><div>" + HTML.element("h4", text: v.name)
                out +=
                    flip.candidate.map { HTML.folded($0) }
                    ?? HTML.element("span", [("class", "none")], text: "no answer")
                out += "</div></div></div>"
            }
            if v.flipped.count > 200 {
                out += HTML.element("p", [("class", "more")], text: "… and \(v.flipped.count - 200) more")
            }
        }
        return out
    }
}
