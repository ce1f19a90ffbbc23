import EvalGuardSupport
import FoundationEssentials

/// A production record: a JSON object from a log line or made from a GenAI span, with where it came from.
package struct ProductionRecord: Sendable {
    package var value: JSONValue
    package var source: String
}

/// Reads `cases add --from FILE`: JSON Lines records, or OpenTelemetry spans exported as OTLP
/// JSON (one document, or one export request a line as collectors' file exporters write).
package enum ProductionRecords {
    package static func read(_ text: String, display: String) throws -> [ProductionRecord] {
        // A whole-file OTLP document (pretty-printed over many lines).
        if let whole = try? JSONParser.parse(text), case .object(let o) = whole, o["resourceSpans"] != nil {
            return OTLPSpans.records(whole, display: display, line: nil)
        }
        var records: [ProductionRecord] = []
        try JSONLines.each(
            text, display: display, hint: "Each line of a JSON Lines log is one JSON object; nothing was written."
        ) { value, number in
            guard case .object(let o) = value else {
                throw EvalGuardError(
                    "expected a record (a JSON object), found \(value.kindName)", file: display, line: number,
                    hint: "Nothing was written.")
            }
            if o["resourceSpans"] != nil {
                records += OTLPSpans.records(value, display: display, line: number)
            } else {
                records.append(ProductionRecord(value: value, source: "\(display):\(number)"))
            }
        }
        return records
    }

    /// The value at a dotted path: `request.messages`, `attributes.gen_ai.request.model` (an
    /// object's key may hold dots itself: the longest key that matches is taken).
    package static func value(at path: String, in value: JSONValue) -> JSONValue? {
        lookup(path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)[...], value)
    }

    private static func lookup(_ parts: ArraySlice<String>, _ value: JSONValue) -> JSONValue? {
        guard let first = parts.first else { return value }
        switch value {
        case .object(let o):
            for n in stride(from: parts.count, through: 1, by: -1) {
                let key = parts.prefix(n).joined(separator: ".")
                if let child = o[key], let found = lookup(parts.dropFirst(n), child) { return found }
            }
            return nil
        case .array(let items):
            guard let i = Int(first), items.indices.contains(i) else { return nil }
            return lookup(parts.dropFirst(), items[i])
        default:
            return nil
        }
    }

    /// `FIELD=VALUE` of `--where`: the field's text (a string as is, other JSON as written) equals VALUE.
    package struct Condition: Sendable {
        package var field: String
        package var value: String

        package init?(_ text: String) {
            guard let eq = text.firstIndex(of: "="), eq != text.startIndex else { return nil }
            field = String(text[..<eq])
            value = String(text[text.index(after: eq)...])
        }

        package func holds(for record: JSONValue) -> Bool {
            guard let found = ProductionRecords.value(at: field, in: record) else { return false }
            return (found.stringValue ?? found.canonicalText) == value
        }
    }

    /// Cases from records: the input at `inputField`, the expected answer at `expectedField`
    /// (none when nil), the production answer at `outputField` for labelling. A record without
    /// the input is skipped with its line.
    package static func cases(
        _ records: [ProductionRecord], inputField: String, outputField: String,
        expectedField: String?
    ) -> (cases: [ImportedCase], skipped: [SkippedCase]) {
        var cases: [ImportedCase] = []
        var skipped: [SkippedCase] = []
        for r in records {
            guard let input = value(at: inputField, in: r.value), input != .null else {
                let reason =
                    r.value["span_id"] != nil && inputField == "input"
                    ? "no prompt messages recorded (is content capture on in the instrumentation?)"
                    : "no field '\(inputField)' (name the input with --input-field)"
                skipped.append(SkippedCase(source: r.source, reason: reason))
                continue
            }
            var expected: JSONValue?
            if let expectedField {
                guard let e = value(at: expectedField, in: r.value), e != .null else {
                    skipped.append(
                        SkippedCase(source: r.source, reason: "no field '\(expectedField)' for --expected-from"))
                    continue
                }
                expected = e
            }
            cases.append(
                ImportedCase(
                    input: input, expected: expected, source: r.source, output: value(at: outputField, in: r.value)))
        }
        return (cases, skipped)
    }
}

/// A JSON Lines file read line by line: blank lines skipped, a line that is not JSON an error at
/// its line and column.
enum JSONLines {
    static func each(_ text: String, display: String, hint: String? = nil, _ body: (JSONValue, Int) throws -> Void)
        throws
    {
        var number = 0
        for line in text.textLines {
            number += 1
            if line.trimmingSpaces.isEmpty { continue }
            let value: JSONValue
            do { value = try JSONParser.parse(String(line)) } catch {
                throw EvalGuardError(error.message, file: display, line: number, column: error.offset + 1, hint: hint)
            }
            try body(value, number)
        }
    }
}
