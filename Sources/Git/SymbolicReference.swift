import CLibgit2
import EvalGuardSupport

extension Repository {
    /// The name a symbolic reference points at (`refs/remotes/origin/main` for
    /// `refs/remotes/origin/HEAD`), or nil when it does not exist or is not symbolic.
    package func symbolicTarget(of name: String) -> String? {
        var reference: OpaquePointer?
        guard git_reference_lookup(&reference, pointer, name) == 0 else {
            git_error_clear()
            return nil
        }
        defer { git_reference_free(reference) }
        return git_reference_symbolic_target(reference).map { String(cString: $0) }
    }
}
