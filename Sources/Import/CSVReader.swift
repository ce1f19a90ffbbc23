import EvalGuardSupport

/// A table with a header, read from CSV (RFC 4180: quoted fields with `""` for a quote, line
/// breaks inside quotes) or TSV (the same quoting, tab-separated).
package struct CSVTable: Sendable {
    package var header: [String]
    /// Each row with the line it starts on (a quoted field may span several).
    package var rows: [(line: Int, fields: [String])]

    package func column(_ name: String) -> Int? { header.firstIndex(of: name) }

    /// Row values by column name.
    package func record(_ row: [String]) -> [(String, String)] { Array(zip(header, row)) }

    /// Parses `text`; `path` names the file in errors.
    package static func parse(_ text: String, separator: Character, path: String) throws -> CSVTable {
        var records: [(line: Int, fields: [String])] = []
        var fields: [String] = []
        var field = ""
        var line = 1
        var recordLine = 1
        var quoted = false
        var wasQuoted = false
        var atFieldStart = true
        // The current field was quoted: nothing but a separator or a line end may follow its close.
        var fieldQuoted = false
        var iterator = text.makeIterator()
        var pending: Character? = nil
        func next() -> Character? {
            if let p = pending {
                pending = nil
                return p
            }
            return iterator.next()
        }
        func endRecord() {
            fields.append(field)
            // A blank line (one empty unquoted field) is no record.
            if !(fields.count == 1 && fields[0].isEmpty && !wasQuoted) { records.append((recordLine, fields)) }
            fields = []
            field = ""
            wasQuoted = false
            fieldQuoted = false
            atFieldStart = true
        }
        while let c = next() {
            if quoted {
                if c == "\"" {
                    if let d = next() {
                        if d == "\"" {
                            field.append("\"")
                            continue
                        }
                        pending = d
                    }
                    quoted = false
                    continue
                }
                if c == "\n" || c == "\r\n" { line += 1 }
                field.append(c == "\r\n" ? "\n" : c)
                continue
            }
            switch c {
            case "\"" where atFieldStart:
                quoted = true
                wasQuoted = true
                fieldQuoted = true
                atFieldStart = false
            case "\"":
                throw EvalGuardError(
                    "a quote inside an unquoted field", file: path, line: line,
                    hint: "Quote the whole field and double the quotes inside it: \"say \"\"hi\"\"\".")
            case separator:
                fields.append(field)
                field = ""
                fieldQuoted = false
                atFieldStart = true
            case "\n", "\r\n", "\r":
                endRecord()
                line += 1
                recordLine = line
            default:
                if fieldQuoted { throw EvalGuardError("text after a closing quote", file: path, line: line) }
                field.append(c)
                atFieldStart = false
            }
        }
        if quoted {
            throw EvalGuardError(
                "a quoted field is not closed", file: path, line: recordLine, hint: "Close it with \".")
        }
        if !field.isEmpty || !fields.isEmpty || wasQuoted { endRecord() }
        guard let first = records.first else {
            throw EvalGuardError("the file is empty: a header line is needed", file: path)
        }
        var header = first.fields
        if let h = header.first, h.hasPrefix("\u{FEFF}") { header[0] = String(h.dropFirst()) }
        let body = Array(records.dropFirst())
        for row in body where row.fields.count != header.count {
            throw EvalGuardError(
                "\(row.fields.count) field(s), the header has \(header.count)", file: path, line: row.line,
                hint: "Quote a field that holds the separator.")
        }
        return CSVTable(header: header, rows: body)
    }
}
