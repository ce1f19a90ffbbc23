import EvalGuardGit
import EvalGuardSupport

/// Whether a directory can hold model inputs at all, so that a walk over thousands of trees skips
/// the ones that cannot (documentation, the app around the model) without reading them.
extension InputSelection {
    /// False only when nothing below `directory` (a path ending in "/") can be an input.
    package func mayInclude(below directory: String) -> Bool {
        if EvaluationKey.isExcluded(directory) { return false }
        if always.contains(where: { $0.hasPrefix(directory) }) { return true }
        guard let globs else { return true }
        let parts = directory.split(separator: "/")
        return globs.contains { $0.mayMatch(below: parts) }
    }

    /// The paths (files, or directories whose whole content counts) that hold every input, for a
    /// scan of the working tree limited to them; nil when an input may be anywhere (no `inputs`,
    /// or a pattern whose first segment has a wildcard).
    package var roots: [String]? {
        guard let globs else { return nil }
        let prefixes = globs.map(\.literalPrefix)
        if prefixes.contains("") { return nil }
        return Array(Set(prefixes).union(always)).sorted()
    }
}
