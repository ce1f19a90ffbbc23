import Foundation
import EvalGuardCompare
import EvalGuardEvaluation
import EvalGuardGit
import EvalGuardStore
import EvalGuardSupport

/// Where a gate command (`check`, `check --commit`, `ci`) keeps a verdict it may print again
/// without decoding the stored result or the baseline (see `Evaluator.verdictDigest`). Only a
/// pass reached on a reused stored result, with no warning, no noise advice, no settling and (for
/// the working tree) a working-copy baseline equal to the committed one, is kept: a hit then says
/// exactly what the command said the first time (the reuse note, the judge lines, the report).
struct VerdictCacheKey {
    var digest: String
    let evaluator: Evaluator
    let subject: EvaluationSubject
    let baselineBlob: String
    /// The repository root whose working copy of the baseline `check` compares with the committed one.
    let workingCopy: String?
    let parts: [String]

    /// nil when nothing is committed to compare with (the command then says so the long way).
    /// `parts` is what the command adds: its name, options and how it names subject and baseline.
    init?(_ evaluator: Evaluator, _ subject: EvaluationSubject, baselineAt commit: String, workingCopy: String?, parts: [String]) {
        guard let blob = (try? evaluator.repository.blobID(Baseline.path, atCommit: commit)) ?? nil else { return nil }
        let all = parts + [commit] + (workingCopy.map { [ResultStore.identity($0 + "/" + Baseline.path)] } ?? [])
        guard let digest = try? evaluator.verdictDigest(subject, baselineBlob: blob, extra: all) else { return nil }
        (self.digest, self.evaluator, self.subject, baselineBlob, self.workingCopy, self.parts) = (digest, evaluator, subject, blob, workingCopy, all)
    }

    /// The verdict kept under this digest, if any.
    var hit: CachedVerdict? { evaluator.store.cachedVerdict(digest) }

    /// Says on stderr and stdout what the command said when it reached `hit`.
    static func replay(_ hit: CachedVerdict, _ context: CommandContext) {
        context.console.err("note: reusing the stored result of \(hit.resultCommit.prefix(7)): nothing the model depends on changed since")
        for line in hit.notes ?? [] { context.console.err(line) }
        context.console.out(hit.stdout, terminator: "")
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

    /// Whether cases were asked again to settle the verdict: it is then not kept (the next gate
    /// reads the stored re-asks).
    static func settled(_ result: RunResult) -> Bool {
        result.suites.contains { $0.cases.contains { ($0.settledRuns ?? 0) > 0 } }
    }

    /// Whether a comparison may be kept: a pass with no flipped case and nothing to warn about.
    static func keepable(_ comparison: Comparison, noise: [String]) -> Bool {
        noise.isEmpty && comparison.verdict == .pass && comparison.regressions.isEmpty
            && comparison.suites.allSatisfy { $0.regressed.isEmpty && $0.fixed.isEmpty }
    }

    func save(_ verdict: CachedVerdict, digest: String) { evaluator.store.saveVerdict(verdict, digest: digest) }
}
