/// Text operations that Foundation's `NSString` bridge used to provide, written over Unicode
/// scalars so that they match what it did (it searched and trimmed by UTF-16 unit, not by
/// grapheme cluster: "\r\n" contains "\n"), and so that evalguard links no Foundation beyond
/// FoundationEssentials (see docs/performance-startup.md).
extension StringProtocol {
    /// Without leading and trailing spaces and tabs (Unicode category Zs, U+0009 and U+200B), as
    /// `trimmingCharacters(in: .whitespaces)` did.
    package func trimmingWhitespace() -> String {
        trimmingScalars { isSpace($0) && !isNewline($0) }
    }

    /// Without leading and trailing white space and line breaks (the Unicode White_Space property
    /// and U+200B), as `trimmingCharacters(in: .whitespacesAndNewlines)` did.
    package func trimmingWhitespaceAndNewlines() -> String {
        trimmingScalars(isSpace)
    }

    private func trimmingScalars(_ trimmed: (Unicode.Scalar) -> Bool) -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !trimmed($0) }),
            let last = scalars.lastIndex(where: { !trimmed($0) })
        else { return "" }
        return String(self[first..<scalars.index(after: last)])
    }

    /// Whether `other` occurs in the text, compared by Character as `contains` in Foundation did
    /// (canonically equivalent spellings match; "e" is not found in "e\u{301}"), except that a
    /// line break is found inside "\r\n" as it was.
    package func containsText<T: StringProtocol>(_ other: T) -> Bool {
        guard !other.isEmpty else { return false }
        if contains(other) { return true }
        let breaksLine = other.unicodeScalars.contains { $0 == "\r" || $0 == "\n" }
        return breaksLine && rangeOfText(other) != nil
    }

    /// The first occurrence of `other`, compared scalar by scalar; nil when absent or empty.
    package func rangeOfText<T: StringProtocol>(_ other: T) -> Range<Index>? {
        let needle = Array(other.unicodeScalars)
        guard let head = needle.first else { return nil }
        let scalars = unicodeScalars
        var i = scalars.startIndex
        while let start = scalars[i...].firstIndex(of: head) {
            var j = start
            var k = 0
            while k < needle.count, j < scalars.endIndex, scalars[j] == needle[k] {
                scalars.formIndex(after: &j)
                k += 1
            }
            if k == needle.count { return start..<j }
            i = scalars.index(after: start)
        }
        return nil
    }

    /// Every occurrence of `target` replaced by `replacement`, left to right and not overlapping,
    /// compared scalar by scalar, as `replacingOccurrences(of:with:)` did.
    package func replacingText<T: StringProtocol, R: StringProtocol>(_ target: T, with replacement: R) -> String {
        var result = ""
        var rest = self[...]
        while let found = rest.rangeOfText(target) {
            result += rest[..<found.lowerBound]
            result += replacement
            rest = rest[found.upperBound...]
        }
        result += rest
        return result
    }
}

extension String {
    /// Cut or padded with spaces to `length` characters, as `padding(toLength:withPad: " ",
    /// startingAt: 0)` did for the ASCII names it aligns.
    package func padded(to length: Int) -> String {
        count >= length ? String(prefix(length)) : self + String(repeating: " ", count: length - count)
    }
}

/// White space as Foundation's character sets had it on Linux: White_Space and U+200B.
private func isSpace(_ s: Unicode.Scalar) -> Bool {
    s.properties.isWhitespace || s == "\u{200B}"
}

private func isNewline(_ s: Unicode.Scalar) -> Bool {
    switch s.value {
    case 0x0A...0x0D, 0x85, 0x2028, 0x2029: true
    default: false
    }
}

/// Percent-encoding (RFC 3986) of URL parts and proxy credentials.
package enum PercentEncoding {
    /// `text` with `%XX` sequences decoded; nil when one is malformed or the bytes are not UTF-8,
    /// as `removingPercentEncoding` did.
    package static func decode<S: StringProtocol>(_ text: S) -> String? {
        var bytes: [UInt8] = []
        var utf8 = text.utf8.makeIterator()
        while let b = utf8.next() {
            guard b == UInt8(ascii: "%") else {
                bytes.append(b)
                continue
            }
            guard let h = utf8.next().flatMap(hexValue), let l = utf8.next().flatMap(hexValue) else { return nil }
            bytes.append(h << 4 | l)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    /// `text` with every byte outside a URL path's allowed set (unreserved, sub-delims but ";", "@"
    /// and "/") written as `%XX`, as `addingPercentEncoding(withAllowedCharacters: .urlPathAllowed)` did.
    package static func encodePath<S: StringProtocol>(_ text: S) -> String {
        var out = ""
        for b in text.utf8 {
            if pathAllowed(b) {
                out.unicodeScalars.append(Unicode.Scalar(b))
            } else {
                out += "%" + String(hexDigits[Int(b >> 4)]) + String(hexDigits[Int(b & 0xF)])
            }
        }
        return out
    }

    private static let hexDigits = Array("0123456789ABCDEF")

    private static func pathAllowed(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "-._~!$&'()*+,=@/".utf8.contains(b)
        }
    }

    private static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): b - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): b - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): b - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
