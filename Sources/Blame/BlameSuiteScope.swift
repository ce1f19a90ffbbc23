import EvalGuardGit
import EvalGuardHistory
import EvalGuardStore

/// `blame --suite S`: the range is cut by S's key (`HistoryIndex.key(of:suite:)`), so a commit
/// that changes only another suite is no candidate, and probes ask S's model alone; stored
/// results, kept by whole evaluation keys, are still found and serve for S.
extension Blame {
    /// The result with the suites the search is about: S alone under --suite, so that comparing
    /// two ends tests S's metrics as `check --suite S` does (the family-wise correction included).
    func scoped(_ result: RunResult) -> RunResult {
        guard let suite = options.suite else { return result }
        var only = result
        only.suites = result.suites.filter { $0.name == suite }
        return only
    }

    /// A commit of the segment whose stored result is at hand (a note, else the key index), with
    /// the evaluation key it is stored under; nil when none is.
    func storedSource(_ segment: Segment) -> (commit: HistoryIndex.Entry, key: String)? {
        guard let key = segment.key else { return nil }
        guard options.suite != nil else {
            guard let sha = stored.source(key: key, commits: segment.commits) else { return nil }
            return (segment.commits.first { $0.sha == sha } ?? segment.first, key)
        }
        // S's segment may span several evaluation keys: a commit's result is found by its own.
        if let noted = segment.commits.first(where: { stored.notes[$0.id] != nil }), let whole = evaluationKey(noted) {
            return (noted, whole)
        }
        if let whole = evaluationKey(segment.first), stored.isIndexed(whole) { return (segment.first, whole) }
        return nil
    }

    /// The commit's whole evaluation key (not S's), read once.
    func evaluationKey(_ entry: HistoryIndex.Entry) -> String? {
        if let known = evaluationKeys[entry.id] { return known }
        let key = index.key(of: entry)
        evaluationKeys[entry.id] = .some(key)
        return key
    }
}
