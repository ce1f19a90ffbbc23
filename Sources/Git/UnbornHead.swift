import CLibgit2
import EvalGuardSupport

extension Head {
    /// The commit id a working tree without any commit is recorded under: git's null object id.
    package static let unbornCommit = String(repeating: "0", count: 40)
    /// True before the first commit: the working tree is all there is.
    package var isUnborn: Bool { commit == Head.unbornCommit }
}

extension Repository {
    /// HEAD, or before the first commit a `Head` with `Head.unbornCommit` and the branch the
    /// first commit will create, so the working tree can be evaluated in a fresh `git init`.
    package func headOrUnborn() throws -> Head {
        guard git_repository_head_unborn(pointer) == 1 else { return try head() }
        var ref: OpaquePointer?
        // HEAD itself is a symbolic reference to the branch that does not exist yet.
        guard git_reference_lookup(&ref, pointer, "HEAD") == 0 else {
            git_error_clear()
            return Head(commit: Head.unbornCommit, branch: nil)
        }
        defer { git_reference_free(ref) }
        let target = git_reference_symbolic_target(ref).map { String(cString: $0) }
        return Head(
            commit: Head.unbornCommit,
            branch: target.map { $0.hasPrefix("refs/heads/") ? String($0.dropFirst(11)) : $0 })
    }
}
