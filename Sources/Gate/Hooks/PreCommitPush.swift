import EvalGuardGit

/// The push as the pre-commit framework describes it. pre-commit reads git's pre-push input
/// itself and hands its hooks environment variables instead: PRE_COMMIT_FROM_REF (the remote's
/// commit the push starts from), PRE_COMMIT_TO_REF (the pushed commit), PRE_COMMIT_LOCAL_BRANCH,
/// PRE_COMMIT_REMOTE_BRANCH, PRE_COMMIT_REMOTE_NAME and PRE_COMMIT_REMOTE_URL. It describes one
/// ref per push (the first one git lists).
package struct PreCommitPush: Sendable, Equatable {
    package var remote: String
    package var ref: PushedRef

    /// nil when evalguard does not run under pre-commit's pre-push stage (no PRE_COMMIT_* push
    /// variables): then git's own input on stdin describes the push.
    package init?(environment: [String: String], repository: Repository) throws {
        func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        let localBranch = value("PRE_COMMIT_LOCAL_BRANCH")
        guard value("PRE_COMMIT_TO_REF") != nil || localBranch != nil else { return nil }
        remote = value("PRE_COMMIT_REMOTE_NAME") ?? "origin"
        let localRef = localBranch ?? "HEAD"
        let remoteRef = value("PRE_COMMIT_REMOTE_BRANCH") ?? localRef
        let pushed = try repository.resolveCommit(value("PRE_COMMIT_TO_REF") ?? localRef)
        // Where the remote stands. pre-commit gives the remote tip as FROM_REF for a branch the
        // remote has; for a new branch it gives the parent of the first commit no remote has, and
        // for a history with a new root commit nothing. git's hook sees a new branch as all
        // zeros, and then measures from the merge-base with the remote's default branch: so does
        // evalguard here, whichever way it was installed.
        let trackingRef =
            "refs/remotes/\(remote)/"
            + (remoteRef.hasPrefix("refs/heads/") ? String(remoteRef.dropFirst("refs/heads/".count)) : remoteRef)
        let remoteSHA: String
        if let from = value("PRE_COMMIT_FROM_REF"), repository.commit(ofReference: trackingRef) != nil {
            remoteSHA = try repository.resolveCommit(from)
        } else {
            remoteSHA = PushedRef.zero
        }
        ref = PushedRef(localRef: localRef, localSHA: pushed, remoteRef: remoteRef, remoteSHA: remoteSHA)
    }
}
