import EvalGuardGit
import EvalGuardStore
import EvalGuardSupport
import FoundationEssentials

/// One line of `evalguard log`: a first-parent commit and the stored result that holds for it.
package struct LogEntry: Sendable {
    package var commit: CommitInfo
    package var summary: ResultSummary
    /// True when the result is another commit's with the same evaluation key.
    package var shared: Bool
    /// True when the commit changed `.evals/baseline.json`.
    package var baselineChanged: Bool
}

/// Reads the stored results along the first-parent history. A commit shows its own result (file,
/// then note) or, failing that, a result stored under its evaluation key, including one made on a
/// dirty working tree whose inputs were then committed unchanged; each result file or note is
/// decoded once however many commits share it.
package enum ResultLog {
    /// How many first parents past the listed ones are searched for a note with a listed commit's key.
    static let ancestorSearchLimit = 100

    /// Newest first, at most `limit` commits, stopping before `stop` (the start of an A..B range).
    package static func entries(_ repository: Repository, from revision: String, limit: Int, stop: String? = nil) throws
        -> [LogEntry]
    {
        try history(repository, from: revision, limit: limit, stop: stop).entries
    }

    /// Without `suites`, the summaries hold the overall figures alone (see `ResultSummary.decode`).

    /// The entries, and the commit where a shallow clone's history is cut when the walk reached it.
    package static func history(
        _ repository: Repository, from revision: String, limit: Int,
        stop: String? = nil, suites: Bool = true
    ) throws -> (entries: [LogEntry], cutAt: String?) {
        let tip = try repository.resolveCommit(revision)
        let index = HistoryIndex(repository: repository)
        // Listed only when a commit has no result file: a short log of stored results reads
        // neither the key index nor the notes tree.
        lazy var notes = (try? repository.notes()) ?? [:]
        let directory = repository.root + "/" + ResultStore.directory
        var byKey: [String: ResultSummary?] = [:]
        var out: [LogEntry] = []

        func file(_ sha: String) -> ResultSummary? {
            // Read by name: listing the directory would cost as much as all of history whatever -n is.
            guard let data = FileManager.default.contents(atPath: directory + "/" + sha + ".json") else { return nil }
            return ResultSummary.decode(data, source: ResultStore.directory + "/" + sha + ".json", suites: suites)
        }
        func own(_ sha: String) -> ResultSummary? {
            if let s = file(sha), !s.dirty { return s }
            if let id = ObjectID(hex: sha), let blob = notes[id], let text = try? repository.note(blob: blob) {
                return ResultSummary.decode(Data(text.utf8), source: ResultStore.noteSource(sha), suites: suites)
            }
            return nil
        }
        let chain = try index.firstParentChain(from: tip, stop: stop, limit: limit)
        let owned = chain.map { own($0.sha) }
        // A clone that fetched the notes has no key index: a commit without a result of its own
        // finds one in another commit's note with its key, as `check` would: a commit of the
        // chain, else one of the first parents past its end (as many as `check` searches).
        var noted: [String: ResultSummary] = [:]
        for summary in owned.compactMap({ $0 }) where noted[summary.key] == nil { noted[summary.key] = summary }
        lazy var notedBeyond: [String: ResultSummary] = {
            var found: [String: ResultSummary] = [:]
            guard let last = chain.last, !index.isShallowBoundary(last),
                let further = try? index.firstParentChain(from: last.sha, limit: ancestorSearchLimit + 1)
            else { return found }
            for entry in further.dropFirst() {
                if let summary = own(entry.sha), found[summary.key] == nil { found[summary.key] = summary }
            }
            return found
        }()
        for (entry, ownSummary) in zip(chain, owned) {
            let sha = entry.sha
            var summary = ownSummary
            var shared = false
            if summary == nil, let key = index.key(of: entry) {
                if byKey[key] == nil {
                    let other = ResultStore(root: repository.root).indexed(key)
                    // A result made on a dirty tree holds for any commit with its key: the usual
                    // first baseline is run on the working tree, then committed as it was.
                    // The file may since hold a later run of that commit (a dirty one, with another
                    // key) while its note keeps the clean result: take whichever has the key.
                    byKey[key] =
                        other.flatMap { sha in [file(sha), own(sha)].lazy.compactMap { $0 }.first { $0.key == key } }
                        ?? noted[key] ?? notedBeyond[key]
                }
                summary = byKey[key] ?? nil
                shared = summary != nil
            }
            guard let summary else { continue }
            out.append(
                LogEntry(
                    commit: try repository.commitInfo(sha), summary: summary, shared: shared,
                    baselineChanged: try index.changesBaseline(entry)))
        }
        return (out, chain.last.flatMap { index.isShallowBoundary($0) ? $0.sha : nil })
    }
}
