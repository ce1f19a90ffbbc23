import EvalGuardConfig
import EvalGuardSupport
import FoundationEssentials

/// The case file imported cases are appended to: the ids and input digests it already holds,
/// and one atomic write of the old content plus the new lines.
package struct CaseTarget {
    package let path: String
    package let displayPath: String
    package private(set) var existing: [UInt8]
    package private(set) var ids: Set<String> = []
    package private(set) var inputDigests: Set<String> = []
    /// Checks each new case's `expected` (the configured suite's scorer), when there is one.
    package var scorer: Scorer?

    /// Reads the file if it exists; a line that is not a case object is an error naming it,
    /// since appending to a file evalguard cannot read would hide the problem.
    package init(path: String, displayPath: String, scorer: Scorer?) throws {
        self.path = path
        self.displayPath = displayPath
        self.scorer = scorer
        existing = FileManager.default.contents(atPath: path).map(Array.init) ?? []
        var lineNumber = 0
        // A byte order mark is skipped as the case file's reader skips it (and kept when appending).
        for raw in existing.dropFirst(TextBytes.byteOrderMarkLength(existing)).split(
            separator: 0x0A, omittingEmptySubsequences: false)
        {
            lineNumber += 1
            let line = raw.last == 0x0D ? raw.dropLast() : raw[...]
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            let value: JSONValue
            do throws(JSONParser.SyntaxError) {
                value = try JSONParser.parse(String(decoding: line, as: UTF8.self))
            } catch {
                throw EvalGuardError(
                    error.message, file: displayPath, line: lineNumber,
                    hint: "Fix the case file before importing into it.")
            }
            guard let id = Self.id(of: value) else {
                throw EvalGuardError(
                    "expected a case object with an \"id\"", file: displayPath, line: lineNumber,
                    hint: "Fix the case file before importing into it.")
            }
            ids.insert(id)
            if let input = value["input"] { inputDigests.insert(ImportedCase.inputDigest(input)) }
        }
    }

    static func id(of value: JSONValue) -> String? {
        switch value["id"] {
        case .string(let s)?: s
        case .number(let n)? where n == n.rounded() && n.magnitude <= 9_007_199_254_740_992: String(Int64(n))
        default: nil
        }
    }

    /// Splits `cases` into those to write, those already in the file (by id: counted, as a
    /// re-import skips them all) and those skipped with why: the same as an earlier one, an
    /// input already there under `dedupe`, an `expected` the suite's scorer cannot score.
    package func select(_ cases: [ImportedCase], dedupe: Bool) -> (
        new: [ImportedCase], present: Int, skipped: [SkippedCase]
    ) {
        var seenIDs = ids
        var seenInputs = inputDigests
        var new: [ImportedCase] = []
        var skipped: [SkippedCase] = []
        var present = 0
        for c in cases {
            if ids.contains(c.id) {
                present += 1
                continue
            }
            if seenIDs.contains(c.id) {
                skipped.append(
                    SkippedCase(source: c.source, reason: "the same id as an earlier case of this import (\(c.id))"))
                continue
            }
            let digest = ImportedCase.inputDigest(c.input)
            if dedupe, seenInputs.contains(digest) {
                skipped.append(SkippedCase(source: c.source, reason: "its input is already a case's input (--dedupe)"))
                continue
            }
            if let scorer, let problem = scorer.problem(withExpected: c.expected) {
                skipped.append(SkippedCase(source: c.source, reason: problem))
                continue
            }
            seenIDs.insert(c.id)
            seenInputs.insert(digest)
            new.append(c)
        }
        return (new, present, skipped)
    }

    /// Writes the file's content and the new lines at once: a reader sees the old file or the
    /// new one, never part of an import. Nothing is written when there is nothing new.
    package func append(_ cases: [ImportedCase]) throws {
        guard !cases.isEmpty else { return }
        var bytes = existing
        if let last = bytes.last, last != 0x0A { bytes.append(0x0A) }
        for c in cases { bytes += Array((c.line + "\n").utf8) }
        try AtomicFile.writeOutput(bytes, to: path)
    }
}
