import EvalGuardScoring
import EvalGuardSupport

/// A flipped case's tool calls (or an agent loop's steps), two sides row by row: expected
/// against the answer (`check`), or the baseline's answer against the current one (`diff`,
/// `report`, the HTML page). Rows pair by position; a row says whether the names differ and
/// which arguments do. Every name, argument and result is the model's (untrusted): shown as
/// JSON text, escaped by each renderer.
package struct CallComparison: Sendable {
    package struct Call: Sendable, Equatable {
        package var name: String
        /// Nil for an expected call that names no arguments (any arguments match).
        package var arguments: JSONValue?
        package var result: JSONValue?
    }

    package struct Row: Sendable {
        package var left: Call?
        package var right: Call?
        package var nameDiffers: Bool { left?.name != right?.name }
        /// The top-level argument keys whose values differ (both sides' keys), when both
        /// sides have the call and the left one names arguments.
        package var differingKeys: [String] {
            guard let l = left?.arguments, let r = right?.arguments else { return [] }
            guard case .object(let a) = l, case .object(let b) = r else { return l == r ? [] : ["(arguments)"] }
            return Set(a.keys).union(b.keys).sorted().filter { a[$0] != b[$0] }
        }
    }

    /// "tool calls" or "steps".
    package var kind: String
    package var rows: [Row]

    /// Nil unless one side is an agent's answer (or an expected list of calls or steps) that
    /// can be read: a stored answer cut short is not shown.
    package init?(left: String?, right: String?) {
        let l = left.flatMap { try? JSONParser.parse($0) }
        let r = right.flatMap { try? JSONParser.parse($0) }
        // Steps when both sides have them (two loops, or expected steps and a loop), or when
        // neither has calls; else calls, so that expected calls face the calls an agent made
        // even when its answer has steps too.
        let bothSteps = [l, r].allSatisfy { $0?["steps"]?.arrayValue != nil }
        let steps = bothSteps || ![l, r].contains { $0?["tool_calls"]?.arrayValue != nil }
        guard [l, r].contains(where: { $0?["tool_calls"]?.arrayValue != nil || $0?["steps"]?.arrayValue != nil }) else {
            return nil
        }
        let key = steps ? "steps" : "tool_calls"
        let a = Self.calls(l, key)
        let b = Self.calls(r, key)
        kind = steps ? "steps" : "tool calls"
        rows = (0..<max(a.count, b.count)).map {
            Row(left: $0 < a.count ? a[$0] : nil, right: $0 < b.count ? b[$0] : nil)
        }
    }

    private static func calls(_ value: JSONValue?, _ key: String) -> [Call] {
        (value?[key]?.arrayValue ?? []).map { item in
            if let name = item.stringValue { return Call(name: name) }
            return Call(name: item["name"]?.stringValue ?? "", arguments: item["arguments"], result: item["result"])
        }
    }

    /// `lookup_order({"order_id":"A1"})`, with ` -> {"total":10}` for a step's result; a name
    /// with control characters is shown quoted, as JSON.
    package static func text(_ call: Call, limit: Int = 120) -> String {
        let name =
            call.name.isEmpty
            ? "(no name)"
            : call.name.unicodeScalars.contains { $0.properties.generalCategory == .control }
                ? JSONValue.string(call.name).canonicalText : call.name
        var out = name + (call.arguments.map { "(" + Format.clip($0.canonicalText, limit) + ")" } ?? "")
        if let result = call.result { out += " -> " + Format.clip(result.canonicalText, limit / 2) }
        return out
    }

    /// The plain-text rows, indented under a flipped case's line: `left | right` and what differs.
    package func lines(leftLabel: String, rightLabel: String, indent: String = "      ") -> [String] {
        var out = [indent + "\(kind) (\(leftLabel) | \(rightLabel)):"]
        for (i, row) in rows.enumerated() {
            let l = row.left.map { Self.text($0, limit: 60) } ?? "-"
            let r = row.right.map { Self.text($0, limit: 60) } ?? "-"
            var mark = ""
            if row.left == nil {
                mark = "  + only \(rightLabel)"
            } else if row.right == nil {
                mark = "  - only \(leftLabel)"
            } else if row.nameDiffers {
                mark = "  ≠ name"
            } else if !row.differingKeys.isEmpty {
                mark = "  ≠ " + row.differingKeys.joined(separator: ", ")
            }
            out.append(indent + "  \(i + 1). \(l)  |  \(r)\(mark)")
        }
        return out
    }

    /// A table of the two sides for the HTML page: differing names and argument values marked.
    package func html(leftLabel: String, rightLabel: String) -> String {
        var out =
            "<div class=\"calls\"><h4>\(HTML.escape(kind)), \(HTML.escape(leftLabel)) → \(HTML.escape(rightLabel))</h4><table><tr><th>#</th>"
        out += "<th>\(HTML.escape(leftLabel))</th><th>\(HTML.escape(rightLabel))</th></tr>"
        for (i, row) in rows.enumerated() {
            let keys = Set(row.differingKeys)
            out +=
                "<tr><td>\(i + 1)</td><td>" + cell(row.left, row, keys) + "</td><td>" + cell(row.right, row, keys)
                + "</td></tr>"
        }
        return out + "</table></div>"
    }

    private func cell(_ call: Call?, _ row: Row, _ keys: Set<String>) -> String {
        guard let call else { return "<span class=\"none\">—</span>" }
        let name = HTML.escape(call.name.isEmpty ? "(no name)" : call.name)
        var out = "<code>" + (row.nameDiffers ? "<mark>\(name)</mark>" : name) + "("
        if case .object(let o)? = call.arguments {
            out += o.sorted(by: { $0.key < $1.key }).map { key, value in
                let pair = HTML.escape(
                    JSONValue.string(key).canonicalText + ":" + Format.clip(value.canonicalText, 200))
                return keys.contains(key) ? "<mark>\(pair)</mark>" : pair
            }.joined(separator: ", ")
        } else if let arguments = call.arguments {
            let text = HTML.escape(Format.clip(arguments.canonicalText, 200))
            out += keys.isEmpty ? text : "<mark>\(text)</mark>"
        } else {
            out += "…"
        }
        out += ")</code>"
        if let result = call.result {
            out += " → <code>" + HTML.escape(Format.clip(result.canonicalText, 200)) + "</code>"
        }
        return out
    }
}
