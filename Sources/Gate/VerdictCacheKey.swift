import EvalGuardCompare
import EvalGuardEvaluation
import EvalGuardGit
import EvalGuardStore
import EvalGuardSupport
import FoundationEssentials

/// Where the gate (`GateSession`) keeps a verdict it may print again without decoding the
/// stored result or the baseline (see `Evaluator.verdictDigest`). `GateSession.keep` holds the
/// one rule for what is kept; a hit then says exactly what the command said the first time
/// (the reuse note, the judge lines, the report), with the commit and revision named anew.
///
/// The digest is the verdict's, not the command's: `check`, `check --commit` and the pre-push
/// hook on the same inputs share one entry, and each keeps in it what it prints
/// (`CachedVerdict.renderings`). A command whose rendering the entry lacks, or `check` whose
/// working copy of the baseline is not the one found equal to the baseline's blob, evaluates.
///
/// For the working tree, a verdict reached on inputs exactly HEAD's also keeps their
/// `InputSnapshot`: the next gate computes the digest from HEAD's tree alone and, while the
/// snapshot holds, takes the verdict without a status (which reads the whole index).
struct VerdictCacheKey {
    /// Empty when a snapshot found the verdict (`hit` is then set) and no status was run.
    var digest: String
    let evaluator: Evaluator
    let subject: EvaluationSubject
    let baselineBlob: String
    /// The repository root whose working copy of the baseline `check` compares with the committed one.
    let workingCopy: String?
    let parts: [String]
    /// The name of what the command keeps of the verdict in `CachedVerdict.renderings` (nil: none).
    let rendering: String?
    /// The inputs as they were before anything read them (nil: no snapshot).
    let before: [String: String]?
    /// The verdict found, if any.
    private(set) var hit: CachedVerdict?
    /// Whether the working tree's inputs differ from HEAD's.
    private(set) var dirty = false

    /// nil when nothing is committed to compare with (the command then says so the long way).
    /// `parts` is what the command adds that decides the verdict (its options).
    init?(
        _ evaluator: Evaluator, _ subject: EvaluationSubject, baselineAt commit: String, workingCopy: String?,
        parts: [String], rendering: String?
    ) {
        guard let blob = (try? evaluator.repository.blobID(Baseline.path, atCommit: commit)) ?? nil else { return nil }
        (self.evaluator, self.subject, baselineBlob, self.workingCopy, self.parts, self.rendering) = (
            evaluator, subject, blob, workingCopy, parts, rendering
        )
        let root = evaluator.repository.root
        let copy = workingCopy.map { $0 + "/" + Baseline.path }
        let serves = { (found: CachedVerdict) in Self.serves(found, rendering: rendering, baselineCopy: copy) }
        if subject == .workingTree {
            // Inputs unchanged since a verdict on HEAD's inputs: found by a few lstat calls.
            if let clean = try? evaluator.verdictDigest(subject, baselineBlob: blob, extra: parts, assumingClean: true),
                let found = evaluator.store.cachedVerdict(clean), serves(found), let snapshot = found.inputs,
                InputSnapshot.holds(snapshot, root: root)
            {
                (digest, hit, before) = ("", found, nil)
                return
            }
            before = evaluator.inputSnapshot()
        } else {
            before = nil
        }
        guard let computed = try? evaluator.verdictDigestAndDirt(subject, baselineBlob: blob, extra: parts) else {
            return nil
        }
        (digest, dirty) = computed
        hit = evaluator.store.cachedVerdict(digest).flatMap { serves($0) ? $0 : nil }
        // Found through the status: keep the inputs' snapshot with it, for the next gate.
        if var found = hit, found.inputs == nil || found.inputs != before, let snapshot = snapshotIfClean(digest) {
            found.inputs = snapshot
            save(found, digest: digest)
        }
    }

    /// Whether a kept verdict can answer this command: it holds what the command prints, and
    /// for `check` the working copy of the baseline is the file found equal to the committed one.
    private static func serves(_ found: CachedVerdict, rendering: String?, baselineCopy path: String?) -> Bool {
        if let rendering, found.renderings?[rendering] == nil { return false }
        guard let path else { return true }
        return found.baselineCopy != nil && found.baselineCopy == ResultStore.identity(path)
    }

    private var baselineCopyPath: String? { workingCopy.map { $0 + "/" + Baseline.path } }

    /// The snapshot taken before the status, when `digest` is the one HEAD's inputs give (the
    /// working tree's inputs are HEAD's) and nothing changed since it was taken.
    private func snapshotIfClean(_ digest: String) -> [String: String]? {
        guard let before,
            (try? evaluator.verdictDigest(subject, baselineBlob: baselineBlob, extra: parts, assumingClean: true))
                == digest,
            evaluator.inputSnapshot() == before
        else { return nil }
        return before
    }

    /// The digest to keep this evaluation's verdict under, with the identity of the working copy
    /// of the baseline found equal to the committed one, or nil when it may not be kept: only a
    /// stored result reused whole, no warnings, the working copy of the baseline equal to the
    /// committed one. Taken right after the evaluation, so a result just cached into the files
    /// from a note is described as it now lies.
    func digestAfter(_ evaluation: Evaluated) -> (digest: String, baselineCopy: String?)? {
        guard evaluation.reused, evaluator.warnings.isEmpty, evaluation.stored else { return nil }
        var identity: String?
        if let path = baselineCopyPath {
            // The identity is taken on both sides of the read: a file replaced meanwhile is not vouched for.
            let first = ResultStore.identity(path)
            guard let copy = FileManager.default.contents(atPath: path),
                GitHash.blobID(of: Array(copy)) == baselineBlob
            else { return nil }
            identity = first == ResultStore.identity(path) ? first : nil
        }
        return (try? evaluator.verdictDigest(subject, baselineBlob: baselineBlob, extra: parts)).map { ($0, identity) }
    }

    /// Whether cases were asked again to settle the verdict (of this model, or of the baseline's):
    /// it is then not kept (the next gate reads the stored re-asks).
    static func settled(_ result: RunResult) -> Bool {
        result.suites.contains { $0.baselineReasks != nil || $0.cases.contains { ($0.settledRuns ?? 0) > 0 } }
    }

    /// Whether a comparison may be kept: a pass with no flipped case and nothing to warn about.
    static func keepable(_ comparison: Comparison, noise: [String]) -> Bool {
        noise.isEmpty && comparison.verdict == .pass && comparison.regressions.isEmpty
            && comparison.suites.allSatisfy { $0.regressed.isEmpty && $0.fixed.isEmpty }
    }

    /// Keeps `verdict` under `digest`, with the inputs' snapshot when they are HEAD's.
    func save(_ verdict: CachedVerdict, digest: String) {
        var verdict = verdict
        if verdict.inputs == nil { verdict.inputs = snapshotIfClean(digest) }
        evaluator.store.saveVerdict(verdict, digest: digest)
    }
}
