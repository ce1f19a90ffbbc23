import EvalGuardCompare
import FoundationEssentials

/// `evalguard report` (and `ci --html`): one self-contained page with the verdict table of
/// `check`, the history of every suite as charts, and the cases that flipped, side by side.
/// The figures and words come from `VerdictReport`, so the page and the terminal never disagree.
package struct HTMLReport {
    package var verdict: VerdictReport
    package var history: ReportHistory
    package var flips: [ReportFlip]
    package var generatedAt: Date
    /// Names the program in the footer ("evalguard 0.1.0"); set by the command.
    package var generator = "evalguard"

    package init(verdict: VerdictReport, history: ReportHistory, flips: [ReportFlip], generatedAt: Date = Date()) {
        self.verdict = verdict
        self.history = history
        self.flips = flips
        self.generatedAt = generatedAt
    }

    /// A verdict as a symbol and a word, so that regression and inconclusive differ without colour.
    package static func verdictLabel(_ v: Verdict) -> String {
        switch v {
        case .regression: "✗ REGRESSION"
        case .inconclusive: "? INCONCLUSIVE"
        case .pass: "✓ pass"
        case .skipped: "– skipped"
        }
    }

    package func render() -> String {
        let comparison = verdict.comparison
        let suites = comparison.suites.map(\.name)
        var flipsSection = FlipsHTML(flips: flips, suites: suites)
        flipsSection.moreHint = "evalguard check --format json lists them all"
        var body = "<header><h1>evalguard report</h1>"
        body += "<p class=\"sub\">" + HTML.escape("\(verdict.subject) against \(verdict.baselineLabel)") + "</p>"
        let overall = comparison.verdict == .skipped ? Verdict.pass : comparison.verdict
        body +=
            "<div class=\"banner v-\(overall.rawValue)\" id=\"verdict\"><strong>\(Self.verdictLabel(overall))</strong>"
        body += verdict.verdictLines().map { "<div>" + HTML.escape($0) + "</div>" }.joined() + "</div></header>"
        body +=
            "<nav class=\"sub\"><a href=\"#table\">verdict table</a> · <a href=\"#history\">history</a> · <a href=\"#flipped\">flipped cases</a></nav>"
        body += table()
        body += TrendsHTML.section(history, suites: suites)
        body += flipsSection.section()
        body +=
            "<footer>\(HTML.escape(generator)) · generated \(Format.date(generatedAt)) UTC · "
            + "current result of \(HTML.escape(String(verdict.current.commit.prefix(7))))\(verdict.current.dirty ? " + uncommitted changes" : "")</footer>"
        return HTMLPage(title: "evalguard: \(Self.verdictLabel(overall))", body: body, extraStyle: flipsSection.style)
            .render()
    }

    /// The verdict table: the same rows as `check`, one per suite and metric, then the evidence.
    func table() -> String {
        let comparison = verdict.comparison
        var out = "<section id=\"table\"><h2>Verdict</h2><table><thead><tr>"
        let headers = VerdictReport.headers
        out += headers.map { "<th>" + HTML.escape($0) + "</th>" }.joined() + "</tr></thead><tbody>"
        let metrics = comparison.suites.flatMap { s in s.metrics.map { (s.name, $0) } }
        for (row, (_, m)) in zip(verdict.rows(), metrics) {
            out += "<tr class=\"\(m.verdict.rawValue)\">"
            for (i, cell) in row.enumerated() {
                if i == row.count - 1 {
                    out +=
                        "<td class=\"verdict v-\(m.verdict.rawValue)\">" + Self.verdictLabel(m.verdict)
                        + (m.note.map { " <span class=\"sub\">(" + HTML.escape($0) + ")</span>" } ?? "") + "</td>"
                } else {
                    out += (2...4).contains(i) ? "<td class=\"num\">" : "<td>"
                    out += HTML.escape(cell) + "</td>"
                }
            }
            out += "</tr>"
        }
        out += "</tbody></table>"
        var notes: [String] = []
        for suite in comparison.suites {
            if let note = suite.note { notes.append("\(suite.name): \(note)") }
            for line in suite.metrics.flatMap({ verdict.details($0) }) {
                notes.append(line.hasPrefix(" ") ? line.trimmingWhitespace() : "\(suite.name) \(line)")
            }
            if !suite.flaky.isEmpty { notes.append(verdict.flakyHeadline(suite)) }
        }
        notes += (verdict.audit?.lines ?? []).map { $0.trimmingWhitespace() }
        if !notes.isEmpty {
            out += "<ul class=\"notes\">" + notes.map { "<li>" + HTML.escape($0) + "</li>" }.joined() + "</ul>"
        }
        return out + "</section>"
    }
}
