import FoundationEssentials

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A strict JSON parser over UTF-8 bytes. Used for JSON Lines case files and for the model's
/// responses: it is fast (the per-case hot path) and reports the byte column of a syntax error,
/// so messages can say `cases.jsonl:17:9: expected ',' or '}'`.
package struct JSONParser {
    package struct SyntaxError: Error, Equatable {
        /// Zero-based byte offset in the input.
        package var offset: Int
        package var message: String
    }

    /// Parses one JSON document; anything but white space after it is an error.
    package static func parse(_ text: String) throws(SyntaxError) -> JSONValue {
        var copy = text
        let result: Result<JSONValue, SyntaxError> = copy.withUTF8 { buffer in
            Result { () throws(SyntaxError) in try parse(buffer) }
        }
        return try result.get()
    }

    /// `lenient` also accepts the JSON5 forms people write in configuration files: trailing
    /// commas, single-quoted strings and unquoted keys (blank comments out first). It is used
    /// to point at the line of a syntax error Foundation's JSON5 decoder found but did not locate.
    package static func parse(_ bytes: UnsafeBufferPointer<UInt8>, lenient: Bool = false) throws(SyntaxError)
        -> JSONValue
    {
        var p = JSONParser(bytes: bytes, lenient: lenient)
        p.skipWhitespace()
        let value = try p.parseValue(depth: 0)
        p.skipWhitespace()
        if p.index < bytes.count { throw p.error("unexpected text after the JSON value") }
        return value
    }

    /// `parse`, keeping only the object members `keep` accepts (given the member's name and the
    /// first byte of its value) wherever they occur. The others are passed over (brackets and
    /// braces matched, strings skipped whole with memchr) without building anything: a reader
    /// that needs a stored result's figures, not its cases, reads a 4 MB result at memory speed.
    ///
    /// `until`: a member of the top-level object at which reading ends, with the members before
    /// it. Written with sorted keys, a document then costs only what precedes that member; what
    /// follows is not read, so not checked either.
    package static func parse(
        _ bytes: UnsafeBufferPointer<UInt8>, until: String? = nil,
        keep: @escaping (_ name: String, _ valueStart: UInt8) -> Bool
    ) throws(SyntaxError) -> JSONValue {
        var p = JSONParser(bytes: bytes, lenient: false, keep: keep)
        p.until = until
        p.skipWhitespace()
        let value = try p.parseValue(depth: 0)
        if p.stopped { return value }
        p.skipWhitespace()
        if p.index < bytes.count { throw p.error("unexpected text after the JSON value") }
        return value
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private let lenient: Bool
    private let keep: ((String, UInt8) -> Bool)?
    private var index = 0
    private var until: String?
    private var stopped = false
    private static let maxDepth = 512

    private init(bytes: UnsafeBufferPointer<UInt8>, lenient: Bool, keep: ((String, UInt8) -> Bool)? = nil) {
        self.bytes = bytes
        self.lenient = lenient
        self.keep = keep
    }

    private func error(_ message: String) -> SyntaxError { SyntaxError(offset: index, message: message) }

    private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    private mutating func parseValue(depth: Int) throws(SyntaxError) -> JSONValue {
        guard depth < Self.maxDepth else { throw error("nested too deeply") }
        guard let c = current else { throw error("unexpected end of input, expected a value") }
        switch c {
        case UInt8(ascii: "{"): return try parseObject(depth: depth)
        case UInt8(ascii: "["): return try parseArray(depth: depth)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "'") where lenient: return .string(try parseString(quote: UInt8(ascii: "'")))
        case UInt8(ascii: "t"):
            try expectWord("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectWord("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectWord("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw error("unexpected character '\(Character(Unicode.Scalar(c)))', expected a value")
        }
    }

    private mutating func expectWord(_ word: StaticString) throws(SyntaxError) {
        let start = index
        for i in 0..<word.utf8CodeUnitCount {
            guard index < bytes.count, bytes[index] == word.utf8Start[i] else {
                index = start
                throw error("invalid literal, expected '\(word)'")
            }
            index += 1
        }
    }

    private mutating func parseObject(depth: Int) throws(SyntaxError) -> JSONValue {
        index += 1
        var dict: [String: JSONValue] = [:]
        skipWhitespace()
        if current == UInt8(ascii: "}") {
            index += 1
            return .object(dict)
        }
        while true {
            skipWhitespace()
            if lenient && current == UInt8(ascii: "}") {
                index += 1
                return .object(dict)
            }
            let key: String
            if current == UInt8(ascii: "\"") {
                key = try parseString()
            } else if lenient, current == UInt8(ascii: "'") {
                key = try parseString(quote: UInt8(ascii: "'"))
            } else if lenient, let c = current, c.isIdentifierStart {
                let start = index
                while let c = current, c.isIdentifierStart || (c >= 0x30 && c <= 0x39) { index += 1 }
                key = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
            } else {
                throw error("expected a string key")
            }
            if depth == 0, let until, key == until {
                stopped = true
                return .object(dict)
            }
            skipWhitespace()
            guard current == UInt8(ascii: ":") else { throw error("expected ':' after key \"\(key)\"") }
            index += 1
            skipWhitespace()
            if let keep, let first = current, !keep(key, first) {
                try skipValue(depth: depth + 1)
            } else {
                dict[key] = try parseValue(depth: depth + 1)
            }
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"):
                index += 1
                return .object(dict)
            default: throw error("expected ',' or '}' in object")
            }
        }
    }

    private mutating func parseArray(depth: Int) throws(SyntaxError) -> JSONValue {
        index += 1
        var items: [JSONValue] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") {
            index += 1
            return .array(items)
        }
        while true {
            skipWhitespace()
            if lenient && current == UInt8(ascii: "]") {
                index += 1
                return .array(items)
            }
            items.append(try parseValue(depth: depth + 1))
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"):
                index += 1
                return .array(items)
            default: throw error("expected ',' or ']' in array")
            }
        }
    }

    private mutating func parseString(quote: UInt8 = UInt8(ascii: "\"")) throws(SyntaxError) -> String {
        index += 1
        let start = index
        // Fast path: no escapes.
        while index < bytes.count {
            let c = bytes[index]
            if c == quote {
                let s = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                index += 1
                return s
            }
            if c == UInt8(ascii: "\\") { break }
            if c < 0x20 { throw error("control character in string (escape it)") }
            index += 1
        }
        var scalars = Array(UnsafeBufferPointer(rebasing: bytes[start..<index]))
        while true {
            guard let c = current else { throw error("unterminated string") }
            index += 1
            switch c {
            case quote:
                return String(decoding: scalars, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard let e = current else { throw error("unterminated string") }
                index += 1
                switch e {
                case UInt8(ascii: "\""): scalars.append(0x22)
                case UInt8(ascii: "'"): scalars.append(0x27)
                case UInt8(ascii: "\\"): scalars.append(0x5C)
                case UInt8(ascii: "/"): scalars.append(0x2F)
                case UInt8(ascii: "b"): scalars.append(0x08)
                case UInt8(ascii: "f"): scalars.append(0x0C)
                case UInt8(ascii: "n"): scalars.append(0x0A)
                case UInt8(ascii: "r"): scalars.append(0x0D)
                case UInt8(ascii: "t"): scalars.append(0x09)
                case UInt8(ascii: "u"):
                    var code = try parseHex4()
                    if (0xD800..<0xDC00).contains(code), current == UInt8(ascii: "\\"),
                        index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "u")
                    {
                        index += 2
                        let low = try parseHex4()
                        if (0xDC00..<0xE000).contains(low) {
                            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                        }
                    }
                    let scalar = Unicode.Scalar(code) ?? "\u{FFFD}"
                    scalars.append(contentsOf: Array(String(scalar).utf8))
                default:
                    index -= 1
                    throw error("invalid escape in string")
                }
            default:
                if c < 0x20 {
                    index -= 1
                    throw error("control character in string (escape it)")
                }
                scalars.append(c)
            }
        }
    }

    private mutating func parseHex4() throws(SyntaxError) -> UInt32 {
        var v: UInt32 = 0
        for _ in 0..<4 {
            guard let c = current else { throw error("unterminated \\u escape") }
            let d: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(c - UInt8(ascii: "A") + 10)
            default: throw error("invalid hex digit in \\u escape")
            }
            v = v * 16 + d
            index += 1
        }
        return v
    }

    private mutating func parseNumber() throws(SyntaxError) -> Double {
        let start = index
        if current == UInt8(ascii: "-") { index += 1 }
        guard let first = current, first >= UInt8(ascii: "0"), first <= UInt8(ascii: "9") else {
            throw error("invalid number")
        }
        if first == UInt8(ascii: "0") { index += 1 } else { skipDigits() }
        if current == UInt8(ascii: ".") {
            index += 1
            guard let d = current, d >= UInt8(ascii: "0"), d <= UInt8(ascii: "9") else {
                throw error("expected a digit after '.'")
            }
            skipDigits()
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            index += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
            guard let d = current, d >= UInt8(ascii: "0"), d <= UInt8(ascii: "9") else {
                throw error("expected a digit in exponent")
            }
            skipDigits()
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        guard let value = Double(text) else {
            index = start
            throw error("invalid number")
        }
        return value
    }

    /// Passes over one value: a string to its closing quote, an array or object to its matching
    /// bracket (strings inside skipped whole), anything else parsed and dropped.
    private mutating func skipValue(depth: Int) throws(SyntaxError) {
        switch current {
        case UInt8(ascii: "\""):
            index = try endOfString(index)
        case UInt8(ascii: "["), UInt8(ascii: "{"):
            // Raw bytes, not `current`: this loop runs over every byte of a result's cases.
            guard let base = bytes.baseAddress else { return }
            var closers: [UInt8] = []
            var i = index
            let end = bytes.count
            repeat {
                // Most bytes are neither quotes nor brackets: pass over them in a tight loop.
                while i < end && !Self.isStructural(base[i]) { i += 1 }
                guard i < end else {
                    index = i
                    throw error("unterminated array or object")
                }
                let c = base[i]
                if c == UInt8(ascii: "\"") {
                    i = try endOfString(i)
                    continue
                }
                if c == UInt8(ascii: "[") || c == UInt8(ascii: "{") {
                    closers.append(c + 2) // ']' and '}' follow '[' and '{' by two
                    guard depth + closers.count < Self.maxDepth else {
                        index = i
                        throw error("nested too deeply")
                    }
                } else if c == UInt8(ascii: "]") || c == UInt8(ascii: "}") {
                    guard closers.popLast() == c else {
                        index = i
                        throw error("unexpected '\(Character(Unicode.Scalar(c)))'")
                    }
                }
                i += 1
            } while !closers.isEmpty
            index = i
        default:
            _ = try parseValue(depth: depth)
        }
    }

    /// Whether `c` is a quote or a bracket: one shift and mask over a 128-bit set, no branch
    /// per kind (`"` is 0x22; `[` `]` `{` `}` are 0x5B 0x5D 0x7B 0x7D).
    @inline(__always)
    private static func isStructural(_ c: UInt8) -> Bool {
        let low: UInt64 = 1 << 0x22
        let high: UInt64 = 1 << (0x5B - 64) | 1 << (0x5D - 64) | 1 << (0x7B - 64) | 1 << (0x7D - 64)
        let word = c < 64 ? low : c < 128 ? high : 0
        return (word >> UInt64(c & 63)) & 1 != 0
    }

    /// The index after the string whose opening quote is at `start`.
    private func endOfString(_ start: Int) throws(SyntaxError) -> Int {
        guard let base = bytes.baseAddress else { throw error("unterminated string") }
        var j = start + 1
        while j < bytes.count, let found = memchr(base + j, 0x22, bytes.count - j) {
            let quote = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
            // A quote ends the string unless an odd number of backslashes escapes it.
            var escapes = 0
            while bytes[quote - 1 - escapes] == UInt8(ascii: "\\") { escapes += 1 }
            if escapes % 2 == 0 { return quote + 1 }
            j = quote + 1
        }
        throw SyntaxError(offset: start, message: "unterminated string")
    }

    private mutating func skipDigits() {
        while let c = current, c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") { index += 1 }
    }
}

extension UInt8 {
    fileprivate var isIdentifierStart: Bool {
        (self >= 0x41 && self <= 0x5A) || (self >= 0x61 && self <= 0x7A) || self == 0x5F || self == 0x24
    }
}
