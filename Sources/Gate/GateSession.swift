import EvalGuardCompare
import EvalGuardConfig
import EvalGuardEvaluation
import EvalGuardGit
import EvalGuardStore
import EvalGuardSupport
import FoundationEssentials

/// What a gate is asked: a subject, the baseline committed at a revision, and how to decide.
/// `check`, `check --commit`, `ci` and the pre-push hook each fill one in and call
/// `GateSession.run`; nothing of the gate's sequence lives in a command.
package struct GateRequest {
    package var subject: EvaluationSubject
    /// The revision whose committed `.evals/baseline.json` is the baseline, as the command names it.
    package var baselineAt: String
    /// For a gate of the working tree: the root whose working copy of the baseline is compared
    /// with the committed one (a difference is said, and such a verdict is not kept).
    package var workingCopy: String?
    /// Gate these suites only (nil: all).
    package var only: [String]?
    package var fresh = false
    package var repeats: Int?
    /// Whether an inconclusive accuracy verdict may be settled by asking again (`--no-settle`).
    package var settle = true
    /// Set by `ci`: stored answers are audited before they are reused.
    package var audit: AuditRequest?
    /// What a kept verdict depends on of the command line, besides the subject and the baseline
    /// (the options that decide it: `verdictParts`, and for `ci` its audit and commit); nil: the
    /// verdict cache is neither read nor written.
    package var cacheParts: [String]?
    /// The name under which the command keeps what it prints of a verdict (`CachedVerdict.renderings`);
    /// nil when it needs nothing kept there (the hook words a kept pass itself; `ci` keeps `stdout`).
    package var rendering: String?

    /// The options that decide a verdict, the same for every gate that has them, so that `check`
    /// and the pre-push hook on the same inputs share a kept verdict.
    package static func verdictParts(only: [String]?, repeats: Int?, settle: Bool) -> [String] {
        ["gate", only?.joined(separator: "\n") ?? "", repeats.map(String.init) ?? "", settle ? "settle" : "no-settle"]
    }

    package init(subject: EvaluationSubject, baselineAt: String) {
        (self.subject, self.baselineAt) = (subject, baselineAt)
    }
}

/// A gate that evaluated: the verdict and everything the commands report of it.
package struct GateRun {
    package var result: RunResult
    package var comparison: Comparison
    package var config: EvalConfig
    /// The committed baseline, restricted to the gated suites, and the commit it was read at.
    package var baseline: Baseline
    package var baselineCommit: String
    /// Whether a stored result was reused whole (the model did not run).
    package var reused: Bool
    /// Whether the subject's inputs differ from its commit's (uncommitted changes).
    package var dirty: Bool
    /// What `ci`'s audit found (nil: no audit ran).
    package var audit: [SuiteAudit]?
    package var settled: Settled
    /// Expected answers of the subject's cases by suite and case id, read when a case flipped.
    package var expected: [String: [String: JSONValue]]
    /// What the gate warns about after its verdict (noise, flaky cases, a judge that agrees
    /// poorly with people); a verdict with any of these is never kept.
    package var warnings: [String]
    fileprivate var cache: VerdictCacheKey?
    fileprivate var cacheDigest: (digest: String, baselineCopy: String?)?
}

/// A verdict kept before, with what the command names anew around it.
package struct VerdictHit {
    package var verdict: CachedVerdict
    /// Whether the working tree's inputs differ from HEAD's.
    package var dirty: Bool
    /// The commit whose committed baseline the gate was held against.
    package var baselineCommit: String
}

package enum GateOutcome {
    /// The same gate passed before on the same inputs: neither the stored result nor the
    /// baseline was read.
    case passedBefore(VerdictHit)
    case evaluated(GateRun)
}

/// The gate's one sequence: verdict cache → committed baseline → evaluate (audited for `ci`) →
/// refuse a changed judge → settle → notes → the verdict, kept under one rule (`keep`).
package struct GateSession {
    package let evaluator: Evaluator
    /// Where notes go as the gate reaches them (the commands' stderr).
    let say: (String) -> Void
    let progress: (Int, Int) -> Void

    package init(evaluator: Evaluator, say: @escaping (String) -> Void, progress: @escaping (Int, Int) -> Void) {
        (self.evaluator, self.say, self.progress) = (evaluator, say, progress)
    }

    package func run(_ request: GateRequest) throws -> GateOutcome {
        let repository = evaluator.repository
        let baselineCommit =
            request.fresh || request.cacheParts == nil ? nil : try? repository.resolveCommit(request.baselineAt)
        let cache =
            request.fresh
            ? nil
            : request.cacheParts.flatMap { parts in
                baselineCommit.flatMap {
                    VerdictCacheKey(
                        evaluator, request.subject, baselineAt: $0, workingCopy: request.workingCopy, parts: parts,
                        rendering: request.rendering)
                }
            }
        if let cache, let hit = cache.hit, let baselineCommit {
            for line in GateNotes.replayed(hit) { say(line) }
            return .passedBefore(VerdictHit(verdict: hit, dirty: cache.dirty, baselineCommit: baselineCommit))
        }
        // The baseline is read first: when there is nothing to compare with, the model need not run.
        let committed = try CommittedBaseline.require(in: repository, at: request.baselineAt)
        if let root = request.workingCopy,
            FileManager.default.contents(atPath: root + "/" + Baseline.path).map(Array.init) != committed.bytes
        {
            say(GateNotes.workingCopyDiffers(revision: request.baselineAt))
        }
        let only = request.only
        let baseline = only.map { committed.baseline.restricted(to: $0) } ?? committed.baseline
        evaluator.audit = request.audit
        let evaluation = try evaluator.evaluate(
            request.subject, fresh: request.fresh, repeats: request.repeats, only: only, progress: progress)
        let cacheDigest = cache?.digestAfter(evaluation)
        for line in GateNotes.evaluated(evaluation.result, reused: evaluation.reused, warnings: evaluator.warnings) {
            say(line)
        }
        let gated = { (r: RunResult) in only.map { r.restricted(to: $0) } ?? r }
        let judgeChanges = JudgeChange.find(baseline: baseline, current: gated(evaluation.result))
        if !judgeChanges.isEmpty { throw JudgeChange.refusal(judgeChanges) }
        let config = request.settle ? evaluation.config : evaluation.config.withoutSettling()
        let (settled, comparison) = try evaluator.settle(
            request.subject, result: evaluation.result, stored: evaluation.stored,
            judge: {
                Gate.compare(baseline: baseline, current: gated($0), config: config, canAsk: repository.hasCommit)
            },
            pending: \.settlePending, progress: progress)
        if let line = GateNotes.settled(settled) { say(line) }
        let result = settled.result
        let flipped =
            comparison.verdict != .pass || comparison.suites.contains { !$0.regressed.isEmpty || !$0.fixed.isEmpty }
        let expected =
            flipped
            ? Evaluation.expectedAnswers(config, repository: repository, commit: result.dirty ? nil : result.commit)
            : [:]
        let warnings =
            NoiseWarning.lines(comparison) + GateNotes.poorAgreement(result, config: config, repository: repository)
        return .evaluated(
            GateRun(
                result: result, comparison: comparison, config: config, baseline: baseline,
                baselineCommit: committed.commit,
                reused: evaluation.reused, dirty: evaluation.dirty, audit: evaluation.audit, settled: settled,
                expected: expected,
                warnings: warnings, cache: cache, cacheDigest: cacheDigest))
    }

    /// Keeps a verdict so that the same gate on the same inputs can say it again without
    /// decoding anything. The one rule: only a pass on a stored result reused whole, with no
    /// run warning, no settling (the next gate reads the stored re-asks), no flipped case and
    /// nothing to warn about, and for the working tree a working copy of the baseline equal to
    /// the committed one (`VerdictCacheKey.digestAfter`). `rendered` is what the command printed
    /// (and `ci` wrote), said again on a hit.
    package func keep(_ run: GateRun, _ rendered: CachedVerdict) {
        guard let cache = run.cache, let kept = run.cacheDigest, run.settled.calls == 0,
            !VerdictCacheKey.settled(run.result),
            VerdictCacheKey.keepable(run.comparison, noise: run.warnings)
        else { return }
        var verdict = rendered
        verdict.resultCommit = run.result.commit
        verdict.notes = run.result.judgeLines
        verdict.baselineCopy = kept.baselineCopy
        cache.save(verdict, digest: kept.digest)
    }
}
