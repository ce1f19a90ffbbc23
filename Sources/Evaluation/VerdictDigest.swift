import Foundation
import EvalGuardConfig
import EvalGuardGit
import EvalGuardStore
import EvalGuardSupport

extension Evaluator {
    /// The digest a gate's verdict is cached under (`CachedVerdict`): everything the verdict
    /// depends on, each reduced to an id, none of which needs a stored result or a baseline
    /// decoded: the subject's commit (HEAD for the working tree; `ci`'s audit seeds its sample
    /// with it), its evaluation key (which also covers the working tree's changes), the
    /// identity of the result files a lookup of that key reads, the baseline's blob id, the
    /// configuration's text (thresholds, alpha, on_inconclusive, flaky, repeat, protected
    /// branches…), the evalguard version and result format, and `extra` (what the command adds:
    /// its options, the subject and baseline as it names them). Any change gives another digest.
    ///
    /// With `assumingClean`, the working tree's key is taken from HEAD's tree alone, without a
    /// status: the digest the working tree has when its inputs are exactly HEAD's (which an
    /// `InputSnapshot` kept with the verdict then has to show).
    package func verdictDigest(_ subject: EvaluationSubject, baselineBlob: String, extra: [String],
                              version: String = EvalGuardVersion.current, assumingClean: Bool = false) throws -> String {
        let head = switch subject {
        case .commit(let sha): sha
        case .workingTree: try repository.headOrUnborn().commit
        }
        let config = try config(of: subject)
        let (key, _) = try key(of: assumingClean && head != Head.unbornCommit ? .commit(head) : subject, config: config, head: head)
        var manifest = "evalguard verdict\nversion \(version)\nformat \(RunResult.formatVersion)\n"
        manifest += "commit \(head)\nkey \(key)\n" + store.storedResultIdentity(key: key, commit: head) + "\n"
        manifest += "baseline \(baselineBlob)\nconfig \(GitHash.blobID(of: config.source.text))\n"
        for part in extra { manifest += "extra \(GitHash.blobID(of: part))\n" }
        return GitHash.blobID(of: manifest)
    }
}
