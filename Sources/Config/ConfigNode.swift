import EvalGuardSupport
import FoundationEssentials

/// The text of a configuration file, kept to turn a key path into a line number.
package struct ConfigSource: Sendable {
    /// Path shown in messages, relative to the repository root (".evals/evalguard.json").
    package var displayPath: String
    package var text: String
    /// Set on a variant's merged configuration: which values the variant wrote, so an error in
    /// one points at the variant's own line.
    package var overlay: ConfigOverlay?

    package init(displayPath: String, text: String) {
        self.displayPath = displayPath
        self.text = text
    }

    /// The line on which the value at `path` starts, found by following the keys in order through
    /// the text with comments blanked out, and an array's elements (`[2]`) by counting them. Good
    /// enough to point an editor at the right place.
    package func line(of path: [String]) -> Int? {
        let bytes = Array(Self.blankingComments(text).utf8)
        var position = 0
        for key in path {
            if key.hasPrefix("["), let index = Int(key.dropFirst().dropLast()) {
                guard let found = Self.element(index, in: bytes, from: position) else { break }
                position = found
                continue
            }
            guard let found = Self.find(key: key, in: bytes, from: position) else { break }
            position = found
        }
        guard position > 0 else { return nil }
        return bytes[..<position].reduce(1) { $1 == 0x0A ? $0 + 1 : $0 }
    }

    /// Where element `index` of the first array opening at or after `start` begins, counting
    /// the commas at its own depth outside strings; nil when the text has no such element.
    private static func element(_ index: Int, in bytes: [UInt8], from start: Int) -> Int? {
        var i = start
        var quote: UInt8? = nil
        // The key of the array (when `start` is at one) is a string to step over, not a value.
        while i < bytes.count {
            let c = bytes[i]
            if let q = quote {
                if c == UInt8(ascii: "\\") { i += 1 } else if c == q { quote = nil }
            } else if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") {
                quote = c
            } else if c == UInt8(ascii: "[") {
                break
            } else if c == UInt8(ascii: "{") || c == UInt8(ascii: "}") || c == UInt8(ascii: "]") {
                return nil
            }
            i += 1
        }
        guard i < bytes.count else { return nil }
        var depth = 0
        var commas = 0
        i += 1
        while commas < index {
            guard i < bytes.count else { return nil }
            let c = bytes[i]
            if let q = quote {
                if c == UInt8(ascii: "\\") { i += 1 } else if c == q { quote = nil }
            } else if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") {
                quote = c
            } else if c == UInt8(ascii: "[") || c == UInt8(ascii: "{") {
                depth += 1
            } else if c == UInt8(ascii: "]") || c == UInt8(ascii: "}") {
                if depth == 0 { return nil }
                depth -= 1
            } else if c == UInt8(ascii: ","), depth == 0 {
                commas += 1
            }
            i += 1
        }
        while i < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[i]) { i += 1 }
        return i < bytes.count && bytes[i] != UInt8(ascii: "]") ? i : nil
    }

    private static func find(key: String, in bytes: [UInt8], from start: Int) -> Int? {
        let candidates = [Array("\"\(key)\"".utf8), Array("'\(key)'".utf8), Array(key.utf8)]
        var i = start
        while i < bytes.count {
            for c in candidates where i + c.count <= bytes.count && Array(bytes[i..<i + c.count]) == c {
                var j = i + c.count
                while j < bytes.count, bytes[j] == 0x20 || bytes[j] == 0x09 { j += 1 }
                let boundary = i == 0 || !(bytes[i - 1].isIdentifierByte)
                if boundary, j < bytes.count, bytes[j] == UInt8(ascii: ":") { return i }
            }
            i += 1
        }
        return nil
    }

    /// Replaces `//` and `/* */` comments (outside strings) with spaces, keeping line breaks.
    static func blankingComments(_ text: String) -> String {
        var out = Array(text.utf8)
        var i = 0
        var quote: UInt8? = nil
        while i < out.count {
            let c = out[i]
            if let q = quote {
                if c == UInt8(ascii: "\\") {
                    i += 2
                    continue
                }
                if c == q { quote = nil }
            } else if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") {
                quote = c
            } else if c == UInt8(ascii: "/"), i + 1 < out.count, out[i + 1] == UInt8(ascii: "/") {
                while i < out.count, out[i] != 0x0A {
                    out[i] = 0x20
                    i += 1
                }
                continue
            } else if c == UInt8(ascii: "/"), i + 1 < out.count, out[i + 1] == UInt8(ascii: "*") {
                while i < out.count,
                    !(out[i] == UInt8(ascii: "*") && i + 1 < out.count && out[i + 1] == UInt8(ascii: "/"))
                {
                    if out[i] != 0x0A { out[i] = 0x20 }
                    i += 1
                }
                if i + 1 < out.count {
                    out[i] = 0x20
                    out[i + 1] = 0x20
                }
                i += 2
                continue
            }
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }
}

extension UInt8 {
    fileprivate var isIdentifierByte: Bool {
        (self >= 0x30 && self <= 0x39) || (self >= 0x41 && self <= 0x5A) || (self >= 0x61 && self <= 0x7A)
            || self == 0x5F
    }
}

/// A value in the configuration together with where it came from, so that every error can say
/// `.evals/evalguard.json:12: suites.intents.scorer: unknown scorer 'exakt'. Did you mean 'exact'?`.
package struct ConfigNode: Sendable {
    package let value: JSONValue
    package let path: [String]
    package let source: ConfigSource

    package init(value: JSONValue, path: [String] = [], source: ConfigSource) {
        self.value = value
        self.path = path
        self.source = source
    }

    /// Parses commented JSON (JSON5) with Foundation's decoder.
    package static func parse(_ source: ConfigSource) throws -> ConfigNode {
        let decoder = JSONDecoder()
        decoder.allowsJSON5 = true
        do {
            let value = try decoder.decode(JSONValue.self, from: Data(source.text.utf8))
            return ConfigNode(value: value, source: source)
        } catch {
            throw syntaxError(in: source.text, displayPath: source.displayPath)
        }
    }

    /// Foundation's decoder does not say where a syntax error is, so scan the text again with
    /// evalguard's own parser (comments blanked, JSON5's common forms allowed) to find the spot.
    package static func syntaxError(in text: String, displayPath: String) -> EvalGuardError {
        let bytes = Array(ConfigSource.blankingComments(text).utf8)
        do {
            _ = try bytes.withUnsafeBufferPointer { try JSONParser.parse($0, lenient: true) }
        } catch let error as JSONParser.SyntaxError {
            let before = bytes[..<min(error.offset, bytes.count)]
            let line = before.reduce(1) { $1 == 0x0A ? $0 + 1 : $0 }
            let column = before.count - (before.lastIndex(of: 0x0A).map { $0 + 1 } ?? 0) + 1
            return EvalGuardError("invalid JSON: \(error.message)", file: displayPath, line: line, column: column)
        } catch {}
        return EvalGuardError("invalid JSON (JSON5)", file: displayPath)
    }

    package var pathText: String { Self.pathText(path) }

    package func error(_ message: String, hint: String? = nil) -> EvalGuardError {
        if let overlay = source.overlay {
            return overlay.error(message, at: path, hint: hint, source: source)
        }
        let prefix = path.isEmpty ? "" : pathText + ": "
        return EvalGuardError(prefix + message, file: source.displayPath, line: source.line(of: path), hint: hint)
    }

    /// `models.drafter` or `suites.replies.scorer[0]`: a key path as messages show it.
    package static func pathText(_ path: [String]) -> String {
        path.reduce("") { $0.isEmpty || $1.hasPrefix("[") ? $0 + $1 : $0 + "." + $1 }
    }

    package func child(_ key: String, _ value: JSONValue) -> ConfigNode {
        ConfigNode(value: value, path: path + [key], source: source)
    }

    package var isNull: Bool { value == .null }

    /// The object's members; a key not in `allowed` is an error with a suggestion (the first
    /// such key in key order).
    package func object(allowed: [String]) throws -> [String: ConfigNode] {
        guard case .object(let dict) = value else { throw error("expected an object, found \(value.kindName)") }
        var members: [String: ConfigNode] = [:]
        // In key order, so that of several unknown keys the same one is named on every run.
        for (key, v) in dict.sorted(by: { $0.key < $1.key }) {
            guard allowed.contains(key) else {
                let hint =
                    Suggestion.closest(to: key, among: allowed).map { "Did you mean '\($0)'?" }
                    ?? "Known keys: " + allowed.joined(separator: ", ") + "."
                throw child(key, v).error("unknown key '\(key)'", hint: hint)
            }
            members[key] = child(key, v)
        }
        return members
    }

    /// An object whose keys are names chosen by the user (suite names, environment variables).
    package func dictionary() throws -> [(String, ConfigNode)] {
        guard case .object(let dict) = value else { throw error("expected an object, found \(value.kindName)") }
        return dict.sorted { $0.key < $1.key }.map { ($0.key, child($0.key, $0.value)) }
    }

    package func string() throws -> String {
        guard case .string(let s) = value else { throw error("expected a string, found \(value.kindName)") }
        return s
    }

    package func number() throws -> Double {
        guard case .number(let n) = value else { throw error("expected a number, found \(value.kindName)") }
        return n
    }

    package func number(in range: ClosedRange<Double>) throws -> Double {
        let n = try number()
        guard range.contains(n) else {
            throw error("\(n) is out of range (\(range.lowerBound) to \(range.upperBound))")
        }
        return n
    }

    package func positiveInt() throws -> Int {
        let n = try number()
        guard n >= 1, n == n.rounded(), n < 1_000_000 else {
            throw error("expected a whole number of at least 1, found \(n)")
        }
        return Int(n)
    }

    package func bool() throws -> Bool {
        guard case .bool(let b) = value else { throw error("expected true or false, found \(value.kindName)") }
        return b
    }

    package func strings() throws -> [String] {
        guard case .array(let items) = value else {
            throw error("expected an array of strings, found \(value.kindName)")
        }
        return try items.enumerated().map { try child("[\($0.offset)]", $0.element).string() }
    }
}
