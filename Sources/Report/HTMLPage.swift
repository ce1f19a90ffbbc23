import EvalGuardSupport
import FoundationEssentials

/// The one place text enters an HTML page. Every string shown in a report (case inputs, model
/// outputs, commit subjects, suite names: all untrusted) goes through `escape`, whether it lands
/// in element content or in a quoted attribute value, so none of it can open a tag, close the
/// `<style>` element, or end an attribute.
package enum HTML {
    package static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for c in text.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            // Control characters other than tab and newline are not allowed in HTML text.
            case "\u{0}"..."\u{8}", "\u{B}", "\u{C}", "\u{E}"..."\u{1F}", "\u{7F}": out += "\u{FFFD}"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// An element with escaped text content; `attributes` are fixed names with escaped values.
    package static func element(_ name: String, _ attributes: [(String, String)] = [], text: String) -> String {
        "<\(name)" + attributes.map { " \($0.0)=\"\(escape($0.1))\"" }.joined() + ">" + escape(text) + "</\(name)>"
    }

    /// Text that may be long: shown in full when short, else folded behind its first line.
    package static func folded(_ text: String, limit: Int = 160, pre: Bool = true) -> String {
        let tag = pre ? "pre" : "span"
        guard text.count > limit || text.containsText("\n") && text.count > 60 else { return element(tag, text: text) }
        let head = String(text.prefix(72).prefix { $0 != "\n" })
        return "<details><summary>" + escape(head) + "… (\(text.count) characters)</summary>" + element(tag, text: text)
            + "</details>"
    }
}

/// A complete, self-contained HTML document: no script, nothing fetched (no fonts, styles or
/// images from anywhere), so it opens the same from `file://`, from a CI artifact or from an
/// e-mail attachment. A Content-Security-Policy meta tag forbids every script and every load,
/// and allows exactly one style sheet, the page's own, by its SHA-256 hash: text that slipped
/// through unescaped still could not run or phone home.
///
/// Filtering needs no script: radio inputs and `:checked` selectors (see `FlipsHTML`).
package struct HTMLPage {
    package var title: String
    /// Built markup, every untrusted piece already escaped.
    package var body: String
    /// Page-specific rules added to the common style sheet; generated from fixed names and
    /// indices only, never from untrusted text.
    package var extraStyle: String = ""

    package init(title: String, body: String, extraStyle: String = "") {
        self.title = title
        self.body = body
        self.extraStyle = extraStyle
    }

    package var style: String { Self.commonStyle + extraStyle }

    /// The policy: nothing by default, no script at all, only the page's own style sheet.
    package var contentSecurityPolicy: String {
        let hash = Data(SHA256.digest(Array(style.utf8))).base64EncodedString()
        return "default-src 'none'; script-src 'none'; style-src 'sha256-\(hash)'; img-src 'none'; "
            + "font-src 'none'; connect-src 'none'; base-uri 'none'; form-action 'none'"
    }

    package func render() -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta http-equiv="Content-Security-Policy" content="\(HTML.escape(contentSecurityPolicy))">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="referrer" content="no-referrer">
        <title>\(HTML.escape(title))</title>
        <style>\(style)</style>
        </head>
        <body>
        \(body)
        </body>
        </html>

        """
    }

    static let commonStyle = """
        :root{--fg:#1b1f24;--muted:#5b6470;--line:#d8dde3;--bg:#fff;--soft:#f5f7f9;--bad:#b42318;--warn:#9a6700;--good:#1a7f37;--accent:#0b5cad}
        *{box-sizing:border-box}
        body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg);margin:0 auto;padding:24px;max-width:1280px}
        h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:32px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}h3{font-size:15px;margin:20px 0 6px}
        .sub{color:var(--muted);margin:0 0 12px}
        table{border-collapse:collapse;width:100%;margin:8px 0}
        th,td{border-bottom:1px solid var(--line);padding:5px 8px;text-align:left;vertical-align:top}
        th{background:var(--soft);font-weight:600}
        td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
        tr.regression td{background:#fdecea}tr.inconclusive td{background:#fff5d6}
        .verdict{font-weight:700;white-space:nowrap}
        .v-regression{color:var(--bad)}.v-inconclusive{color:var(--warn)}.v-pass{color:var(--good)}.v-skipped{color:var(--muted);font-weight:400}
        .banner{padding:10px 14px;border-radius:6px;margin:12px 0;font-size:16px;border:1px solid var(--line)}
        .banner.v-regression{background:#fdecea;border-color:#f4b4ae}.banner.v-inconclusive{background:#fff5d6;border-color:#eed58a}.banner.v-pass{background:#e9f7ee;border-color:#a8dbb8}
        ul.notes{color:var(--muted);margin:6px 0;padding-left:20px}
        .charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(420px,1fr));gap:12px}
        figure{margin:0;border:1px solid var(--line);border-radius:6px;padding:8px;background:var(--bg)}
        figcaption{font-weight:600;margin-bottom:4px}
        svg.chart{width:100%;height:auto;display:block;overflow:visible}
        svg .axis{stroke:#8c959f;stroke-width:1}svg .grid{stroke:#eef1f4;stroke-width:1}
        svg text{font-size:11px;fill:var(--muted)}
        svg .series{fill:none;stroke:var(--accent);stroke-width:1.5}
        svg .band{fill:var(--accent);fill-opacity:.14;stroke:none}
        svg .pt{fill:var(--accent)}svg .pt:hover{fill:var(--fg)}
        svg .now{fill:#fff;stroke:var(--bad);stroke-width:2.5}
        svg .baseline-mark{stroke:var(--warn);stroke-width:1.2;stroke-dasharray:4 3}
        svg .now-label{fill:var(--bad);font-weight:600}
        .legend{color:var(--muted);font-size:12px;margin:4px 0}
        .filters{margin:8px 0}
        input.filter{position:absolute;opacity:0;pointer-events:none}
        .filters label{display:inline-block;border:1px solid var(--line);border-radius:14px;padding:2px 10px;margin:2px 2px;cursor:pointer;background:var(--soft)}
        .flip{border:1px solid var(--line);border-radius:6px;margin:10px 0;padding:8px 10px}
        .flip header{display:flex;gap:10px;align-items:baseline;flex-wrap:wrap}
        .flip .dir{font-weight:700}.flip.broke .dir{color:var(--bad)}.flip.fixed .dir{color:var(--good)}
        .sides{display:grid;grid-template-columns:repeat(4,minmax(0,1fr));gap:8px;margin-top:6px}
        .sides>div{background:var(--soft);border-radius:4px;padding:6px;min-width:0}
        .sides h4,.diff h4{margin:0 0 4px;font-size:12px;color:var(--muted);font-weight:600}
        pre{white-space:pre-wrap;word-break:break-word;margin:0;font:12.5px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
        .diff{margin-top:6px}
        .calls{margin-top:6px}.calls h4{margin:0 0 4px;font-size:12px;color:var(--muted);font-weight:600}
        .calls table{border-collapse:collapse}.calls td,.calls th{padding:2px 8px;text-align:left;vertical-align:top}
        mark{background:#fff1a8}
        del{background:#ffd7d5;text-decoration:line-through}ins{background:#ccf0d6;text-decoration:none}del+ins{margin-left:.35em}
        .err{color:var(--bad)}.none{color:var(--muted);font-style:italic}
        .reason{margin-top:6px;color:var(--muted)}
        details summary{cursor:pointer;color:var(--accent)}
        code{font:12.5px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
        .more{color:var(--muted);font-style:italic}
        footer{margin-top:40px;color:var(--muted);font-size:12px}
        @media (max-width:900px){.sides{grid-template-columns:1fr 1fr}}

        """
}
