import EvalGuardGit
import EvalGuardStore
import EvalGuardSupport
import FoundationEssentials

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Which results are stored, known without decoding any: the notes tree is walked once, and a
/// result file or key index entry is looked for (one `stat`) the first time a search asks about
/// it, so a search that settles a long range with a few stored results touches a few files, not a
/// listing of every result. Decoding happens only for the commits a search probes.
package final class StoredResults {
    package let store: ResultStore
    /// The note blob of each commit with a note under `refs/notes/evalguard` (a clean result of
    /// exactly that commit), by commit id.
    package let notes: [ObjectID: ObjectID]
    private let directory: String
    /// Whether `.evals/results/keys/<key>` exists, by key, once asked.
    private var indexed: [String: Bool] = [:]
    /// Whether `.evals/results/` holds any result file at all, listed up to the first one.
    package let anyFiles: Bool

    package init(repository: Repository) {
        store = ResultStore(root: repository.root, repository: repository)
        directory = repository.root + "/" + ResultStore.directory
        notes = (try? repository.notes()) ?? [:]
        anyFiles = Self.holdsResultFile(directory)
    }

    /// Whether the key index names a result for this key.
    package func isIndexed(_ key: String) -> Bool {
        if let known = indexed[key] { return known }
        let found = FileManager.default.fileExists(atPath: directory + "/keys/" + key)
        indexed[key] = found
        return found
    }

    /// Whether a result for `key` is at hand for one of these commits (which all have that key):
    /// the commit to ask the store with, or nil.
    package func source(key: String, commits: [HistoryIndex.Entry]) -> String? {
        if let noted = commits.first(where: { notes[$0.id] != nil }) { return noted.sha }
        return isIndexed(key) ? commits.first?.sha : nil
    }

    /// Whether the commit may have a result of its own (a note, or `.evals/results/<commit>.json`),
    /// known without reading it: the file may hold a dirty result or an older format, so it is a
    /// candidate, checked when read.
    package func mayHaveOwnResult(_ id: ObjectID) -> Bool {
        notes[id] != nil || (anyFiles && FileManager.default.fileExists(atPath: directory + "/" + id.hex + ".json"))
    }

    /// Whether no commit has a result of its own.
    package var noOwnResults: Bool { notes.isEmpty && !anyFiles }

    /// The stored result with this key, found through `commit` (see `ResultStore.find`). nil when
    /// the index pointed at a result that is gone or was replaced.
    package func load(key: String, commit: String, repeats: Int) -> RunResult? {
        store.find(key: key, commit: commit, repeats: repeats)
    }

    /// Reads the directory only up to its first `<commit>.json`.
    private static func holdsResultFile(_ path: String) -> Bool {
        guard let stream = opendir(path) else { return false }
        defer { closedir(stream) }
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name.utf8.count == 45 && name.hasSuffix(".json") { return true }
        }
        return false
    }
}
