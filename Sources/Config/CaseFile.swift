import EvalGuardSupport
import FoundationEssentials

/// One eval case: an input for the model and what a right answer looks like.
///
/// A run holds every case until its result is made, so the small fields sit in the padding
/// after `input`, and the rare ones in one shared box (72 bytes a case rather than 96).
package struct EvalCase: Sendable {
    package var id: String
    package var input: JSONValue
    /// `"human": "pass"` or `"fail"`: a person's verdict, which `evalguard judge calibrate`
    /// holds the judge against.
    package var human: Bool?
    private var lineNumber: UInt32
    package var expected: JSONValue
    private var rare: Rare?

    /// Set on few cases; a class, so a case without them pays one pointer.
    private final class Rare: Sendable {
        let toolResults: JSONValue
        init(toolResults: JSONValue) { self.toolResults = toolResults }
    }

    init(
        id: String, input: JSONValue, expected: JSONValue, line: Int, human: Bool? = nil, toolResults: JSONValue? = nil
    ) {
        (self.id, self.input, self.expected, self.human) = (id, input, expected, human)
        lineNumber = UInt32(clamping: line)
        rare = toolResults.map(Rare.init)
    }

    /// `"tool_results"`: the canned answers an agent loop gives the model's tool calls,
    /// `[{"name", "arguments"?, "result"}]`. Part of what the answer depends on, as `input` is.
    package var toolResults: JSONValue? { rare?.toolResults }

    /// What the model's answer depends on in the case, as canonical text: its input, and its
    /// canned tool results when it has them (a case without keeps the digest of its input alone).
    package var answerInputText: String {
        input.canonicalText + (toolResults.map { "\ntool_results " + $0.canonicalText } ?? "")
    }

    /// 1-based line in the case file.
    package var line: Int {
        get { Int(lineNumber) }
        set { lineNumber = UInt32(clamping: newValue) }
    }
}

/// Reads a suite's JSON Lines case file, checking every line before anything runs.
package enum CaseFile {
    /// Parses `bytes` (the file's content); `displayPath` names it in errors.
    package static func parse(_ bytes: [UInt8], displayPath: String, scorer: Scorer) throws -> [EvalCase] {
        var cases: [EvalCase] = []
        // One case a line at most: reserved once rather than grown by doubling (up to twice the room).
        cases.reserveCapacity(bytes.reduce(1) { $1 == 0x0A ? $0 + 1 : $0 })
        var firstLine: [String: Int] = [:]
        var lineNumber = 0
        var start = TextBytes.byteOrderMarkLength(bytes)
        try bytes.withUnsafeBufferPointer { all in
            while start < all.count {
                lineNumber += 1
                var end = start
                while end < all.count, all[end] != 0x0A { end += 1 }
                var lineEnd = end
                if lineEnd > start, all[lineEnd - 1] == 0x0D { lineEnd -= 1 }
                let line = UnsafeBufferPointer(rebasing: all[start..<lineEnd])
                start = end + 1
                if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
                if let offset = TextBytes.firstInvalidUTF8(line) {
                    throw EvalGuardError(
                        TextBytes.invalidMessage, file: displayPath, line: lineNumber, column: offset + 1,
                        hint: TextBytes.invalidHint)
                }
                let value: JSONValue
                do {
                    value = try JSONParser.parse(line)
                } catch let error as JSONParser.SyntaxError {
                    throw EvalGuardError(error.message, file: displayPath, line: lineNumber, column: error.offset + 1)
                }
                let c = try evalCase(value, line: lineNumber, displayPath: displayPath, scorer: scorer)
                if let first = firstLine[c.id] {
                    throw EvalGuardError(
                        "duplicate id \(JSONValue.string(c.id).canonicalText): already used at line \(first)",
                        file: displayPath, line: lineNumber, hint: "Case ids must be unique within a suite.")
                }
                firstLine[c.id] = lineNumber
                cases.append(c)
            }
        }
        guard !cases.isEmpty else {
            throw EvalGuardError(
                "the suite has no cases", file: displayPath,
                hint:
                    "Add one JSON object per line: {\"id\": \"greeting-1\", \"input\": \"hello\", \"expected\": \"greeting\"}"
            )
        }
        return cases
    }

    private static func evalCase(_ value: JSONValue, line: Int, displayPath: String, scorer: Scorer) throws -> EvalCase
    {
        func fail(_ message: String) -> EvalGuardError { EvalGuardError(message, file: displayPath, line: line) }
        guard case .object(let o) = value else {
            throw fail("expected an object with \"id\", \"input\" and \"expected\", found \(value.kindName)")
        }
        let id: String
        switch o["id"] {
        case .string(let s) where !s.isEmpty: id = s
        case .number(let n) where n == n.rounded():
            // Beyond 2^53 a double no longer holds every whole number: the id would not be the one written.
            guard n.magnitude <= 9_007_199_254_740_992 else {
                throw EvalGuardError(
                    "\"id\" \(JSONWriter.numberText(n)) is too large to keep exactly as a number",
                    file: displayPath, line: line,
                    hint:
                        "Write the id as a string, for example \"id\": \"case-1\"; numbers up to 9007199254740992 are kept as written."
                )
            }
            id = String(Int64(n))
        case nil: throw fail("missing \"id\"")
        case let other?: throw fail("\"id\" must be a non-empty string, found \(other.kindName)")
        }
        guard let input = o["input"] else { throw fail("case \(id): missing \"input\"") }
        // Optional: a judge, a scoring program or a schema says what is right without it (and sees
        // null); a scorer that compares with it says so for this line.
        let expected = o["expected"]
        if let problem = scorer.problem(withExpected: expected) { throw fail("case \(id): \(problem)") }
        var human: Bool?
        switch o["human"] {
        case nil: break
        case .string("pass")?: human = true
        case .string("fail")?: human = false
        case let other?:
            throw fail(
                "case \(id): \"human\" is a person's verdict, \"pass\" or \"fail\"; found \(other.canonicalText)")
        }
        let toolResults = try o["tool_results"].map { try checkedToolResults($0, id: id, fail: fail) }
        return EvalCase(
            id: id, input: input, expected: expected ?? .null, line: line, human: human, toolResults: toolResults)
    }

    /// `[{"name": "lookup_order", "arguments"?: {...}, "result": <JSON>}]`.
    private static func checkedToolResults(_ value: JSONValue, id: String, fail: (String) -> EvalGuardError) throws
        -> JSONValue
    {
        let shape = "[{\"name\": \"<tool>\", \"arguments\"?: {...}, \"result\": <JSON>}]"
        guard case .array(let entries) = value else {
            throw fail("case \(id): \"tool_results\" must be an array \(shape), found \(value.kindName)")
        }
        for (i, entry) in entries.enumerated() {
            guard case .object(let o) = entry else {
                throw fail("case \(id): tool_results[\(i)] must be an object \(shape), found \(entry.kindName)")
            }
            guard case .string(let name)? = o["name"], !name.isEmpty else {
                throw fail("case \(id): tool_results[\(i)] needs \"name\", the tool's name")
            }
            guard o["result"] != nil else {
                throw fail("case \(id): tool_results[\(i)] (\(name)) needs \"result\", the JSON the tool answers")
            }
            if let unknown = o.keys.sorted().first(where: { !["name", "arguments", "result"].contains($0) }) {
                throw fail("case \(id): tool_results[\(i)]: unknown key '\(unknown)' (name, arguments, result)")
            }
        }
        return value
    }
}
