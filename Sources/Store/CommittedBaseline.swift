import EvalGuardGit
import EvalGuardSupport

/// The one reader of "the baseline committed at X": read through libgit2 from the commit's
/// tree, never from the working copy, so a check compares against what a reviewer accepted.
package struct CommittedBaseline: Sendable {
    package var baseline: Baseline
    /// The commit it was read from.
    package var commit: String
    /// The file's bytes, to tell whether the working copy differs.
    package var bytes: [UInt8]

    /// The baseline in `commit` (a commit id), or nil when that commit has none. `revision`
    /// is how error messages name the commit.
    package static func find(in repository: Repository, commit: String, revision: String? = nil) throws
        -> CommittedBaseline?
    {
        guard let bytes = try repository.fileContents(Baseline.path, atCommit: commit) else { return nil }
        let name = revision ?? String(commit.prefix(7))
        return CommittedBaseline(
            baseline: try Baseline.parse(bytes, displayPath: "\(name):\(Baseline.path)"),
            commit: commit, bytes: bytes)
    }

    /// The baseline committed at `revision`; its absence is an error that says how to create one.
    package static func require(in repository: Repository, at revision: String) throws -> CommittedBaseline {
        let commit = try repository.resolveCommit(revision)
        guard let found = try find(in: repository, commit: commit, revision: revision) else {
            throw EvalGuardError(
                "no baseline committed at \(revision) (\(commit.prefix(7))): \(Baseline.path) is not in that commit",
                hint:
                    "Create one and commit it:\n  evalguard baseline\n  git add \(Baseline.path)\n  git commit -m \"Record the evalguard baseline\""
            )
        }
        return found
    }
}
