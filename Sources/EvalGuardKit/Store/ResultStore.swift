import Foundation

/// Results on disk: `.evals/results/<commit>.json`, one per commit, ignored by git.
public struct ResultStore {
    public static let directory = ".evals/results"
    public let root: String

    public init(root: String) { self.root = root }

    public func displayPath(for commit: String) -> String { Self.directory + "/\(commit).json" }
    func path(for commit: String) -> String { root + "/" + displayPath(for: commit) }

    /// The stored result for a commit, or nil. A file that cannot be read as a result (an older
    /// format, a hand edit) is treated as absent: it will be re-evaluated and overwritten.
    public func load(commit: String) -> RunResult? {
        guard let data = FileManager.default.contents(atPath: path(for: commit)),
              let result = try? JSONDecoder().decode(RunResult.self, from: data),
              result.format == RunResult.formatVersion else { return nil }
        return result
    }

    public func save(_ result: RunResult) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        let data = try encoder.encode(result)
        try AtomicFile.write(Array(data) + [0x0A], to: path(for: result.commit))
    }
}
