import Foundation

/// The repository evalguard works in, its HEAD and its working tree's configuration: built once
/// per command that evaluates the working tree.
public final class Workspace {
    public let repository: Repository
    public let head: Head
    public let config: EvalConfig
    /// Where a provider finds what the configuration names (the API key's variable).
    public let environment: [String: String]
    /// Things worth saying that do not stop the run (no price table), for the command to print.
    public private(set) var warnings: [String] = []
    public var root: String { repository.root }
    public var store: ResultStore { ResultStore(root: root, repository: repository) }

    public init(directory: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        self.environment = environment
        repository = try Repository.discover(from: directory)
        config = try EvalConfig.load(repositoryRoot: repository.root)
        head = try repository.head()
    }

    /// What the working tree's evaluation would be keyed by, and the input files that differ from HEAD.
    public func workingTreeState() throws -> (key: String, dirtyPaths: [String]) {
        let inputs = config.inputs
        let (files, dirty) = try repository.workingTreeFiles(head: head.commit, include: inputs.includes)
        return (EvaluationKey.compute(files: files, formatVersion: RunResult.formatVersion), dirty)
    }

    /// The working tree's result: a stored one with the same evaluation key (HEAD's own, or any
    /// commit's with the same inputs) unless `fresh`, otherwise a new run of the model, stored
    /// before it is returned. A reused result keeps the commit it was evaluated at. `repeats`
    /// (`--repeat`) overrides the configuration's `repeat`; a stored result made with another
    /// number of runs per case is not reused.
    public func evaluateWorkingTree(fresh: Bool, repeats: Int? = nil, progress: @escaping (Int, Int) -> Void) throws -> WorkingTreeEvaluation {
        let state = try workingTreeState()
        let runs = repeats ?? config.verdict.repeats
        if !fresh, let stored = store.find(key: state.key, commit: head.commit, repeats: runs) {
            return WorkingTreeEvaluation(result: stored, reused: true, dirtyPaths: state.dirtyPaths)
        }
        try store.ensureWritable()
        let outcome = try Evaluation.evaluate(config, in: root, commit: head.commit, key: state.key,
                                              dirtyPaths: state.dirtyPaths, repeats: runs, environment: environment,
                                              progress: progress)
        warnings += outcome.warnings
        try store.save(outcome.result)
        return WorkingTreeEvaluation(result: outcome.result, reused: false, dirtyPaths: state.dirtyPaths)
    }
}

/// The working tree's result and how it was obtained.
public struct WorkingTreeEvaluation {
    public var result: RunResult
    /// True when a stored result with the same evaluation key was used instead of running the model.
    public var reused: Bool
    /// Files that differ from HEAD now (the reused result may have been made from another state).
    public var dirtyPaths: [String]
    public var dirty: Bool { !dirtyPaths.isEmpty }
}
