import EvalGuardSupport

/// Reads YAML's flow collections (`[a, b]`, `{k: v}`) and quoted scalars, over as many lines as
/// they take (`chars` holds the rest of the document; `line` follows the newlines passed).
struct FlowScanner {
    var chars: [Character]
    var position: Int
    var line: Int
    let path: String

    func fail(_ message: String, hint: String? = nil) -> EvalGuardError {
        EvalGuardError(message, file: path, line: line, hint: hint)
    }

    var current: Character? { position < chars.count ? chars[position] : nil }

    mutating func advance() {
        if chars[position] == "\n" { line += 1 }
        position += 1
    }

    /// Spaces, newlines and comments between flow tokens.
    mutating func skipSpaces() {
        while let c = current {
            if c == " " || c == "\t" || c == "\n" {
                advance()
                continue
            }
            if c == "#", position == 0 || [" ", "\t", "\n"].contains(chars[position - 1]) {
                while let d = current, d != "\n" { advance() }
                continue
            }
            break
        }
    }

    mutating func flow() throws -> YAMLNode {
        skipSpaces()
        let start = line
        guard let c = current else { throw fail("the document ends inside a flow collection") }
        switch c {
        case "[":
            advance()
            var items: [YAMLNode] = []
            while true {
                skipSpaces()
                if current == "]" {
                    advance()
                    break
                }
                items.append(try flow())
                skipSpaces()
                if current == "," {
                    advance()
                    continue
                }
                if current == "]" {
                    advance()
                    break
                }
                throw fail("expected ',' or ']' in a flow sequence")
            }
            return .sequence(items, line: start)
        case "{":
            advance()
            var entries: [(key: String, value: YAMLNode)] = []
            while true {
                skipSpaces()
                if current == "}" {
                    advance()
                    break
                }
                let keyLine = line
                let key: String
                if current == "\"" || current == "'" {
                    key = try quoted()
                } else {
                    key = plain()
                }
                if entries.contains(where: { $0.key == key }) {
                    throw EvalGuardError("duplicate key '\(key)'", file: path, line: keyLine)
                }
                skipSpaces()
                var value = YAMLNode.scalar(.null, line: line)
                if current == ":" {
                    advance()
                    skipSpaces()
                    if current != "," && current != "}" { value = try flow() }
                }
                entries.append((key, value))
                skipSpaces()
                if current == "," {
                    advance()
                    continue
                }
                if current == "}" {
                    advance()
                    break
                }
                throw fail("expected ',' or '}' in a flow mapping")
            }
            return .mapping(entries, line: start)
        case "\"", "'":
            return .scalar(.string(try quoted()), line: start)
        case "&", "*", "!":
            throw fail("anchors, aliases and tags (&, *, !) are not supported", hint: "Write the value out in full.")
        default:
            let text = plain()
            guard !text.isEmpty else { throw fail("expected a value, found '\(c)'") }
            return .scalar(YAMLReader.resolve(text), line: start)
        }
    }

    /// A plain scalar inside a flow collection: up to `,`, a closing bracket, or `: `.
    mutating func plain() -> String {
        var text = ""
        while let c = current, c != ",", c != "]", c != "}", c != "\n" {
            if c == ":", position + 1 >= chars.count || [" ", ",", "}", "]", "\n"].contains(chars[position + 1]) {
                break
            }
            if c == "#", text.last == " " { break }
            text.append(c)
            advance()
        }
        return text.trimmingSpaces
    }

    /// A single- or double-quoted scalar; line breaks inside fold to a space (an empty line to "\n").
    mutating func quoted() throws -> String {
        let quote = chars[position]
        let start = line
        advance()
        var text = ""
        while true {
            guard let c = current else {
                throw EvalGuardError(
                    "the quoted value is not closed", file: path, line: start, hint: "Close it with \(quote).")
            }
            if c == quote {
                if quote == "'", position + 1 < chars.count, chars[position + 1] == "'" {
                    text.append("'")
                    advance()
                    advance()
                    continue
                }
                advance()
                return text
            }
            if c == "\n" {
                while text.last == " " || text.last == "\t" { text.removeLast() }
                advance()
                var breaks = 0
                while let d = current, d == " " || d == "\t" || d == "\n" {
                    if d == "\n" { breaks += 1 }
                    advance()
                }
                text += breaks == 0 ? " " : String(repeating: "\n", count: breaks)
                continue
            }
            if c == "\\", quote == "\"" {
                advance()
                guard let e = current else { continue }
                advance()
                switch e {
                case "n": text.append("\n")
                case "t", "\t": text.append("\t")
                case "r": text.append("\r")
                case "0": text.append("\0")
                case "\"", "\\", "/", " ": text.append(e)
                case "e": text.append("\u{1B}")
                case "\n":
                    while let d = current, d == " " || d == "\t" { advance() }
                case "x", "u", "U":
                    let count = e == "x" ? 2 : e == "u" ? 4 : 8
                    let hex = String(chars[position..<min(position + count, chars.count)])
                    guard hex.count == count, let value = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(value)
                    else {
                        throw fail("invalid escape \\\(e)\(hex)")
                    }
                    text.unicodeScalars.append(scalar)
                    for _ in 0..<count { advance() }
                default: throw fail("unknown escape \\\(e) in a double-quoted value")
                }
                continue
            }
            text.append(c)
            advance()
        }
    }
}
