import EvalGuardCompare
import EvalGuardConfig
import EvalGuardEvaluation
import EvalGuardGit
import EvalGuardRunner
import EvalGuardStore
import EvalGuardSupport

/// What the pre-push hook decides for each pushed ref. It gates the pushed commit itself (not
/// the working tree) through `GateSession`, against the baseline committed where the push
/// lands: the remote's tip, or for a new branch the merge-base with the remote's default branch,
/// else the commit's own baseline. A range that changes the baseline is judged against the new
/// one, and always said out loud.
package struct PrePushHook {
    package let repository: Repository
    package let remote: String
    let evaluator: Evaluator

    package init(repository: Repository, remote: String) {
        self.repository = repository
        self.remote = remote
        evaluator = Evaluator(repository: repository)
    }

    package enum Outcome {
        case skipped(PushedRef, reason: String)
        case checked(RefCheck)
        /// The same push was gated on the same inputs before and passed (see `CachedVerdict`):
        /// neither the stored result (of `resultCommit`) nor the baseline was read.
        case passedBefore(PushedRef, resultCommit: String, baseDescription: String)
    }

    package struct RefCheck {
        package var ref: PushedRef
        /// The gate's run on the pushed commit.
        package var run: GateRun
        /// Where the baseline was read, and why there.
        package var baseDescription: String
        package var baselineChanges: [BaselineChange]
        package var blockedByBaselineChange: Bool
        /// Whether the branch pushed to is protected (see `isProtected`).
        package var protectedBranch: Bool

        package var passed: Bool { !run.comparison.blocks && !blockedByBaselineChange }
    }

    package func check(_ ref: PushedRef, progress: @escaping (Int, Int) -> Void, say: @escaping (String) -> Void) throws
        -> Outcome
    {
        if ref.isDeletion { return .skipped(ref, reason: "deletes \(ref.remoteRef): nothing to evaluate") }
        if ref.isTag { return .skipped(ref, reason: "a tag: not evaluated") }
        let tip = try repository.resolveCommit(ref.localSHA)
        guard try repository.blobID(EvalConfig.path, atCommit: tip) != nil else {
            return .skipped(ref, reason: "\(tip.prefix(7)) has no \(EvalConfig.path): not gated")
        }
        var (base, baseDescription) = try base(for: ref, tip: tip)
        let changes = try BaselineChange.find(in: repository, base: base, tip: tip)
        // A range that changes the baseline is judged against the new one; a base without a
        // baseline, against the pushed commit's own.
        var baselineCommit = changes.isEmpty ? (base ?? tip) : tip
        if baselineCommit != tip, try repository.blobID(Baseline.path, atCommit: baselineCommit) == nil {
            baseDescription = "the pushed commit (no \(Baseline.path) is committed at \(baseDescription))"
            baselineCommit = tip
        }
        guard try repository.blobID(Baseline.path, atCommit: baselineCommit) != nil else {
            return .skipped(
                ref,
                reason:
                    "no \(Baseline.path) committed at \(baselineCommit.prefix(7)) or at the pushed commit: not gated (create one with 'evalguard baseline' and commit it)"
            )
        }
        var request = GateRequest(subject: .commit(tip), baselineAt: baselineCommit)
        // A push that changes the baseline is never answered from the cache: whether it may
        // land depends on the branch, not only on the verdict. Otherwise the verdict is the one
        // `check` reaches on the same inputs and baseline, kept by either.
        request.cacheParts = changes.isEmpty ? GateRequest.verdictParts(only: nil, repeats: nil, settle: true) : nil
        let session = GateSession(evaluator: evaluator, say: say, progress: progress)
        let run: GateRun
        switch try session.run(request) {
        case .passedBefore(let hit):
            return .passedBefore(ref, resultCommit: hit.verdict.resultCommit, baseDescription: baseDescription)
        case .evaluated(let evaluated):
            run = evaluated
        }
        session.keep(run, CachedVerdict(resultCommit: run.result.commit, stdout: ""))
        let protected = isProtected(ref, config: run.config)
        return .checked(
            RefCheck(
                ref: ref, run: run, baseDescription: baseDescription, baselineChanges: changes,
                blockedByBaselineChange: !changes.isEmpty && run.config.baselineChanges == .block && protected,
                protectedBranch: protected))
    }

    /// The commit the push is measured from.
    func base(for ref: PushedRef, tip: String) throws -> (String?, String) {
        if !ref.isNewRef, repository.hasCommit(ref.remoteSHA) {
            return (ref.remoteSHA, "\(remote)/\(ref.remoteBranch) at \(ref.remoteSHA.prefix(7))")
        }
        for name in ["refs/remotes/\(remote)/HEAD", "refs/remotes/\(remote)/main", "refs/remotes/\(remote)/master"] {
            if let target = repository.commit(ofReference: name), let mergeBase = try repository.mergeBase(tip, target)
            {
                let branch = name.replacingText("refs/remotes/", with: "")
                return (mergeBase, "the merge-base \(mergeBase.prefix(7)) with \(branch)")
            }
        }
        return (nil, "the pushed commit")
    }
}
