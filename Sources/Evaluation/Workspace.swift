import Foundation
import EvalGuardConfig
import EvalGuardGit
import EvalGuardStore
import EvalGuardSupport

/// The repository evalguard works in, its HEAD and its working tree's configuration: built once
/// per command that evaluates the working tree.
package final class Workspace {
    package let repository: Repository
    package let head: Head
    package let config: EvalConfig
    /// Where a provider finds what the configuration names (the API key's variable).
    package let environment: [String: String]
    /// Things worth saying that do not stop the run (no price table), for the command to print.
    package private(set) var warnings: [String] = []
    package var root: String { repository.root }
    package var store: ResultStore { ResultStore(root: root, repository: repository) }

    package init(directory: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        self.environment = environment
        repository = try Repository.discover(from: directory)
        config = try EvalConfig.load(repositoryRoot: repository.root)
        head = try repository.head()
    }

    /// What the working tree's evaluation would be keyed by, and the input files that differ from HEAD.
    package func workingTreeState() throws -> (key: String, dirtyPaths: [String]) {
        let inputs = config.inputs
        let (files, dirty) = try repository.workingTreeFiles(head: head.commit, include: inputs.includes)
        return (EvaluationKey.compute(files: files, formatVersion: RunResult.formatVersion), dirty)
    }

    /// The working tree's result: a stored one with the same evaluation key (HEAD's own, or any
    /// commit's with the same inputs) unless `fresh`, otherwise a new run of the model, stored
    /// before it is returned. A reused result keeps the commit it was evaluated at. `repeats`
    /// (`--repeat`) overrides the configuration's `repeat`; a stored result made with another
    /// number of runs per case is not reused.
    package func evaluateWorkingTree(fresh: Bool, repeats: Int? = nil, progress: @escaping (Int, Int) -> Void) throws -> WorkingTreeEvaluation {
        let state = try workingTreeState()
        let runs = repeats ?? config.verdict.repeats
        if !fresh, let stored = store.find(key: state.key, commit: head.commit, repeats: runs) {
            return WorkingTreeEvaluation(result: stored, reused: true, dirtyPaths: state.dirtyPaths)
        }
        let outcome = try Evaluation.evaluate(config, in: root, commit: head.commit, key: state.key,
                                              dirtyPaths: state.dirtyPaths, repeats: runs, environment: environment,
                                              progress: progress)
        warnings += outcome.warnings
        try store.save(outcome.result)
        return WorkingTreeEvaluation(result: outcome.result, reused: false, dirtyPaths: state.dirtyPaths)
    }
}

/// The working tree's result and how it was obtained.
package struct WorkingTreeEvaluation {
    package var result: RunResult
    /// True when a stored result with the same evaluation key was used instead of running the model.
    package var reused: Bool
    /// Files that differ from HEAD now (the reused result may have been made from another state).
    package var dirtyPaths: [String]
    package var dirty: Bool { !dirtyPaths.isEmpty }
}
