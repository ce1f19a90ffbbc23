import Foundation

/// The repository evalguard works in, its HEAD and its configuration: built once per command.
public final class Workspace {
    public let repository: Repository
    public let head: Head
    public let config: EvalConfig
    public var root: String { repository.root }
    public var store: ResultStore { ResultStore(root: root) }

    public init(directory: String) throws {
        repository = try Repository.discover(from: directory)
        config = try EvalConfig.load(repositoryRoot: repository.root)
        head = try repository.head()
    }

    /// What the working tree's evaluation would be keyed by, and the files that differ from HEAD.
    public func workingTreeState() throws -> (key: String, dirtyPaths: [String]) {
        let (files, dirty) = try repository.workingTreeFiles(head: head.commit) { !EvaluationKey.isExcluded($0) }
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
        if !fresh {
            if let own = store.load(commit: head.commit), own.key == state.key, (own.repeats ?? 1) == runs {
                return WorkingTreeEvaluation(result: own, reused: true, dirtyPaths: state.dirtyPaths)
            }
            if let same = store.load(key: state.key), (same.repeats ?? 1) == runs {
                return WorkingTreeEvaluation(result: same, reused: true, dirtyPaths: state.dirtyPaths)
            }
        }
        let suites = try Evaluation.loadSuites(config) { path in
            FileManager.default.contents(atPath: root + "/" + path).map { Array($0) }
        }
        let provider = try makeProvider()
        let results = try Evaluation.run(suites, provider: provider, repeats: runs, progress: progress)
        let result = RunResult(
            format: RunResult.formatVersion, evalguardVersion: CLI.version, commit: head.commit,
            dirty: !state.dirtyPaths.isEmpty, dirtyPaths: state.dirtyPaths.isEmpty ? nil : state.dirtyPaths,
            key: state.key, createdAt: ISO8601DateFormatter().string(from: Date()),
            configDigest: GitHash.blobID(of: config.source.text), model: modelDescription,
            repeats: runs > 1 ? runs : nil, suites: results, overall: Metrics(results.flatMap(\.cases)))
        try store.save(result)
        return WorkingTreeEvaluation(result: result, reused: false, dirtyPaths: state.dirtyPaths)
    }

    func makeProvider() throws -> ModelProvider {
        CommandProvider(config: config.model, directory: root)
    }

    var modelDescription: [String: JSONValue] {
        ["provider": .string(config.model.provider), "command": .array(config.model.command.map(JSONValue.string))]
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
