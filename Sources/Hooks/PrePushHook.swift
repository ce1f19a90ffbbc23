import EvalGuardCompare
import EvalGuardConfig
import EvalGuardEvaluation
import EvalGuardGit
import EvalGuardRunner
import EvalGuardStore
import EvalGuardSupport

/// What the pre-push hook decides for each pushed ref. It evaluates the pushed commit itself (not
/// the working tree) and compares it with the baseline committed where the push lands: the
/// remote's tip, or for a new branch the merge-base with the remote's default branch, else the
/// commit's own baseline. A range that changes the baseline is judged against the new one, and
/// always said out loud.
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
        package var evaluation: Evaluated
        package var comparison: Comparison
        /// Where the baseline was read, and why there.
        package var baselineCommit: String
        package var baseDescription: String
        package var baselineChanges: [BaselineChange]
        package var blockedByBaselineChange: Bool
        /// Whether the branch pushed to is protected (see `isProtected`).
        package var protectedBranch: Bool
        /// Expected answers of the pushed commit's cases, for the flipped cases in the report.
        package var expected: [String: [String: JSONValue]]
        /// Cases asked again to settle an inconclusive verdict in this push, and the calls made.
        package var settledCases = 0
        package var settledCalls = 0

        package var passed: Bool { !comparison.blocks && !blockedByBaselineChange }
    }

    package func check(_ ref: PushedRef, progress: @escaping (Int, Int) -> Void) throws -> Outcome {
        if ref.isDeletion { return .skipped(ref, reason: "deletes \(ref.remoteRef): nothing to evaluate") }
        if ref.isTag { return .skipped(ref, reason: "a tag: not evaluated") }
        let tip = try repository.resolveCommit(ref.localSHA)
        guard try repository.blobID(EvalConfig.path, atCommit: tip) != nil else {
            return .skipped(ref, reason: "\(tip.prefix(7)) has no \(EvalConfig.path): not gated")
        }
        let (base, baseDescription) = try base(for: ref, tip: tip)
        let changes = try BaselineChange.find(in: repository, base: base, tip: tip)
        let baselineCommit = changes.isEmpty ? (base ?? tip) : tip
        // A push that changes no baseline and passed on exactly these inputs passes again unread.
        let blob = changes.isEmpty ? try repository.blobID(Baseline.path, atCommit: baselineCommit) : nil
        let digest = try blob.map { try evaluator.verdictDigest(.commit(tip), baselineBlob: $0, extra: ["pre-push", ref.remoteRef, baseDescription]) }
        if let digest, let hit = evaluator.store.cachedVerdict(digest) {
            return .passedBefore(ref, resultCommit: hit.resultCommit, baseDescription: baseDescription)
        }
        guard let baseline = try BaselineChange.load(repository, at: baselineCommit)
            ?? (baselineCommit != tip ? BaselineChange.load(repository, at: tip) : nil) else {
            return .skipped(ref, reason: "no \(Baseline.path) committed at \(baselineCommit.prefix(7)) or at the pushed commit: not gated (create one with 'evalguard baseline' and commit it)")
        }
        var evaluation = try evaluator.evaluate(.commit(tip), progress: progress)
        let judgeChanges = JudgeChange.find(baseline: baseline, current: evaluation.result)
        if !judgeChanges.isEmpty { throw JudgeChange.refusal(judgeChanges) }
        // An inconclusive accuracy verdict is settled as the configuration's "settle" says.
        let config = evaluation.config
        let (settled, comparison) = try evaluator.settle(.commit(tip), result: evaluation.result, stored: evaluation.stored,
                                                         judge: { Gate.compare(baseline: baseline, current: $0, config: config, canAsk: repository.hasCommit) },
                                                         pending: \.settlePending, progress: progress)
        evaluation.result = settled.result
        let protected = isProtected(ref, config: evaluation.config)
        // Kept under the digest of the files as they now lie (a result from a note is cached into them).
        if let blob, evaluation.reused, settled.calls == 0, comparison.verdict == .pass, evaluator.warnings.isEmpty {
            let now = try evaluator.verdictDigest(.commit(tip), baselineBlob: blob, extra: ["pre-push", ref.remoteRef, baseDescription])
            evaluator.store.saveVerdict(CachedVerdict(resultCommit: evaluation.result.commit, stdout: ""), digest: now)
        }
        var check = RefCheck(ref: ref, evaluation: evaluation, comparison: comparison, baselineCommit: baselineCommit,
                                 baseDescription: baseDescription, baselineChanges: changes,
                                 blockedByBaselineChange: !changes.isEmpty && evaluation.config.baselineChanges == .block && protected,
                                 protectedBranch: protected,
                                 expected: comparison.verdict == .pass ? [:]
                                    : Evaluation.expectedAnswers(evaluation.config, repository: repository, commit: tip))
        (check.settledCases, check.settledCalls) = (settled.cases, settled.calls)
        return .checked(check)
    }

    /// The commit the push is measured from.
    func base(for ref: PushedRef, tip: String) throws -> (String?, String) {
        if !ref.isNewRef, repository.hasCommit(ref.remoteSHA) {
            return (ref.remoteSHA, "\(remote)/\(ref.remoteBranch) at \(ref.remoteSHA.prefix(7))")
        }
        for name in ["refs/remotes/\(remote)/HEAD", "refs/remotes/\(remote)/main", "refs/remotes/\(remote)/master"] {
            if let target = repository.commit(ofReference: name), let mergeBase = try repository.mergeBase(tip, target) {
                let branch = name.replacingOccurrences(of: "refs/remotes/", with: "")
                return (mergeBase, "the merge-base \(mergeBase.prefix(7)) with \(branch)")
            }
        }
        return (nil, "the pushed commit's own baseline")
    }
}
