import EvalGuardSupport
import FoundationEssentials

/// OpenAI Evals samples: one JSON object a line, `{"input": [messages], "ideal": "..."}`. The
/// messages are the input; `ideal` the expected answer, and a list of ideals a one-of case.
package enum OpenAIEvalsImport {
    package static func read(_ text: String, display: String) throws -> [ReadTest] {
        var tests: [ReadTest] = []
        try JSONLines.each(text, display: display) { value, number in
            guard case .object(let o) = value else {
                throw EvalGuardError(
                    "expected a sample object with \"input\" and \"ideal\", found \(value.kindName)", file: display,
                    line: number)
            }
            guard let input = o["input"] else { throw EvalGuardError("missing \"input\"", file: display, line: number) }
            let source = "\(display):\(number)"
            let mapped: (type: String, mapped: MappedAssertion)
            switch o["ideal"] {
            case .array(let ideals)? where !ideals.isEmpty:
                mapped = ("ideal (a list)", .mapped(.oneOf, expected: .array(ideals)))
            case .string(let s)?:
                mapped = ("ideal", .mapped(.exact, expected: .string(s)))
            case nil:
                mapped = ("no ideal", .notMapped(reason: "no \"ideal\": nothing says what a right answer is"))
            case let other?:
                mapped = (
                    "ideal",
                    .notMapped(reason: "\"ideal\" is \(other.kindName); a string or a list of strings is expected")
                )
            }
            // The id from the ideal as written, so that `unify` making a single ideal a list of one
            // (once a later sample lists several) leaves the cases imported before as they were.
            tests.append(
                ReadTest(
                    source: source, id: ImportedCase.contentID(input: input, expected: o["ideal"]), input: input,
                    assertions: [mapped]))
        }
        return tests
    }

    /// A file with single and listed ideals becomes one one-of suite (as for a one-of suite
    /// when `oneOf`): a single ideal is a list of one, so every case is scored the same way.
    package static func unify(_ tests: [ReadTest], oneOf: Bool = false) -> [ReadTest] {
        let anyList = tests.contains {
            $0.assertions.contains { if case .mapped(.oneOf, _) = $0.mapped { true } else { false } }
        }
        guard anyList || oneOf else { return tests }
        return tests.map { t in
            var t = t
            t.assertions = t.assertions.map { a in
                if case .mapped(.exact, let e?) = a.mapped { return (a.type, .mapped(.oneOf, expected: .array([e]))) }
                return a
            }
            return t
        }
    }
}

/// CSV or TSV with a header: the input column, optionally the expected column and an id column.
package enum TableImport {
    package static func read(
        _ text: String, separator: Character, display: String,
        inputColumn: String, expectedColumn: String?, idColumn: String?
    ) throws -> [ReadTest] {
        let table = try CSVTable.parse(text, separator: separator, path: display)
        func column(_ name: String, _ option: String) throws -> Int {
            guard let i = table.column(name) else {
                throw EvalGuardError(
                    "no column '\(name)' in the header", file: display, line: 1,
                    hint: "Name the column with \(option); the header has: \(table.header.joined(separator: ", ")).")
            }
            return i
        }
        let input = try column(inputColumn, "--input-column")
        let expected = try expectedColumn.map { try column($0, "--expected-column") }
        let id = try idColumn.map { try column($0, "--id-column") }
        return table.rows.map { row in
            let source = "\(display):\(row.line)"
            let assertion: (type: String, mapped: MappedAssertion)
            if let expected {
                let e = row.fields[expected]
                assertion =
                    e.isEmpty
                    ? ("empty expected", .notMapped(reason: "the expected column is empty"))
                    : ("expected column", .mapped(.exact, expected: .string(e)))
            } else {
                // No expected column: cases for a suite whose scorer needs none (a judge, a schema).
                assertion = ("no expected column", .mapped(.judge, expected: nil))
            }
            let ownID = id.map { row.fields[$0] }.flatMap { $0.isEmpty ? nil : $0 }
            return ReadTest(source: source, id: ownID, input: .string(row.fields[input]), assertions: [assertion])
        }
    }
}
