import EvalGuardConfig
import EvalGuardGit
import EvalGuardStore
import EvalGuardSupport
import FoundationEssentials

extension Evaluator {
    /// The digest a gate's verdict is cached under (`CachedVerdict`): everything the verdict
    /// depends on, each reduced to an id, none of which needs a stored result or a baseline
    /// decoded: the subject's evaluation key (which also covers the working tree's changes), the
    /// identity of the result files a lookup of that key reads, the baseline's blob id, the
    /// configuration's text (thresholds, alpha, on_inconclusive, flaky, repeat, protected
    /// branches…), the evalguard version and result format, and `extra` (what the command adds:
    /// the options that decide the verdict). Any change gives another digest.
    ///
    /// The commit is not part of it: a commit that changes no input (docs, another feature) has
    /// the same key, finds the same stored result and is held against the same baseline blob, so
    /// it reaches the same verdict, and `check` and the pre-push hook share it. What does depend
    /// on the commit adds it to `extra` (`ci`'s audit seeds its sample with it). The commit still
    /// enters where the lookup itself depends on it (see `ResultStore.storedResultIdentity`), and
    /// a pairwise judge's reference is the subject's own baseline file, which is not an input.
    ///
    /// With `assumingClean`, the working tree's key is taken from HEAD's tree alone, without a
    /// status: the digest the working tree has when its inputs are exactly HEAD's (which an
    /// `InputSnapshot` kept with the verdict then has to show).
    package func verdictDigest(
        _ subject: EvaluationSubject, baselineBlob: String, extra: [String],
        version: String = EvalGuardVersion.current, assumingClean: Bool = false
    ) throws -> String {
        try verdictDigestAndDirt(
            subject, baselineBlob: baselineBlob, extra: extra, version: version, assumingClean: assumingClean
        ).digest
    }

    /// `verdictDigest`, and whether the subject's inputs differ from its commit's (what a
    /// report of the verdict says beside it).
    package func verdictDigestAndDirt(
        _ subject: EvaluationSubject, baselineBlob: String, extra: [String],
        version: String = EvalGuardVersion.current, assumingClean: Bool = false
    ) throws -> (digest: String, dirty: Bool) {
        let head =
            switch subject {
            case .commit(let sha): sha
            case .workingTree: try repository.headOrUnborn().commit
            }
        let config = try config(of: subject)
        let (key, dirtyPaths) = try key(
            of: assumingClean && head != Head.unbornCommit ? .commit(head) : subject, config: config, head: head)
        var manifest = "evalguard verdict\nversion \(version)\nformat \(RunResult.formatVersion)\n"
        manifest += "key \(key)\n" + store.storedResultIdentity(key: key, commit: head) + "\n"
        manifest += "baseline \(baselineBlob)\nconfig \(GitHash.blobID(of: config.source.text))\n"
        if config.suites.contains(where: { $0.scorer.judge?.mode == .pairwise }) {
            let reference =
                switch subject {
                case .commit(let sha): (try repository.blobID(Baseline.path, atCommit: sha)) ?? "absent"
                case .workingTree: ResultStore.identity(repository.root + "/" + Baseline.path)
                }
            manifest += "pairwise reference \(reference)\n"
        }
        for part in extra { manifest += "extra \(GitHash.blobID(of: part))\n" }
        return (GitHash.blobID(of: manifest), !dirtyPaths.isEmpty)
    }
}
