import EvalGuardConfig
import EvalGuardGit
import EvalGuardStore
import EvalGuardSupport

/// A commit in a pushed range that changes `.evals/baseline.json`: a decision a reviewer must
/// see, so the push report names it with the metrics before and after.
package struct BaselineChange: Sendable {
    package var commit: CommitInfo
    package var before: Baseline?
    package var after: Baseline?

    /// The commits of `base..tip` that change the baseline, oldest first. Empty when the
    /// baseline at `tip` is the one at `base`.
    package static func find(in repository: Repository, base: String?, tip: String) throws -> [BaselineChange] {
        let path = Baseline.path
        guard let base, try repository.blobID(path, atCommit: base) != repository.blobID(path, atCommit: tip) else {
            return []
        }
        var changes: [BaselineChange] = []
        for sha in try repository.commits(from: tip, hiding: base).reversed() {
            let parent = try repository.parents(of: sha).first
            let before = try parent.flatMap { try repository.blobID(path, atCommit: $0) }
            guard try repository.blobID(path, atCommit: sha) != before else { continue }
            changes.append(
                BaselineChange(
                    commit: try repository.commitInfo(sha),
                    before: try parent.flatMap { try load(repository, at: $0) },
                    after: try load(repository, at: sha)))
        }
        return changes
    }

    static func load(_ repository: Repository, at sha: String) throws -> Baseline? {
        try CommittedBaseline.find(in: repository, commit: sha)?.baseline
    }
}
