import Foundation
import EvalGuardConfig
import EvalGuardGit
import EvalGuardRunner
import EvalGuardStore
import EvalGuardSupport

/// Evaluates commits other than the working tree: the pre-push hook, CI, `--commit`, blame.
/// Everything is read from git objects; the model runs in an isolated checkout that is removed
/// afterwards, so the user's working tree, index and HEAD are never touched.
package final class CommitEvaluator {
    package let repository: Repository
    /// Where a provider finds what the configuration names (an API key's variable).
    package let environment: [String: String]
    /// Things worth saying from the runs so far that did not stop them, for the command to print.
    package private(set) var warnings: [String] = []
    package var store: ResultStore { ResultStore(root: repository.root, repository: repository) }

    package init(repository: Repository, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.repository = repository
        self.environment = environment
    }

    /// The configuration committed at `commit`.
    package func config(at commit: String) throws -> EvalConfig {
        try EvalConfig.load(from: repository, commit: commit)
    }

    /// The evaluation key of a commit, computed from its tree without a checkout.
    package func key(of commit: String, config: EvalConfig) throws -> String {
        let inputs = config.inputs
        let files = try repository.files(atCommit: commit).filter { inputs.includes($0.path) }
        return EvaluationKey.compute(files: files, formatVersion: RunResult.formatVersion)
    }

    /// The commit's result: a stored one with the same key and number of runs per case (unless
    /// `fresh`), else a run of the model in an isolated checkout, stored under the commit before it
    /// is returned. `repeats` (`--repeat`) overrides the configuration's `repeat`.
    package func evaluate(_ commit: String, fresh: Bool = false, repeats: Int? = nil,
                         progress: @escaping (Int, Int) -> Void = { _, _ in }) throws -> CommitEvaluation {
        let config = try config(at: commit)
        let key = try key(of: commit, config: config)
        let runs = repeats ?? config.verdict.repeats
        if !fresh, let stored = store.find(key: key, commit: commit, repeats: runs) {
            return CommitEvaluation(commit: commit, result: stored, reused: true, config: config)
        }
        Interrupts.beginDeferring() // Ctrl-C from here waits for the checkout's removal
        defer { Interrupts.endDeferring() }
        let checkout = try IsolatedCheckout(repository: repository, commit: commit)
        defer { checkout.remove() }
        try Interrupts.checkpoint()
        let outcome = try Evaluation.evaluate(config, in: checkout.directory, commit: commit, key: key,
                                              dirtyPaths: [], repeats: runs, environment: environment, progress: progress)
        warnings += outcome.warnings
        let result = outcome.result
        try store.save(result)
        return CommitEvaluation(commit: commit, result: result, reused: false, config: config)
    }
}

/// A commit's result and how it was obtained.
package struct CommitEvaluation {
    package var commit: String
    package var result: RunResult
    /// True when a stored result was used; `result.commit` says whose.
    package var reused: Bool
    package var config: EvalConfig
}
