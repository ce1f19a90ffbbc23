import CLibgit2
import EvalGuardSupport

extension Repository {
    /// True in a shallow clone, where history (and so a merge-base) may be missing.
    /// An error reading the shallow state counts as not shallow: the answer only adds a hint.
    package var isShallow: Bool { (try? check(git_repository_is_shallow(pointer), "git_repository_is_shallow")) == 1 }

    /// The short name of a local branch's upstream (`origin/main`), or nil when the branch or
    /// its upstream does not exist.
    package func upstream(ofBranch branch: String?) throws -> String? {
        guard let branch else { return nil }
        var local: OpaquePointer?
        guard try found(git_branch_lookup(&local, pointer, branch, GIT_BRANCH_LOCAL), "git_branch_lookup") else {
            return nil
        }
        defer { git_reference_free(local) }
        var upstream: OpaquePointer?
        guard try found(git_branch_upstream(&upstream, local), "git_branch_upstream") else { return nil }
        defer { git_reference_free(upstream) }
        return git_reference_shorthand(upstream).map { String(cString: $0) }
    }

    /// A revision's commit, or nil when it does not resolve (instead of an error).
    package func commit(ofRevision revision: String) -> String? {
        try? resolveCommit(revision)
    }
}
