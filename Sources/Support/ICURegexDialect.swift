/// The ICU syntax the `regex` scorer and JSON Schema patterns are written in, carried over to the
/// standard library's `Regex` where the two differ in meaning, and named where `Regex` has no
/// equivalent (so a rejected pattern says what to write instead).
enum ICURegexDialect {
    /// ICU's `$` outside multi-line mode: at the end of the text or before a final line terminator
    /// (`Regex`'s `$` matches only at the very end; `anchorsMatchLineEndings` would also match
    /// before every line break).
    static let endOfText = #"(?=(?:\r\n|[\n\r\x{85}\x{2028}\x{2029}])?\z)"#

    /// `source` with each `$` that ICU reads as "end of text" written as `endOfText`: a `$`
    /// outside a character class, `\Q...\E`, a `(?#...)` comment and multi-line mode.
    static func translated(_ source: String) -> String {
        let s = Array(source.unicodeScalars)
        var out = String.UnicodeScalarView()
        var multiLine = false
        var enclosing: [Bool] = [] // multi-line mode outside each open group
        var classDepth = 0
        var quoted = false
        var i = 0
        func copy(_ n: Int) {
            out.append(contentsOf: s[i..<min(i + n, s.count)])
            i += n
        }
        while i < s.count {
            let c = s[i]
            if quoted {
                if c == "\\", i + 1 < s.count, s[i + 1] == "E" { quoted = false }
                copy(c == "\\" ? 2 : 1)
                continue
            }
            if c == "\\" {
                if i + 1 < s.count, s[i + 1] == "Q" { quoted = true }
                copy(2)
                continue
            }
            if classDepth > 0 {
                if c == "[" { classDepth += 1 } else if c == "]" { classDepth -= 1 }
                copy(1)
                continue
            }
            switch c {
            case "[":
                classDepth = 1
                copy(1)
                // A `]` first in a class is literal.
                if i < s.count, s[i] == "^" { copy(1) }
                if i < s.count, s[i] == "]" { copy(1) }
            case "(":
                enclosing.append(multiLine)
                if i + 2 < s.count, s[i + 1] == "?", s[i + 2] == "#" {
                    enclosing.removeLast()
                    while i < s.count, s[i] != ")" { copy(1) }
                    copy(1)
                    continue
                }
                if let (mode, closes, length) = flags(s, at: i) {
                    if closes { enclosing.removeLast() }
                    multiLine = mode ?? multiLine
                    copy(length)
                    continue
                }
                copy(1)
            case ")":
                if let outer = enclosing.popLast() { multiLine = outer }
                copy(1)
            case "$" where !multiLine:
                out.append(contentsOf: endOfText.unicodeScalars)
                i += 1
            default:
                copy(1)
            }
        }
        return String(out)
    }

    /// A flag group at `i`, `(?im-sx)` or `(?m:`: the multi-line mode it sets (nil when it does
    /// not name `m`), whether it is a whole group (`)`) rather than opening one (`:`), its length.
    private static func flags(_ s: [Unicode.Scalar], at start: Int) -> (Bool?, Bool, Int)? {
        guard start + 1 < s.count, s[start + 1] == "?" else { return nil }
        var i = start + 2
        var on = true
        var mode: Bool?
        while i < s.count, "imswx-".unicodeScalars.contains(s[i]) {
            if s[i] == "-" { on = false } else if s[i] == "m" { mode = on }
            i += 1
        }
        guard i > start + 2, i < s.count, s[i] == ")" || s[i] == ":" else { return nil }
        return (mode, s[i] == ")", i + 1 - start)
    }

    /// What to write instead of an ICU construct `Regex` rejects (nil when none is known).
    static func hint(for source: String) -> String? {
        if source.contains("(?<=") || source.contains("(?<!") {
            return "lookbehind ((?<=...), (?<!...)) is not supported: match the preceding text as part of the pattern"
        }
        if source.contains("\\c") {
            return "control escapes (\\cA) are not supported: write the character as \\x{01}"
        }
        if source.contains("(?w") {
            return "the (?w) flag is not supported: \\b uses ICU's simple word boundaries"
        }
        if source.contains("[") && source.contains("-") {
            return "a '-' next to a class escape such as \\w inside [...] must be escaped: write [\\w\\-.]"
        }
        return nil
    }
}
