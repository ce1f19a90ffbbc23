/// "Did you mean …?" for mistyped names: options, subcommands, configuration keys, scorers.
package enum Suggestion {
    /// The candidate nearest to `word`, if it is close enough to be a plausible typo: at most
    /// two edits, and no more than a third of the longer word (so `-x` never suggests `--init`).
    /// Ties go to the earlier candidate, keeping suggestions stable.
    package static func closest(to word: String, among candidates: [String]) -> String? {
        var best: (candidate: String, distance: Int)?
        for candidate in candidates where candidate != word {
            let distance = editDistance(word, candidate)
            let longest = max(word.count, candidate.count)
            guard distance <= 2, distance * 3 <= longest else { continue }
            if distance < best?.distance ?? .max {
                best = (candidate, distance)
            }
        }
        return best?.candidate
    }

    /// Optimal string alignment distance: insertions, deletions, substitutions, and swaps of
    /// two adjacent characters (the commonest typo, `chekc`), each costing one.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previousPrevious = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var d = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    d = min(d, previousPrevious[j - 2] + 1)
                }
                current[j] = d
            }
            (previousPrevious, previous, current) = (previous, current, previousPrevious)
        }
        return previous[b.count]
    }
}
