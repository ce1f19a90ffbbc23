import Foundation

/// A markdown file of the repository read the way the docs test needs: its fenced code blocks
/// (with the `<!-- example: ... -->` marker on the line before each, if any), its headings'
/// anchors as GitHub makes them, and the targets of its links outside code.
package struct MarkdownDocument {
    package struct Block {
        package var line: Int
        package var language: String
        package var text: String
        /// What the line before the fence says, as in `<!-- example: config -->`: "config".
        package var marker: String?
    }

    package struct Link {
        package var line: Int
        package var target: String
    }

    /// From the repository root: `README.md`, `docs/ci.md`.
    package var path: String
    package var blocks: [Block] = []
    package var anchors: Set<String> = []
    package var links: [Link] = []

    package init(path: String, text: String) {
        self.path = path
        let lines = text.components(separatedBy: "\n")
        var fence: (line: Int, language: String, marker: String?, body: [String], ticks: String)?
        var slugCounts: [String: Int] = [:]
        for (index, line) in lines.enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if var open = fence {
                if trimmed == open.ticks {
                    blocks.append(
                        Block(
                            line: open.line, language: open.language, text: open.body.joined(separator: "\n"),
                            marker: open.marker))
                    fence = nil
                } else {
                    open.body.append(line)
                    fence = open
                }
                continue
            }
            if trimmed.hasPrefix("```") {
                let language = String(trimmed.dropFirst(3)).trimmingCharacters(in: .whitespaces).lowercased()
                let marker = index > 0 ? Self.marker(lines[index - 1]) : nil
                fence = (index + 2, language, marker, [], "```")
                continue
            }
            if let heading = Self.heading(line) {
                let slug = Self.slug(heading)
                let seen = slugCounts[slug, default: 0]
                slugCounts[slug] = seen + 1
                anchors.insert(seen == 0 ? slug : "\(slug)-\(seen)")
            }
            for target in Self.linkTargets(line) {
                links.append(Link(line: index + 1, target: target))
            }
        }
    }

    /// `<!-- example: cases tool-call -->` → "cases tool-call".
    package static func marker(_ line: String) -> String? {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasPrefix("<!-- example:"), trimmed.hasSuffix("-->") else { return nil }
        return String(trimmed.dropFirst("<!-- example:".count).dropLast(3)).trimmingCharacters(in: .whitespaces)
    }

    package static func heading(_ line: String) -> String? {
        let hashes = line.prefix { $0 == "#" }
        guard (1...6).contains(hashes.count), line.dropFirst(hashes.count).first == " " else { return nil }
        return String(line.dropFirst(hashes.count + 1)).trimmingCharacters(in: .whitespaces)
    }

    /// GitHub's anchor for a heading: lower case, everything but letters, digits, spaces, `-`
    /// and `_` dropped, spaces made hyphens.
    package static func slug(_ heading: String) -> String {
        var out = ""
        for ch in heading.lowercased() {
            if ch == " " {
                out.append("-")
            } else if ch.isLetter || ch.isNumber || ch == "-" || ch == "_" {
                out.append(ch)
            }
        }
        return out
    }

    /// `[text](target)` and `![alt](target)` outside inline code spans.
    package static func linkTargets(_ line: String) -> [String] {
        var outside = ""
        var inCode = false
        for ch in line {
            if ch == "`" {
                inCode.toggle()
                continue
            }
            if !inCode { outside.append(ch) }
        }
        let pattern = try! NSRegularExpression(pattern: #"\]\(([^)\s]+)\)"#)
        let range = NSRange(outside.startIndex..., in: outside)
        return pattern.matches(in: outside, range: range).map { String(outside[Range($0.range(at: 1), in: outside)!]) }
    }
}

/// Shell command lines as the docs write them: words split as a POSIX shell splits them
/// (quotes, backslashes, `#` comments), commands separated by `&&`, `||`, `;` and `|`, and lines
/// joined where they end in a backslash.
package enum ShellWords {
    package static func commands(in text: String) -> [(line: Int, words: [String])] {
        var result: [(Int, [String])] = []
        var pending = ""
        var start = 0
        for (index, line) in text.components(separatedBy: "\n").enumerated() {
            if pending.isEmpty { start = index }
            if line.hasSuffix("\\") {
                pending += line.dropLast() + " "
                continue
            }
            pending += line
            for words in split(pending) where !words.isEmpty { result.append((start, words)) }
            pending = ""
        }
        return result
    }

    package static func split(_ line: String) -> [[String]] {
        var commands: [[String]] = [[]]
        var word = ""
        var inWord = false
        var quote: Character?
        var characters = Array(line)[...]
        func endWord() {
            if inWord { commands[commands.count - 1].append(word) }
            word = ""
            inWord = false
        }
        while let ch = characters.popFirst() {
            if let q = quote {
                if ch == q {
                    quote = nil
                } else if ch == "\\", q == "\"", let next = characters.popFirst() {
                    word.append(next)
                } else {
                    word.append(ch)
                }
                continue
            }
            switch ch {
            case "'", "\"":
                quote = ch
                inWord = true
            case "\\":
                if let next = characters.popFirst() {
                    word.append(next)
                    inWord = true
                }
            case " ", "\t": endWord()
            case "#" where !inWord: characters = []
            case "&", "|", ";":
                endWord()
                if characters.first == ch { characters.removeFirst() }
                commands.append([])
            default:
                word.append(ch)
                inWord = true
            }
        }
        endWord()
        return commands
    }
}
