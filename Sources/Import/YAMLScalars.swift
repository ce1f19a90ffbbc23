import EvalGuardSupport

/// Block scalars and the resolution of plain scalars, for `YAMLReader`.
extension YAMLReader {
    /// `|` and `>` with an optional chomping indicator (`-`, `+`) and indentation digit.
    mutating func blockScalar(header: String, line: Int, parentIndent: Int) throws -> YAMLNode {
        var h = Substring(header)
        let literal = h.removeFirst() == "|"
        var chomp: Character = " "
        var explicitIndent: Int?
        while let c = h.first, c != " ", c != "#" {
            if c == "-" || c == "+" {
                chomp = c
            } else if let d = c.wholeNumberValue, d > 0 {
                explicitIndent = d
            } else {
                throw fail("invalid block scalar header '\(header)'", line: line)
            }
            h.removeFirst()
        }
        let tail = h.trimmingSpaces
        guard tail.isEmpty || tail.hasPrefix("#") else {
            throw fail("unexpected text after the block scalar header", line: line)
        }
        var body: [String] = []
        var contentIndent = explicitIndent.map { max(parentIndent, 0) + $0 }
        while index < lines.count {
            let l = lines[index]
            let blank = l.allSatisfy { $0 == " " }
            if !blank {
                let n = Self.indent(of: l)
                let indent = contentIndent ?? n
                contentIndent = indent
                guard n >= indent, n > parentIndent else { break }
            }
            body.append(l)
            index += 1
        }
        let indent = contentIndent ?? 0
        var texts = body.map { $0.count > indent ? String($0.dropFirst(indent)) : "" }
        var trailing = 0
        while let last = texts.last, last.isEmpty {
            texts.removeLast()
            trailing += 1
        }
        var text: String
        if literal {
            text = texts.joined(separator: "\n")
        } else {
            text = ""
            var previousPlain = false
            for (i, t) in texts.enumerated() {
                let moreIndented = t.hasPrefix(" ")
                if i > 0 {
                    if t.isEmpty {
                        text += "\n"
                    } else if previousPlain && !moreIndented && !texts[i - 1].isEmpty {
                        text += " "
                    } else if !texts[i - 1].isEmpty || moreIndented {
                        text += "\n"
                    }
                }
                text += t
                previousPlain = !t.isEmpty && !moreIndented
            }
        }
        if !texts.isEmpty {
            switch chomp {
            case "-": break
            case "+": text += String(repeating: "\n", count: trailing + 1)
            default: text += "\n"
            }
        }
        return .scalar(.string(text), line: line)
    }

    /// YAML 1.2's core schema: null, booleans, integers and floats; anything else is a string.
    static func resolve(_ plain: String) -> JSONValue {
        switch plain {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        default: break
        }
        let unsigned = plain.hasPrefix("-") || plain.hasPrefix("+") ? plain.dropFirst() : Substring(plain)
        if !unsigned.isEmpty, unsigned.allSatisfy(\.isASCII), unsigned.allSatisfy({ $0.isNumber }),
            let n = Double(plain)
        {
            return .number(n)
        }
        if plain.hasPrefix("0x"), let n = Int64(plain.dropFirst(2), radix: 16) { return .number(Double(n)) }
        if plain.hasPrefix("0o"), let n = Int64(plain.dropFirst(2), radix: 8) { return .number(Double(n)) }
        let floatChars = Set("0123456789.eE+-")
        if unsigned.contains(where: \.isNumber), plain.allSatisfy({ floatChars.contains($0) }), let n = Double(plain),
            n.isFinite
        {
            return .number(n)
        }
        return .string(plain)
    }
}
