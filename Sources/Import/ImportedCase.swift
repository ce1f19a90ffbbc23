import EvalGuardSupport
import FoundationEssentials

/// A case read from another tool's file or from production records, before it is written.
package struct ImportedCase: Sendable {
    package var id: String
    package var input: JSONValue
    /// nil: the case has none (a judged suite's case, or one a person labels).
    package var expected: JSONValue?
    /// Where it came from, for messages: `tests.yaml:14`, `log.jsonl:3`, `spans.json: span 5e…`.
    package var source: String
    /// The answer production gave, shown to whoever labels the case (`cases add --label`).
    package var output: JSONValue?

    package init(id: String? = nil, input: JSONValue, expected: JSONValue?, source: String, output: JSONValue? = nil) {
        self.input = input
        self.expected = expected
        self.source = source
        self.output = output
        self.id = id ?? Self.contentID(input: input, expected: expected)
    }

    /// An id derived from the content, so the same case imported again has the same id:
    /// `case-` and 12 hex digits of the SHA-256 of its canonical input and expected answer.
    package static func contentID(input: JSONValue, expected: JSONValue?) -> String {
        let text = JSONValue.object(["input": input, "expected": expected ?? .null]).canonicalText
        return "case-" + hex(SHA256.digest(Array(text.utf8)).prefix(6))
    }

    /// The digest `--dedupe` compares inputs by: SHA-256 of the canonical JSON text.
    package static func inputDigest(_ input: JSONValue) -> String {
        hex(SHA256.digest(Array(input.canonicalText.utf8)))
    }

    static func hex<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        bytes.map { String(cFormat: "%02x", $0) }.joined()
    }

    /// The case line: id, input, expected (when there is one), in that order.
    package var line: String {
        var out = "{\"id\":"
        JSONWriter.writeString(id, to: &out)
        out += ",\"input\":"
        JSONWriter.write(input, to: &out)
        if let expected {
            out += ",\"expected\":"
            JSONWriter.write(expected, to: &out)
        }
        return out + "}"
    }

    /// A line of the labelling file: the case with the answer production gave and an empty
    /// `human` for a person to set to "pass" or "fail".
    package var labelLine: String {
        var out = String(line.dropLast())
        out += ",\"output\":"
        JSONWriter.write(output ?? .null, to: &out)
        return out + ",\"human\":\"\"}"
    }
}

/// Why a case was not written, with where it came from.
package struct SkippedCase: Sendable, Equatable {
    package var source: String
    package var reason: String
}

/// Picks `count` of `cases` by a seeded draw that depends on each case's id, not on its place:
/// the same seed picks the same cases from a log that grew. Keeps the cases' order.
package func seededSample(_ cases: [ImportedCase], count: Int, seed: String) -> [ImportedCase] {
    guard cases.count > count else { return cases }
    let keys = cases.map { SHA256.digest(Array((seed + "\u{0}" + $0.id).utf8)) }
    let ranked = cases.indices.sorted { keys[$0].lexicographicallyPrecedes(keys[$1]) }
    let chosen = Set(ranked.prefix(count))
    return cases.indices.filter(chosen.contains).map { cases[$0] }
}
