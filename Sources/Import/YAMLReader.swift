import EvalGuardSupport

/// A YAML node with the line it starts on, so an importer can name the line of a test.
package indirect enum YAMLNode: Sendable, Equatable {
    case scalar(JSONValue, line: Int)
    case sequence([YAMLNode], line: Int)
    /// Keys in the order written.
    case mapping([(key: String, value: YAMLNode)], line: Int)

    package var line: Int {
        switch self {
        case .scalar(_, let line), .sequence(_, let line), .mapping(_, let line): line
        }
    }

    package subscript(key: String) -> YAMLNode? {
        guard case .mapping(let entries, _) = self else { return nil }
        return entries.first { $0.key == key }?.value
    }

    package var json: JSONValue {
        switch self {
        case .scalar(let v, _): v
        case .sequence(let items, _): .array(items.map(\.json))
        case .mapping(let entries, _):
            .object(Dictionary(entries.map { ($0.key, $0.value.json) }, uniquingKeysWith: { a, _ in a }))
        }
    }

    package static func == (a: YAMLNode, b: YAMLNode) -> Bool { a.json == b.json && a.line == b.line }
}

/// A strict reader of the YAML that test configurations are written in: block mappings and
/// sequences, plain, quoted, literal (`|`) and folded (`>`) scalars, flow collections, comments.
/// What it does not read (anchors, aliases, tags, complex keys, several documents) is an error
/// naming the line, never a guess: evalguard has no YAML library, and a silently misread test
/// would become a wrong case.
package struct YAMLReader {
    var lines: [String]
    var index = 0
    let path: String

    /// Parses `text`; `path` names the file in errors.
    package static func parse(_ text: String, path: String) throws -> YAMLNode {
        var reader = YAMLReader(lines: text.textLines.map(String.init), path: path)
        return try reader.document()
    }

    func fail(_ message: String, line: Int, hint: String? = nil) -> EvalGuardError {
        EvalGuardError(message, file: path, line: line, hint: hint)
    }

    static func indent(of line: String) -> Int { line.prefix { $0 == " " }.count }

    /// Blank or comment-only.
    static func isBlank(_ line: String) -> Bool {
        let t = line.drop { $0 == " " || $0 == "\t" }
        return t.isEmpty || t.first == "#"
    }

    func checkTabs(_ line: String, _ indent: Int) throws {
        if line.dropFirst(indent).first == "\t" {
            throw fail("a tab indents this line: YAML indents with spaces", line: index + 1)
        }
    }

    mutating func skipBlank() {
        while index < lines.count, Self.isBlank(lines[index]) { index += 1 }
    }

    mutating func document() throws -> YAMLNode {
        skipBlank()
        if index < lines.count, lines[index].hasPrefix("%") {
            throw fail("YAML directives (%) are not supported", line: index + 1)
        }
        if index < lines.count, lines[index] == "---" || lines[index].hasPrefix("--- ") {
            let rest = lines[index].dropFirst(3).trimmingSpaces
            if rest.isEmpty || rest.hasPrefix("#") { index += 1 } else { lines[index] = "    " + rest }
        }
        skipBlank()
        guard index < lines.count else { return .scalar(.null, line: max(1, index)) }
        let node = try node(minIndent: 0, parentIndent: -1)
        skipBlank()
        if index < lines.count {
            if lines[index].hasPrefix("---") || lines[index].hasPrefix("...") {
                if lines[index].hasPrefix("...") {
                    index += 1
                    skipBlank()
                }
                if index < lines.count {
                    throw fail("several YAML documents in one file are not supported", line: index + 1)
                }
            } else {
                throw fail("unexpected text after the document (check the indentation)", line: index + 1)
            }
        }
        return node
    }

    /// The block node starting at the next non-blank line, indented at least `minIndent`.
    mutating func node(minIndent: Int, parentIndent: Int) throws -> YAMLNode {
        skipBlank()
        guard index < lines.count else { return .scalar(.null, line: index) }
        let line = lines[index]
        let n = Self.indent(of: line)
        try checkTabs(line, n)
        guard n >= minIndent else { return .scalar(.null, line: index + 1) }
        let content = String(line.dropFirst(n))
        if content == "-" || content.hasPrefix("- ") { return try sequence(indent: n) }
        if try keySplit(content, line: index + 1) != nil { return try mapping(indent: n) }
        let lineNumber = index + 1
        index += 1
        return try inlineValue(content, line: lineNumber, parentIndent: parentIndent)
    }

    mutating func sequence(indent: Int) throws -> YAMLNode {
        var items: [YAMLNode] = []
        let start = index + 1
        while true {
            skipBlank()
            guard index < lines.count else { break }
            let line = lines[index]
            let n = Self.indent(of: line)
            try checkTabs(line, n)
            let content = line.dropFirst(n)
            guard n == indent, content == "-" || content.hasPrefix("- ") else {
                if n > indent { throw fail("unexpected indentation in a sequence", line: index + 1) }
                break
            }
            let rest = content.dropFirst(1)
            let gap = rest.prefix { $0 == " " }.count
            if rest.dropFirst(gap).isEmpty || rest.dropFirst(gap).first == "#" {
                index += 1
                skipBlank()
                if index < lines.count, Self.indent(of: lines[index]) > indent {
                    items.append(try node(minIndent: indent + 1, parentIndent: indent))
                } else {
                    items.append(.scalar(.null, line: index))
                }
            } else {
                // `- key: value` or `- - x`: the item is read as a block indented where its text starts.
                lines[index] = String(repeating: " ", count: indent + 1 + gap) + rest.dropFirst(gap)
                items.append(try node(minIndent: indent + 1 + gap, parentIndent: indent))
            }
        }
        return .sequence(items, line: start)
    }

    mutating func mapping(indent: Int) throws -> YAMLNode {
        var entries: [(key: String, value: YAMLNode)] = []
        var seen: [String: Int] = [:]
        let start = index + 1
        while true {
            skipBlank()
            guard index < lines.count else { break }
            let line = lines[index]
            let n = Self.indent(of: line)
            try checkTabs(line, n)
            guard n == indent else {
                if n > indent { throw fail("unexpected indentation in a mapping", line: index + 1) }
                break
            }
            let lineNumber = index + 1
            let content = String(line.dropFirst(n))
            if content == "-" || content.hasPrefix("- ") { break }
            if n == 0, content.hasPrefix("---") || content.hasPrefix("...") { break }
            guard let (key, rest) = try keySplit(content, line: lineNumber) else {
                throw fail("expected \"key: value\" in a mapping", line: lineNumber)
            }
            if key == "<<" {
                throw fail("merge keys (<<) are not supported", line: lineNumber, hint: "Write the entries out.")
            }
            if let first = seen[key] { throw fail("duplicate key '\(key)' (first at line \(first))", line: lineNumber) }
            seen[key] = lineNumber
            index += 1
            let value: YAMLNode
            if rest.isEmpty || rest.hasPrefix("#") {
                skipBlank()
                if index < lines.count {
                    let next = lines[index]
                    let m = Self.indent(of: next)
                    let body = next.dropFirst(m)
                    if m == indent, body == "-" || body.hasPrefix("- ") {
                        value = try sequence(indent: indent)
                    } else if m > indent {
                        value = try node(minIndent: indent + 1, parentIndent: indent)
                    } else {
                        value = .scalar(.null, line: lineNumber)
                    }
                } else {
                    value = .scalar(.null, line: lineNumber)
                }
            } else {
                value = try inlineValue(rest, line: lineNumber, parentIndent: indent)
            }
            entries.append((key, value))
        }
        return .mapping(entries, line: start)
    }

    /// `key: rest` when `content` starts with a mapping key; nil when it is a value.
    func keySplit(_ content: String, line: Int) throws -> (String, String)? {
        let chars = Array(content)
        guard let first = chars.first else { return nil }
        if first == "?" && (chars.count == 1 || chars[1] == " ") {
            throw fail("complex keys (?) are not supported", line: line)
        }
        if first == "[" || first == "{" { return nil }
        var end: Int
        var key: String
        if first == "\"" || first == "'" {
            var scanner = FlowScanner(chars: chars, position: 0, line: line, path: path)
            guard let quoted = try? scanner.quoted() else { return nil }
            end = scanner.position
            while end < chars.count, chars[end] == " " { end += 1 }
            guard end < chars.count, chars[end] == ":", end + 1 == chars.count || chars[end + 1] == " " else {
                return nil
            }
            key = quoted
        } else {
            end = 0
            while end < chars.count {
                if chars[end] == ":", end + 1 == chars.count || chars[end + 1] == " " { break }
                if chars[end] == "#", end > 0, chars[end - 1] == " " { return nil }
                end += 1
            }
            guard end < chars.count else { return nil }
            key = String(chars[..<end]).trimmingSpaces
            if key.hasPrefix("&") || key.hasPrefix("*") || key.hasPrefix("!") {
                throw fail(
                    "anchors, aliases and tags (&, *, !) are not supported", line: line,
                    hint: "Write the value out in full.")
            }
        }
        let rest = String(chars[(end + 1)...]).trimmingSpaces
        return (key, rest)
    }

    /// A value written after `key:` or `- `: a block scalar header, a flow collection, a quoted
    /// or a plain scalar. Flow collections and quoted scalars may go on over the next lines.
    mutating func inlineValue(_ text: String, line: Int, parentIndent: Int) throws -> YAMLNode {
        guard let first = text.first else { return .scalar(.null, line: line) }
        switch first {
        case "|", ">": return try blockScalar(header: text, line: line, parentIndent: parentIndent)
        case "&", "*", "!":
            throw fail(
                "anchors, aliases and tags (&, *, !) are not supported", line: line,
                hint: "Write the value out in full.")
        case "@", "`": throw fail("a plain value cannot start with '\(first)': quote it", line: line)
        default: break
        }
        if first == "[" || first == "{" || first == "\"" || first == "'" {
            // The value may go on over the next lines: read with this line, then with twice as
            // many lines each time the text ends inside it (not the whole rest of the document
            // for every value, which would make a long file quadratic).
            var more = 0
            var chars: [Character] = []
            var scanner: FlowScanner
            var value: YAMLNode
            while true {
                chars = Array(text)
                for later in lines[index..<min(lines.count, index + more)] {
                    chars.append("\n")
                    chars += Array(later)
                }
                scanner = FlowScanner(chars: chars, position: 0, line: line, path: path)
                do {
                    value =
                        first == "\"" || first == "'"
                        ? .scalar(.string(try scanner.quoted()), line: line) : try scanner.flow()
                    break
                } catch {
                    guard scanner.position >= chars.count, index + more < lines.count else { throw error }
                    more = max(1, more * 2)
                }
            }
            while scanner.position < chars.count, chars[scanner.position] == " " || chars[scanner.position] == "\t" {
                scanner.position += 1
            }
            if scanner.position < chars.count, chars[scanner.position] == "#" {
                while scanner.position < chars.count, chars[scanner.position] != "\n" { scanner.position += 1 }
            }
            if scanner.position < chars.count, chars[scanner.position] != "\n" {
                throw fail("unexpected text after the value", line: scanner.line)
            }
            index += scanner.line - line
            return value
        }
        var plain = text
        if let comment = plain.rangeOfText(" #") { plain = String(plain[..<comment.lowerBound]) }
        plain = plain.trimmingSpaces
        // A plain value continued on a more-indented line: folded by YAML, refused here.
        var probe = index
        while probe < lines.count, Self.isBlank(lines[probe]) { probe += 1 }
        if probe < lines.count, index > 0, Self.indent(of: lines[probe]) > Self.indent(of: lines[index - 1]) {
            let next = String(lines[probe].dropFirst(Self.indent(of: lines[probe])))
            if try keySplit(next, line: probe + 1) == nil, next != "-", !next.hasPrefix("- ") {
                throw fail(
                    "a plain value continued on the next line is not supported", line: probe + 1,
                    hint: "Quote the value, or write it as a block: key: |")
            }
        }
        return .scalar(Self.resolve(plain), line: line)
    }
}

extension StringProtocol {
    /// The lines of a text ending in "\n" or "\r\n" (one Character in Swift, which a split on
    /// "\n" alone would not break), without their ends; the last is "" when the text ends in one.
    var textLines: [SubSequence] {
        split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
    }

    var trimmingSpaces: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
