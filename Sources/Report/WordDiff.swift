/// A word-level diff of two texts: the longest common subsequence of their words (white space
/// kept as tokens of its own, so the result reads like the texts), with what only the first has
/// marked `<del>` and what only the second has marked `<ins>`. Every piece is escaped.
package enum WordDiff {
    package enum Piece: Equatable {
        case same(String), removed(String), added(String)
    }

    /// Above this many token pairs the LCS table would cost more than it shows: the texts'
    /// common start and end are kept and the middle is shown as replaced.
    static let tableLimit = 1_000_000

    /// Words and runs of white space, in order: joining them gives the text back.
    package static func tokens(_ text: String) -> [Substring] {
        var out: [Substring] = []
        var start = text.startIndex
        var inSpace: Bool?
        for i in text.indices {
            let space = text[i].isWhitespace
            if let was = inSpace, was != space {
                out.append(text[start..<i])
                start = i
            }
            inSpace = space
        }
        if start < text.endIndex { out.append(text[start...]) }
        return out
    }

    package static func pieces(_ a: String, _ b: String) -> [Piece] {
        var x = tokens(a)[...]
        var y = tokens(b)[...]
        var head: [Piece] = []
        var tail: [Piece] = []
        while let p = x.first, p == y.first {
            head.append(.same(String(p)))
            x.removeFirst()
            y.removeFirst()
        }
        while let p = x.last, p == y.last {
            tail.insert(.same(String(p)), at: 0)
            x.removeLast()
            y.removeLast()
        }
        let middle: [Piece]
        if x.count * y.count > tableLimit {
            middle = (x.isEmpty ? [] : [.removed(x.joined())]) + (y.isEmpty ? [] : [.added(y.joined())])
        } else {
            middle = lcs(Array(x), Array(y))
        }
        return merge(head + middle + tail)
    }

    /// The classic dynamic programme: `table[i][j]` is the LCS length of x[i...] and y[j...].
    static func lcs(_ x: [Substring], _ y: [Substring]) -> [Piece] {
        let n = x.count
        let m = y.count
        var table = [[Int32]](repeating: [Int32](repeating: 0, count: m + 1), count: n + 1)
        for i in stride(from: n - 1, through: 0, by: -1) {
            for j in stride(from: m - 1, through: 0, by: -1) {
                table[i][j] = x[i] == y[j] ? table[i + 1][j + 1] + 1 : max(table[i + 1][j], table[i][j + 1])
            }
        }
        var out: [Piece] = []
        var i = 0
        var j = 0
        while i < n || j < m {
            if i < n, j < m, x[i] == y[j] {
                out.append(.same(String(x[i])))
                i += 1
                j += 1
            } else if j == m || (i < n && table[i + 1][j] >= table[i][j + 1]) {
                out.append(.removed(String(x[i])))
                i += 1
            } else {
                out.append(.added(String(y[j])))
                j += 1
            }
        }
        return out
    }

    /// Joins a run of changes into one deletion and one insertion, taking in the white space
    /// between them, so "a b c" → "x y z" reads as one replacement, not three.
    static func merge(_ pieces: [Piece]) -> [Piece] {
        var out: [Piece] = []
        var block: [Piece] = []
        func same(_ s: String) {
            if case .same(let before)? = out.last {
                out[out.count - 1] = .same(before + s)
            } else {
                out.append(.same(s))
            }
        }
        /// One side's text: its own pieces, with the white space that lies between two of them.
        func side(_ mine: (Piece) -> String?) -> (text: String, used: Set<Int>) {
            var text = ""
            var pending: [(Int, String)] = []
            var used = Set<Int>()
            for (i, piece) in block.enumerated() {
                if case .same(let space) = piece {
                    pending.append((i, space))
                    continue
                }
                guard let own = mine(piece) else { continue }
                if !text.isEmpty {
                    text += pending.map(\.1).joined()
                    used.formUnion(pending.map(\.0))
                }
                pending = []
                text += own
            }
            return (text, used)
        }
        func flush() {
            guard !block.isEmpty else { return }
            let removed = side { if case .removed(let s) = $0 { s } else { nil } }
            let added = side { if case .added(let s) = $0 { s } else { nil } }
            if !removed.text.isEmpty { out.append(.removed(removed.text)) }
            if !added.text.isEmpty { out.append(.added(added.text)) }
            for (i, piece) in block.enumerated() where !removed.used.contains(i) && !added.used.contains(i) {
                if case .same(let s) = piece { same(s) }
            }
            block = []
        }
        for (k, piece) in pieces.enumerated() {
            guard case .same(let s) = piece else {
                block.append(piece)
                continue
            }
            let nextIsChange = k + 1 < pieces.count && { if case .same = pieces[k + 1] { false } else { true } }()
            if !block.isEmpty && nextIsChange && s.allSatisfy(\.isWhitespace) {
                block.append(piece)
            } else {
                flush()
                same(s)
            }
        }
        flush()
        return out
    }

    /// The diff as HTML: `<del>` for words only in `a`, `<ins>` for words only in `b`.
    package static func html(_ a: String, _ b: String) -> String {
        pieces(a, b).map { piece in
            switch piece {
            case .same(let s): HTML.escape(s)
            case .removed(let s): "<del>" + HTML.escape(s) + "</del>"
            case .added(let s): "<ins>" + HTML.escape(s) + "</ins>"
            }
        }.joined()
    }
}
