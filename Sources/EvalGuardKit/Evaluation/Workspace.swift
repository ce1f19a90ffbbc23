import Foundation

/// The repository evalguard works in, its HEAD and its configuration: built once per command.
public final class Workspace {
    public let repository: Repository
    public let head: Head
    public let config: EvalConfig
    /// Where a provider finds what the configuration names (the API key's variable).
    public let environment: [String: String]
    /// Things worth saying that do not stop the run (no price table), for the command to print.
    public private(set) var warnings: [String] = []
    /// Wall time of the last run of the model (provider and scoring).
    public private(set) var modelWallSeconds: Double?
    public var root: String { repository.root }
    public var store: ResultStore { ResultStore(root: root) }

    public init(directory: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        self.environment = environment
        repository = try Repository.discover(from: directory)
        config = try EvalConfig.load(repositoryRoot: repository.root)
        head = try repository.head()
    }

    /// What the working tree's evaluation would be keyed by, and the files that differ from HEAD.
    public func workingTreeState() throws -> (key: String, dirtyPaths: [String]) {
        let (files, dirty) = try repository.workingTreeFiles(head: head.commit) { !EvaluationKey.isExcluded($0) }
        return (EvaluationKey.compute(files: files, formatVersion: RunResult.formatVersion), dirty)
    }

    /// The working tree's result: the stored one when its key matches (unless `fresh`), otherwise a
    /// new run of the model, stored before it is returned.
    public func evaluateWorkingTree(fresh: Bool, progress: @escaping (Int, Int) -> Void) throws -> (result: RunResult, reused: Bool) {
        let state = try workingTreeState()
        if !fresh, let stored = store.load(commit: head.commit), stored.key == state.key {
            return (stored, true)
        }
        let suites = try Evaluation.loadSuites(config) { path in
            FileManager.default.contents(atPath: root + "/" + path).map { Array($0) }
        }
        let provider = try makeProvider()
        let started = monotonicNanoseconds()
        let results = try Evaluation.run(suites, provider: provider, progress: progress)
        modelWallSeconds = Double(monotonicNanoseconds() - started) / 1e9
        let result = RunResult(
            format: RunResult.formatVersion, evalguardVersion: CLI.version, commit: head.commit,
            dirty: !state.dirtyPaths.isEmpty, dirtyPaths: state.dirtyPaths.isEmpty ? nil : state.dirtyPaths,
            key: state.key, createdAt: ISO8601DateFormatter().string(from: Date()),
            configDigest: GitHash.blobID(of: config.source.text), model: modelDescription,
            suites: results, overall: Metrics(results.flatMap(\.cases)))
        try store.save(result)
        return (result, false)
    }

    func makeProvider() throws -> ModelProvider {
        guard let openAI = config.model.openAI else { return CommandProvider(config: config.model, directory: root) }
        let (price, warning) = try openAI.price(repositoryRoot: root)
        if let warning { warnings.append(warning) }
        return try OpenAIProvider(model: config.model, openAI: openAI, price: price, environment: environment)
    }

    var modelDescription: [String: JSONValue] {
        if let openAI = config.model.openAI {
            return openAI.description(price: try? openAI.price(repositoryRoot: root).price)
        }
        return ["provider": .string(config.model.provider), "command": .array(config.model.command.map(JSONValue.string))]
    }
}
