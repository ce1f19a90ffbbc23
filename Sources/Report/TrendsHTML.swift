import EvalGuardStatistics
import EvalGuardStore
import FoundationEssentials

/// A figure the history charts draw per suite. The list is the one place to add a figure: a
/// mean-score chart, once results carry a mean score and a suite gates it, is one more entry.
package struct TrendMetric: Sendable {
    package var name: String
    package var format: @Sendable (Double) -> String
    package var value: @Sendable (Metrics) -> Double?
    /// The band drawn around the value (accuracy's 95% Wilson interval).
    package var band: (@Sendable (Metrics) -> ConfidenceInterval)?
    package var clamp: ClosedRange<Double>?

    package static let accuracy = TrendMetric(
        name: "accuracy", format: { Format.number($0, digits: 3) }, value: { $0.accuracy },
        band: { Wilson.interval(proportion: min(1, max(0, $0.accuracy)), n: $0.cases) }, clamp: 0...1)
    package static let p95Latency = TrendMetric(
        name: "p95 latency (ms)", format: { Format.number($0, digits: 2) },
        value: { $0.cases > 0 ? $0.p95LatencyMs : nil })
    package static let costPerCase = TrendMetric(
        name: "cost per case (USD)", format: { Format.usd($0) }, value: { $0.avgCostUSD })

    /// Drawn in this order; a figure no point has (cost from a model that reports none) is left out.
    package static let all: [TrendMetric] = [accuracy, p95Latency, costPerCase]
}

/// The history section: per suite, one chart per figure over first-parent history.
package enum TrendsHTML {
    /// Short shas under the x axis: this many, evenly spread, ends included.
    static let xLabelCount = 5

    package static func section(_ history: ReportHistory, suites: [String]) -> String {
        var out = "<section id=\"history\"><h2>History</h2>"
        guard let first = history.points.first, let last = history.points.last else {
            return out
                + "<p class=\"none\">No stored results on this history: evaluate commits with evalguard run, or run evalguard blame.</p></section>"
        }
        out +=
            "<p class=\"legend\">\(history.points.count) commit(s) with a stored result along first-parent history, "
            + "\(HTML.escape(first.label)) to \(HTML.escape(last.label)), oldest on the left. Dashed lines: the baseline changed; "
            + "ringed: the current run; band: the 95% Wilson interval of accuracy. Hover a point for its commit and value.</p>"
        for suite in suites {
            out += "<h3>" + HTML.escape(suite) + "</h3>"
            let charts = TrendMetric.all.compactMap { chart($0, suite: suite, history: history) }
            out +=
                charts.isEmpty
                ? "<p class=\"none\">No stored results of this suite in the range.</p>"
                : "<div class=\"charts\">" + charts.joined() + "</div>"
        }
        return out + "</section>"
    }

    static func chart(_ metric: TrendMetric, suite: String, history: ReportHistory) -> String? {
        var points: [SVGChart.Point] = []
        for (i, p) in history.points.enumerated() {
            guard let m = p.suites[suite], let v = metric.value(m), v.isFinite else { continue }
            let band = metric.band?(m)
            // One line per commit: markers of a long history list several commits, one per line.
            var title =
                "\(p.label) \(p.date.map { Format.date($0, time: false) } ?? "") \(Format.clip(p.subject, 50)) — "
                + "\(metric.name) \(metric.format(v))"
            if let band {
                title += " (95% Wilson \(metric.format(band.lower))–\(metric.format(band.upper)), \(m.cases) cases)"
            }
            if i == history.current { title += ", the current run" }
            points.append(SVGChart.Point(index: i, value: v, low: band?.lower, high: band?.upper, title: title))
        }
        guard !points.isEmpty else { return nil }
        var chart = SVGChart(
            title: "\(suite): \(metric.name)", points: points, count: history.points.count, clamp: metric.clamp)
        chart.current = history.current
        chart.marks = history.points.enumerated().filter { $0.element.baselineChanged }
            .map { ($0.offset, "baseline changed at \($0.element.label) \(Format.clip($0.element.subject, 50))") }
        let n = history.points.count
        let indices = n <= xLabelCount ? Array(0..<n) : (0..<xLabelCount).map { $0 * (n - 1) / (xLabelCount - 1) }
        chart.xLabels = indices.map { ($0, history.points[$0].label) }
        return "<figure><figcaption>" + HTML.escape(metric.name) + "</figcaption>" + chart.render() + "</figure>"
    }
}
