import Foundation
import EvalGuardConfig
import EvalGuardGit
import EvalGuardRunner
import EvalGuardStore
import EvalGuardSupport

/// What is evaluated: the working tree (HEAD with any uncommitted changes), or a commit read
/// from git objects.
package enum EvaluationSubject: Sendable, Equatable {
    case workingTree
    case commit(String)
}

/// A result and how it was obtained.
package struct Evaluated {
    package var result: RunResult
    /// True when a stored result with the same evaluation key was used instead of running the
    /// model; `result.commit` then says whose it was.
    package var reused: Bool
    /// The configuration the subject holds.
    package var config: EvalConfig
    /// Input files that differ from HEAD in the working tree (empty for a commit).
    package var dirtyPaths: [String]
    package var dirty: Bool { !dirtyPaths.isEmpty }
}

/// The one evaluation path, for the working tree and for commits (`run`, `check`, the pre-push
/// hook, CI, `diff`, blame). The two differ only in where the files come from: the working tree
/// is read in place; a commit's configuration and key come from git objects, and its model runs
/// in an isolated checkout that is removed afterwards, so the user's working tree, index and
/// HEAD are never touched.
package final class Evaluator {
    package let repository: Repository
    /// Where a provider finds what the configuration names (an API key's variable).
    package let environment: [String: String]
    /// Things worth saying from the runs so far that did not stop them, for the command to print.
    package private(set) var warnings: [String] = []
    /// `--max-cost`: overrides the configuration's `max_cost_usd` for runs of the model.
    package var maxCostUSD: Double?
    package var store: ResultStore { ResultStore(root: repository.root, repository: repository) }
    private var workingTreeConfig: EvalConfig?

    package init(repository: Repository, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.repository = repository
        self.environment = environment
    }

    /// The configuration the subject holds.
    package func config(of subject: EvaluationSubject) throws -> EvalConfig {
        switch subject {
        case .commit(let sha):
            return try EvalConfig.load(from: repository, commit: sha)
        case .workingTree:
            if let known = workingTreeConfig { return known }
            let config = try EvalConfig.load(repositoryRoot: repository.root)
            workingTreeConfig = config
            return config
        }
    }

    /// The subject's evaluation key (and, for the working tree, the input files that differ
    /// from HEAD), computed without a checkout.
    package func key(of subject: EvaluationSubject, config: EvalConfig, head: String) throws -> (key: String, dirtyPaths: [String]) {
        let inputs = config.inputs
        switch subject {
        case .commit(let sha):
            let files = try repository.files(atCommit: sha).filter { inputs.includes($0.path) }
            return (EvaluationKey.compute(files: files, formatVersion: RunResult.formatVersion), [])
        case .workingTree:
            let (files, dirty) = try repository.workingTreeFiles(head: head, include: inputs.includes)
            return (EvaluationKey.compute(files: files, formatVersion: RunResult.formatVersion), dirty)
        }
    }

    /// The subject's result: a stored one with the same evaluation key and number of runs per
    /// case (unless `fresh`), else a new run of the model, stored before it is returned.
    /// `repeats` (`--repeat`) overrides the configuration's `repeat`.
    package func evaluate(_ subject: EvaluationSubject, fresh: Bool = false, repeats: Int? = nil,
                          progress: @escaping (Int, Int) -> Void = { _, _ in }) throws -> Evaluated {
        let commit = switch subject {
        case .commit(let sha): sha
        case .workingTree: try repository.headOrUnborn().commit
        }
        let config = try config(of: subject)
        let (key, dirtyPaths) = try key(of: subject, config: config, head: commit)
        let runs = repeats ?? config.verdict.repeats
        if !fresh, let stored = store.find(key: key, commit: commit, repeats: runs) {
            return Evaluated(result: stored, reused: true, config: config, dirtyPaths: dirtyPaths)
        }
        try store.ensureWritable()
        var checkout: IsolatedCheckout?
        defer { checkout?.remove() }
        Interrupts.beginDeferring() // Ctrl-C from here waits for the checkout's removal
        defer { Interrupts.endDeferring() }
        if case .commit = subject {
            checkout = try IsolatedCheckout(repository: repository, commit: commit)
            try Interrupts.checkpoint()
        }
        let outcome = try Evaluation.evaluate(config, in: checkout?.directory ?? repository.root, commit: commit, key: key,
                                              dirtyPaths: dirtyPaths, repeats: runs, maxCostUSD: maxCostUSD,
                                              environment: environment, progress: progress)
        warnings += outcome.warnings
        try store.save(outcome.result)
        return Evaluated(result: outcome.result, reused: false, config: config, dirtyPaths: dirtyPaths)
    }
}
