import Foundation
import EvalGuardCompare
import EvalGuardEvaluation
import EvalGuardGit
import EvalGuardStore
import EvalGuardSupport

/// Where the gate (`GateSession`) keeps a verdict it may print again without decoding the
/// stored result or the baseline (see `Evaluator.verdictDigest`). `GateSession.keep` holds the
/// one rule for what is kept; a hit then says exactly what the command said the first time
/// (the reuse note, the judge lines, the report).
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
    /// The working tree's inputs as they were before anything read them (nil: no snapshot).
    let before: [String: String]?
    /// The verdict found, if any.
    private(set) var hit: CachedVerdict?

    /// nil when nothing is committed to compare with (the command then says so the long way).
    /// `parts` is what the command adds: its name, options and how it names subject and baseline.
    init?(_ evaluator: Evaluator, _ subject: EvaluationSubject, baselineAt commit: String, workingCopy: String?, parts: [String]) {
        guard let blob = (try? evaluator.repository.blobID(Baseline.path, atCommit: commit)) ?? nil else { return nil }
        let all = parts + [commit] + (workingCopy.map { [ResultStore.identity($0 + "/" + Baseline.path)] } ?? [])
        (self.evaluator, self.subject, baselineBlob, self.workingCopy, self.parts) = (evaluator, subject, blob, workingCopy, all)
        let root = evaluator.repository.root
        if subject == .workingTree {
            // Inputs unchanged since a verdict on HEAD's inputs: found by a few lstat calls.
            if let clean = try? evaluator.verdictDigest(subject, baselineBlob: blob, extra: all, assumingClean: true),
               let found = evaluator.store.cachedVerdict(clean), let snapshot = found.inputs, InputSnapshot.holds(snapshot, root: root) {
                (digest, hit, before) = ("", found, nil)
                return
            }
            before = evaluator.inputSnapshot()
        } else {
            before = nil
        }
        guard let digest = try? evaluator.verdictDigest(subject, baselineBlob: blob, extra: all) else { return nil }
        self.digest = digest
        hit = evaluator.store.cachedVerdict(digest)
        // Found through the status: keep the inputs' snapshot with it, for the next gate.
        if var found = hit, found.inputs == nil || found.inputs != before, let snapshot = snapshotIfClean(digest) {
            found.inputs = snapshot
            save(found, digest: digest)
        }
    }

    /// The snapshot taken before the status, when `digest` is the one HEAD's inputs give (the
    /// working tree's inputs are HEAD's) and nothing changed since it was taken.
    private func snapshotIfClean(_ digest: String) -> [String: String]? {
        guard let before, (try? evaluator.verdictDigest(subject, baselineBlob: baselineBlob, extra: parts, assumingClean: true)) == digest,
              evaluator.inputSnapshot() == before else { return nil }
        return before
    }

    /// The digest to keep this evaluation's verdict under, or nil when it may not be kept: only a
    /// stored result reused whole, no warnings, the working copy of the baseline equal to the
    /// committed one. Taken right after the evaluation, so a result just cached into the files
    /// from a note is described as it now lies.
    func digestAfter(_ evaluation: Evaluated) -> String? {
        guard evaluation.reused, evaluator.warnings.isEmpty, evaluation.stored else { return nil }
        if let root = workingCopy {
            guard let copy = FileManager.default.contents(atPath: root + "/" + Baseline.path),
                  GitHash.blobID(of: Array(copy)) == baselineBlob else { return nil }
        }
        return try? evaluator.verdictDigest(subject, baselineBlob: baselineBlob, extra: parts)
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
