import Foundation
import EvalGuardGit
import EvalGuardStore
import EvalGuardSupport

/// Which results are stored, known without decoding any: the key index directory is listed once
/// and the notes tree is walked once. Decoding happens only for the commits a search probes.
package struct StoredResults {
    package let store: ResultStore
    /// Evaluation keys named in `.evals/results/keys/`.
    package let indexedKeys: Set<String>
    /// The note blob of each commit with a note under `refs/notes/evalguard` (a clean result of
    /// exactly that commit), by commit id.
    package let notes: [ObjectID: ObjectID]

    package init(repository: Repository) {
        store = ResultStore(root: repository.root, repository: repository)
        let keysDirectory = repository.root + "/" + ResultStore.directory + "/keys"
        indexedKeys = Set((try? FileManager.default.contentsOfDirectory(atPath: keysDirectory)) ?? [])
        notes = (try? repository.notes()) ?? [:]
    }

    /// Whether a result for `key` is at hand for one of these commits (which all have that key):
    /// the commit to ask the store with, or nil.
    package func source(key: String, commits: [HistoryIndex.Entry]) -> String? {
        if let noted = commits.first(where: { notes[$0.id] != nil }) { return noted.sha }
        return indexedKeys.contains(key) ? commits.first?.sha : nil
    }

    /// The stored result with this key, found through `commit` (see `ResultStore.find`). nil when
    /// the index pointed at a result that is gone or was replaced.
    package func load(key: String, commit: String, repeats: Int) -> RunResult? {
        store.find(key: key, commit: commit, repeats: repeats)
    }
}
