/// The flipped cases, side by side: input, expected, the baseline's answer and the current one,
/// a word diff between the answers, and the judge's reason where a judge scored them.
///
/// Filtering by suite and direction needs no script: radio inputs precede the list, and
/// generated rules hide the cases a checked input excludes. The rules name suites by their index
/// (`s0`, `s1`, …), never by their (untrusted) names, so nothing untrusted reaches the style sheet.
package struct FlipsHTML {
    package var flips: [ReportFlip]
    /// Suites in the order the filters list them.
    package var suites: [String]
    /// Cases shown per suite and direction; the rest are counted ("… and 40 more").
    package var limit: Int = 200
    /// Says where the full list is, after "… and N more".
    package var moreHint = "evalguard check --format json lists them all"
    package var title = "Flipped cases"

    package init(flips: [ReportFlip], suites: [String]) {
        self.flips = flips
        self.suites = suites
    }

    /// Style rules for the filters; depends only on how many suites there are.
    package var style: String {
        var css = "#fd-broke:checked~.flips .flip:not(.broke),#fd-fixed:checked~.flips .flip:not(.fixed){display:none}"
        css += "#fd-broke:checked~.flips .more:not(.broke),#fd-fixed:checked~.flips .more:not(.fixed){display:none}"
        for i in suites.indices {
            css += "#fs-\(i):checked~.flips .flip:not(.s\(i)),#fs-\(i):checked~.flips .more:not(.s\(i)){display:none}"
        }
        for id in ["fs-all", "fd-all", "fd-broke", "fd-fixed"] + suites.indices.map({ "fs-\($0)" }) {
            css +=
                "#\(id):checked~.filters label[for=\(id)]{background:var(--accent);color:#fff;border-color:var(--accent)}"
            css += "#\(id):focus-visible~.filters label[for=\(id)]{outline:2px solid var(--accent);outline-offset:1px}"
        }
        return css + "\n"
    }

    package func section() -> String {
        var out = "<section id=\"flipped\"><h2>\(HTML.escape(title))</h2>"
        guard !flips.isEmpty else { return out + "<p class=\"none\">No case changed its outcome.</p></section>" }
        let broke = flips.filter { $0.direction == .broke }.count
        out += "<p class=\"sub\">\(broke) case(s) broke (pass → fail), \(flips.count - broke) fixed (fail → pass).</p>"
        // The inputs are siblings before the list, as the `~` rules need; their labels sit in the rows.
        let suiteIDs = ["fs-all"] + suites.indices.map { "fs-\($0)" }
        let directionIDs = ["fd-all", "fd-broke", "fd-fixed"]
        for id in suiteIDs {
            out +=
                "<input class=\"filter\" type=\"radio\" name=\"suite\" id=\"\(id)\"\(id == "fs-all" ? " checked" : "")>"
        }
        for id in directionIDs {
            out +=
                "<input class=\"filter\" type=\"radio\" name=\"direction\" id=\"\(id)\"\(id == "fd-all" ? " checked" : "")>"
        }
        out += "<div class=\"filters\">suite: " + zip(suiteIDs, ["all suites"] + suites).map(label).joined() + "</div>"
        out +=
            "<div class=\"filters\">direction: "
            + zip(directionIDs, ["both", "✗ broke (pass → fail)", "✓ fixed (fail → pass)"]).map(label).joined()
            + "</div>"
        out += "<div class=\"flips\">"
        for (i, suite) in suites.enumerated() {
            for direction in [ReportFlip.Direction.broke, .fixed] {
                let group = flips.filter { $0.flip.suite == suite && $0.direction == direction }
                for f in group.prefix(limit) { out += article(f, suiteIndex: i) }
                if group.count > limit {
                    out +=
                        "<p class=\"more s\(i) \(direction.rawValue)\">… and \(group.count - limit) more \(direction.rawValue) in "
                        + "\(HTML.escape(suite)) (\(HTML.escape(moreHint)))</p>"
                }
            }
        }
        return out + "</div></section>"
    }

    func label(_ id: String, _ text: String) -> String {
        "<label for=\"\(id)\">\(HTML.escape(text))</label>"
    }

    func article(_ r: ReportFlip, suiteIndex: Int) -> String {
        let f = r.flip
        let word = r.direction == .broke ? "✗ broke (pass → fail)" : "✓ fixed (fail → pass)"
        var out = "<article class=\"flip \(r.direction.rawValue) s\(suiteIndex)\"><header>"
        out +=
            "<span class=\"dir\">\(word)</span> <code>\(HTML.escape(f.suite))</code> / <code>\(HTML.escape(f.id))</code>"
        if let b = r.baselineRate, let c = r.currentRate {
            out += " <span class=\"sub\">pass rate \(Format.rate(b)) → \(Format.rate(c))</span>"
        }
        out += "</header><div class=\"sides\">"
        out += side("input", f.input.map { HTML.folded(ReportFlip.answerText($0)) })
        out += side("expected", f.expected.map { HTML.folded(ReportFlip.answerText($0)) })
        out += side("baseline answer", answer(f.baselineOutput, error: f.baselineError))
        out += side("current answer", answer(f.output, error: f.error))
        out += "</div>"
        if f.error == nil, f.baselineError == nil, let calls = CallComparison(left: f.baselineOutput, right: f.output) {
            out += calls.html(leftLabel: "baseline", rightLabel: "current")
        }
        if f.error == nil, f.baselineError == nil, let old = f.baselineOutput, let new = f.output, old != new {
            let diff = WordDiff.html(ReportFlip.answerText(old), ReportFlip.answerText(new))
            out += "<div class=\"diff\"><h4>word diff, baseline → current</h4>"
            out +=
                old.count + new.count > 400
                ? "<details><summary>show</summary><pre>\(diff)</pre></details>" : "<pre>\(diff)</pre>"
            out += "</div>"
        }
        if let reason = Format.reason(f.judgeReason) {
            out += "<div class=\"reason\">scorer: " + HTML.folded(reason, pre: false) + "</div>"
        }
        return out + "</article>"
    }

    func side(_ heading: String, _ content: String?) -> String {
        "<div><h4>\(heading)</h4>" + (content ?? "<span class=\"none\">not stored</span>") + "</div>"
    }

    func answer(_ output: String?, error: String?) -> String? {
        if let error { return "<pre class=\"err\">error: " + HTML.escape(error) + "</pre>" }
        return output.map { HTML.folded(ReportFlip.answerText($0)) }
    }
}
