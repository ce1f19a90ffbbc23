/// Whether a directory can hold model inputs at all, so that a walk over thousands of trees skips
/// the ones that cannot (documentation, the app around the model) without reading them.
extension InputSelection {
    /// False only when nothing below `directory` (a path ending in "/") can be an input.
    func mayInclude(below directory: String) -> Bool {
        if EvaluationKey.isExcluded(directory) { return false }
        if always.contains(where: { $0.hasPrefix(directory) }) { return true }
        guard let globs else { return true }
        let parts = directory.split(separator: "/")
        return globs.contains { $0.mayMatch(below: parts) }
    }
}

extension Glob {
    /// Whether some path below the directory `parts` can match: each directory segment must match
    /// the pattern's segment at its place, until the pattern ends (it names an ancestor directory,
    /// which matches everything below) or reaches `**`. Errs towards true.
    func mayMatch(below parts: [Substring]) -> Bool {
        var p = pattern
        while p.hasPrefix("./") { p.removeFirst(2) }
        while p.hasPrefix("/") { p.removeFirst() }
        let segments = p.split(separator: "/")
        for (i, part) in parts.enumerated() {
            guard i < segments.count, segments[i] != "**" else { return true }
            if !Glob(String(segments[i])).matches(String(part)) { return false }
        }
        return true
    }
}
