import EvalGuardBlame
import EvalGuardGit
import FoundationEssentials

/// `evalguard blame --html FILE`: the answer as a self-contained page: the range searched, every
/// commit the bisection probed with the side it took and the cases that cast its votes, the
/// culprit with the model inputs it changed, and the cases it flipped side by side.
package struct BlameHTML {
    package var answer: BlameAnswer
    package var generatedAt = Date()
    package var generator = "evalguard"

    package init(answer: BlameAnswer) {
        self.answer = answer
    }

    func value(_ v: Double?) -> String { answer.metric.map { Format.value(v, of: $0) } ?? "-" }

    func commit(_ c: CommitInfo) -> String {
        "<code>\(HTML.escape(c.shortSHA))</code> " + HTML.escape(Format.clip(c.subject, 80))
    }

    package func render() -> String {
        let a = answer
        var flips = FlipsHTML(
            flips: (a.culprit?.broke ?? []).map { ReportFlip(direction: .broke, flip: $0) }
                + (a.culprit?.fixed ?? []).map { ReportFlip(direction: .fixed, flip: $0) },
            suites: a.suites)
        flips.title = "Cases the culprit flipped"
        flips.moreHint = "evalguard blame --format json lists them all"
        let (verdictClass, headline): (String, String)
        // A found answer carries its culprit; one that did not would be shown as ambiguous.
        switch (a.status, a.culprit) {
        case (.found, let c?):
            (verdictClass, headline) = (
                "regression", "✗ First bad commit: \(c.commit.shortSHA) \(Format.clip(c.commit.subject, 80))"
            )
        case (.found, nil), (.ambiguous, _):
            (verdictClass, headline) = (
                "inconclusive", "? The first bad commit is one of \(a.candidates.count) commits"
            )
        case (.noRegression, _): (verdictClass, headline) = ("pass", "✓ No regression in this range")
        }
        var body = "<header><h1>evalguard blame</h1>"
        body += "<div class=\"banner v-\(verdictClass)\" id=\"verdict\"><strong>" + HTML.escape(headline) + "</strong>"
        if let note = a.note { body += "<div>" + HTML.escape(note) + "</div>" }
        body += "</div></header>"
        body += range()
        body += probes()
        if let c = a.culprit { body += culprit(c) }
        if a.status == .ambiguous {
            body +=
                "<section id=\"candidates\"><h2>Candidates</h2><ul>"
                + a.candidates.map { "<li>" + commit($0) + "</li>" }.joined() + "</ul></section>"
        }
        if a.culprit != nil { body += flips.section() }
        body += "<footer>\(HTML.escape(generator)) · generated \(Format.date(generatedAt)) UTC</footer>"
        return HTMLPage(title: "evalguard blame: " + headline, body: body, extraStyle: flips.style).render()
    }

    func range() -> String {
        let a = answer
        var rows: [(String, String)] = [
            ("good end", commit(a.good) + " <span class=\"sub\">(" + HTML.escape(a.goodReason) + ")</span>"),
            ("bad end", commit(a.bad)),
        ]
        if let metric = a.metric {
            rows.append(
                (
                    "metric",
                    HTML.escape(
                        "\(metric.rawValue) (\(a.suites.joined(separator: ", "))): \(value(a.goodValue)) → \(value(a.badValue))"
                    )
                ))
        }
        rows.append(("searched", "\(a.commitsInRange) commit(s) in range, \(a.keysRead)"))
        rows.append(("cost", "\(a.evaluations) model evaluation(s); stored results cost nothing"))
        return "<section id=\"range\"><h2>Range</h2><table><tbody>"
            + rows.map { "<tr><th>\($0.0)</th><td>\($0.1)</td></tr>" }.joined() + "</tbody></table></section>"
    }

    func probes() -> String {
        var out = "<section id=\"probes\"><h2>Probes</h2>"
        guard !answer.probes.isEmpty else {
            return out + "<p class=\"none\">No commit between the ends needed probing.</p></section>"
        }
        out +=
            "<p class=\"sub\">In the order the bisection probed them. Each case whose outcome differs between the ends votes "
            + "for the end its outcome at the probe matches.</p>"
        out +=
            "<table><thead><tr><th>#</th><th>commit</th><th>side</th><th>votes (bad / good)</th><th>model runs</th><th>cases that decided it</th></tr></thead><tbody>"
        for (i, p) in answer.probes.enumerated() {
            let (cls, word): (String, String) =
                switch p.state {
                case .bad: ("regression", "✗ bad")
                case .good: ("pass", "✓ good")
                case .uncertain: ("inconclusive", "? uncertain")
                default: ("skipped", "– skipped")
                }
            out +=
                "<tr><td class=\"num\">\(i + 1)</td><td>\(commit(p.commit))</td><td class=\"verdict v-\(cls)\">\(word)</td>"
            out += "<td class=\"num\">\(p.tally.bad) / \(p.tally.good)</td><td class=\"num\">\(p.evaluations)</td><td>"
            if let reason = p.reason { out += "<span class=\"err\">" + HTML.escape(reason) + "</span>" }
            let deciding = p.state == .good ? Side.good : .bad
            let decided = p.votes.filter { $0.side == deciding }
            let against = p.votes.filter { $0.side != deciding }
            if p.state == .good || p.state == .bad || p.state == .uncertain {
                out += cases(p.state == .uncertain ? "with the bad end" : "with the \(deciding.rawValue) end", decided)
                out += cases(p.state == .uncertain ? "with the good end" : "against", against)
            }
            out += "</td></tr>"
        }
        return out + "</tbody></table></section>"
    }

    /// A list of case ids, folded when long.
    func cases(_ label: String, _ votes: [CaseVote]) -> String {
        guard !votes.isEmpty else { return "" }
        let ids = votes.map { "\($0.suite)/\($0.id)" }.sorted()
        let text = ids.joined(separator: ", ")
        let list =
            ids.count > 12
            ? "<details><summary>\(ids.count) case(s)</summary>" + HTML.element("code", text: text) + "</details>"
            : HTML.element("code", text: text)
        return "<div><span class=\"sub\">\(HTML.escape(label)) (\(ids.count)):</span> " + list + "</div>"
    }

    func culprit(_ c: Culprit) -> String {
        var out = "<section id=\"culprit\"><h2>First bad commit</h2><table><tbody>"
        out += "<tr><th>commit</th><td><code>\(HTML.escape(c.commit.sha))</code></td></tr>"
        out += "<tr><th>subject</th><td>\(HTML.escape(c.commit.subject))</td></tr>"
        out += "<tr><th>author</th><td>\(HTML.escape("\(c.commit.author) <\(c.commit.email)>"))</td></tr>"
        out += "<tr><th>date</th><td>\(Format.date(c.commit.date)) UTC</td></tr>"
        if let metric = answer.metric {
            out +=
                "<tr><th>\(HTML.escape(metric.rawValue))</th><td>"
                + HTML.escape(
                    "\(value(c.beforeValue)) at \(c.before.prefix(7)) → \(value(c.afterValue)) at \(c.commit.shortSHA)")
                + "</td></tr>"
        }
        if let merged = c.mergedParent {
            out +=
                "<tr><th>merge</th><td>the change came in through its second parent <code>\(HTML.escape(String(merged.prefix(7))))</code></td></tr>"
        }
        out += "</tbody></table><h3>Changed model inputs (\(c.changedInputs.count))</h3>"
        out +=
            c.changedInputs.isEmpty
            ? "<p class=\"none\">none: only the configuration or cases</p>"
            : "<ul>"
                + c.changedInputs.map { "<li>\($0.change.rawValue) <code>\(HTML.escape($0.path))</code></li>" }.joined()
                + "</ul>"
        return out + "</section>"
    }
}
