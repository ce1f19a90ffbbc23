import EvalGuardGit
import EvalGuardSupport
import FoundationEssentials

extension ResultStore {
    /// `.evals/results/partial/<commit>.json`: the last `--suite` result that lacks a suite. It
    /// is not the commit's result (no key index entry, no note), only a source of answers.
    func partialPath(for commit: String) -> String { root + "/" + Self.directory + "/partial/\(commit).json" }

    package func savePartial(_ result: RunResult) throws {
        try AtomicFile.write(to: partialPath(for: result.commit)) { sink in
            try Self.writeJSON(result, pretty: false, newline: true, to: sink)
        }
    }

    /// How many stored results `candidates` gathers from first-parent ancestors.
    static let candidateLimit = 8

    /// Stored results whose answers a new evaluation of `commit` may reuse, nearest first: the
    /// commit's own (file, then note), the results the key index names for `suiteKeys`, then
    /// those of recent first-parent ancestors (files, else notes). Each result is decoded once,
    /// and the ancestors are searched only when a suite key found no stored suite: a suite whose
    /// key is stored is reused whole and needs no other answers.
    package func candidates(commit: String, suiteKeys: [String], files: ResultFiles = ResultFiles()) -> [RunResult] {
        var found: [RunResult] = []
        var seen: Set<String> = []
        func add(_ result: RunResult?) {
            guard let result else { return }
            let id = result.commit + " " + result.key
            if seen.insert(id).inserted { found.append(result) }
        }
        func file(_ sha: String) -> RunResult? { files.load(sha, from: self) }
        let own = file(commit)
        add(own)
        // A clean result file was written with its note (or cached from it): the note holds the same.
        if own.map({ $0.dirty }) ?? true { add(note(commit: commit)) }
        add(
            FileManager.default.contents(atPath: partialPath(for: commit))
                .flatMap { Self.decode($0, source: Self.directory + "/partial/\(commit).json") })
        var unresolved = Set(suiteKeys)
        for key in suiteKeys {
            if let other = indexed(key) { add(file(other)) }
        }
        for result in found {
            for suite in result.suites where !suite.cases.contains(where: { $0.error != nil }) {
                if let key = suite.key { unresolved.remove(key) }
            }
        }
        guard !unresolved.isEmpty else { return found }
        let ancestors =
            (try? repository?.commits(
                from: commit, hiding: nil, firstParent: true,
                limit: Self.ancestorSearchLimit)) ?? nil
        var fromAncestors = 0
        for sha in ancestors ?? [] where sha != commit && fromAncestors < Self.candidateLimit {
            guard let result = file(sha) ?? note(commit: sha) else { continue }
            add(result)
            fromAncestors += 1
        }
        return found
    }
}
