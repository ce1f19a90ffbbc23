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
}
