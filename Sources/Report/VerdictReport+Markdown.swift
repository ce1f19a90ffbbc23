import EvalGuardCompare
import EvalGuardSupport

extension VerdictReport {
    /// GitHub-flavoured markdown: for a pull-request comment or `$GITHUB_STEP_SUMMARY`.
    /// The same figures as `text()`, with the case lists folded away.
    package func markdown() -> String {
        Self.markdownHeader(comparison.verdict, subject: subject, baselineLabel: baselineLabel) + markdownBody()
    }

    /// The verdict's heading and the line that names what was evaluated and against what (see `textHeader`).
    package static func markdownHeader(_ verdict: Verdict, subject: String, baselineLabel: String) -> String {
        let icon = verdict == .regression ? "❌" : verdict == .inconclusive ? "⚠️" : "✅"
        return "### evalguard: \(icon) \(verdict == .skipped ? "pass" : verdict.rawValue)\n\n"
            + "\(cell(subject)) against \(cell(baselineLabel))\n\n"
    }

    /// `markdown()` without its header.
    package func markdownBody() -> String {
        var out = "| " + Self.headers.joined(separator: " | ") + " |\n"
        out +=
            "|" + Self.headers.indices.map { [2, 3, 4].contains($0) ? " ---: " : " --- " }.joined(separator: "|")
            + "|\n"
        for row in rows() {
            let cells = row.enumerated().map { i, c in
                i == row.count - 1 && (c.hasPrefix("REGRESSION") || c.hasPrefix("INCONCLUSIVE")) ? "**\(c)**" : cell(c)
            }
            out += "| " + cells.joined(separator: " | ") + " |\n"
        }
        for suite in comparison.suites {
            var items: [String] = []
            if let note = suite.note { items.append("**\(cell(suite.name))**: \(cell(note))") }
            items += caseChangeLines(suite, code: { "`\($0.replacingText("`", with: "'"))`" }).map(cell)
            for line in suite.metrics.flatMap({ details($0) }) {
                items.append(
                    line.hasPrefix(" ")
                        ? "  " + cell(line.trimmingPrefixSpaces) : "**\(cell(suite.name))** " + cell(line))
            }
            if !items.isEmpty {
                out +=
                    "\n"
                    + items.map { $0.hasPrefix("  ") ? "  -" + $0.dropFirst(1) : "- " + $0 }.joined(separator: "\n")
                    + "\n"
            }
            if !suite.flaky.isEmpty {
                out += "\n<details><summary>\(cell(flakyHeadline(suite)))</summary>\n\n"
                for f in suite.flaky {
                    out += "- `\(f.id)` pass rate \(Format.rate(f.baselineRate)) → \(Format.rate(f.currentRate))\n"
                }
                out += "\n</details>\n"
            }
            guard !suite.regressed.isEmpty || !suite.fixed.isEmpty else { continue }
            out += "\n<details><summary>\(cell(flipHeadline(suite)))</summary>\n\n"
            for flip in suite.regressed { out += "- ➖ " + caseItem(flip, suite: suite.name) + "\n" }
            for flip in suite.fixed { out += "- ➕ " + caseItem(flip, suite: suite.name) + "\n" }
            out += "\n</details>\n"
        }
        if let lines = audit?.lines {
            out +=
                "\n"
                + lines.map { $0.hasPrefix("  ") ? "  - " + cell(String($0.dropFirst(2))) : "- " + cell($0) }.joined(
                    separator: "\n") + "\n"
        }
        out += "\n" + verdictLines().map { "**\(cell($0))**" }.joined(separator: "\n\n") + "\n"
        return out
    }

    private func caseItem(_ flip: CaseFlip, suite: String) -> String {
        var s = "`\(flip.id)`"
        if let b = flip.baselineRate, let c = flip.currentRate {
            s += " pass rate \(Format.rate(b)) → \(Format.rate(c))"
        }
        // As the text report: the expected answer first (null: a json-schema case expects nothing).
        let expectedValue = expected[suite]?[flip.id].flatMap { $0 == .null ? nil : $0 }
        if let e = expectedValue {
            s += ": expected `\(Format.clip(e.canonicalText, 80, against: flip.output).replacingText("`", with: "'"))`"
        }
        let lead = expectedValue == nil ? ":" : ""
        if let error = flip.error {
            s += lead + " error " + cell(Format.clip(error, 80))
        } else if let o = flip.output {
            s +=
                lead
                + " got `\(Format.clip(o, 80, against: expectedValue?.canonicalText).replacingText("`", with: "'"))`"
        }
        if let reason = Format.reason(flip.reason) {
            s += " because `\(Format.clip(reason, 120).replacingText("`", with: "'"))`"
        }
        // An agent's calls beside the expected ones, one nested item a row.
        if flip.error == nil, let calls = CallComparison(left: expectedValue?.canonicalText, right: flip.output) {
            s += calls.lines(leftLabel: "expected", rightLabel: "got", indent: "").map {
                "\n  - " + cell($0.trimmingWhitespace())
            }.joined()
        }
        return s
    }

    /// Text safe inside a table cell or a list item: no pipes, no HTML, one line.
    private func cell(_ s: String) -> String { Self.cell(s) }

    private static func cell(_ s: String) -> String {
        s.replacingText("|", with: "\\|").replacingText("<", with: "&lt;")
            .replacingText("\n", with: " ")
    }
}

extension String {
    fileprivate var trimmingPrefixSpaces: String { String(drop { $0 == " " }) }
}
