import Foundation

/// Results on disk: `.evals/results/<commit>.json`, one per commit, ignored by git, and
/// `.evals/results/keys/<evaluation key>` naming the commit whose result holds that key, so that
/// any commit with the same inputs finds it without reading every result.
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

    /// A stored result evaluated with exactly this key, whichever commit it was stored under.
    public func load(key: String) -> RunResult? {
        guard let pointer = FileManager.default.contents(atPath: keyPath(key)) else { return nil }
        let commit = String(decoding: pointer, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let result = load(commit: commit), result.key == key else { return nil }
        return result
    }

    public func save(_ result: RunResult) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        let data = try encoder.encode(result)
        try AtomicFile.write(Array(data) + [0x0A], to: path(for: result.commit))
        try AtomicFile.write(result.commit + "\n", to: keyPath(result.key))
    }

    func keyPath(_ key: String) -> String { root + "/" + Self.directory + "/keys/" + key }
}
