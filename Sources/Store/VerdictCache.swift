import EvalGuardSupport
import FoundationEssentials

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What a gate printed for a stored result held against a baseline it passed, kept so that the
/// same gate on the same inputs needs to decode neither (`.evals/results/verdicts/<digest>`).
/// The digest (see `Evaluator.verdictDigest`) covers everything the verdict depends on.
package struct CachedVerdict: Codable, Sendable, Equatable {
    /// The commit whose stored result passed.
    package var resultCommit: String
    /// The command's standard output (its verdict report), when the command prints one.
    package var stdout: String
    /// Lines the command said on stderr after the reuse note (a judged suite's judge line).
    package var notes: [String]?
    /// What `ci` writes besides: the JUnit report and the markdown summary.
    package var junit: String?
    package var markdown: String?
    /// For the working tree: the inputs' `InputSnapshot` when the verdict was reached on inputs
    /// exactly HEAD's; while it holds, the verdict is found without a status.
    package var inputs: [String: String]?
    /// What each command that kept this verdict prints of it, by the command and its format
    /// ("check text"), without what names the commit and the revision (the command says those
    /// anew): a verdict kept by one commit's gate serves the next commit with the same inputs.
    package var renderings: [String: String]?
    /// The identity (`ResultStore.identity`) of a working copy of the baseline file found equal
    /// to the baseline's blob: `check` takes the verdict only while its working copy is that file.
    package var baselineCopy: String?

    enum CodingKeys: String, CodingKey {
        case stdout, notes, junit, markdown, inputs, renderings
        case resultCommit = "result_commit"
        case baselineCopy = "baseline_copy"
    }

    package init(
        resultCommit: String, stdout: String, notes: [String]? = nil, junit: String? = nil, markdown: String? = nil
    ) {
        (self.resultCommit, self.stdout, self.notes, self.junit, self.markdown) = (
            resultCommit, stdout, notes, junit, markdown
        )
    }
}

extension ResultStore {
    func verdictPath(_ digest: String) -> String { root + "/" + Self.directory + "/verdicts/" + digest }

    package func cachedVerdict(_ digest: String) -> CachedVerdict? {
        FileManager.default.contents(atPath: verdictPath(digest)).flatMap {
            try? JSONDecoder().decode(CachedVerdict.self, from: $0)
        }
    }

    /// Best effort: a verdict that cannot be cached is computed again next time. What another
    /// command kept under the same digest (its rendering, a snapshot, a working copy) stays.
    package func saveVerdict(_ verdict: CachedVerdict, digest: String) {
        var verdict = verdict
        if let kept = cachedVerdict(digest) {
            verdict.renderings = (kept.renderings ?? [:]).merging(verdict.renderings ?? [:]) { $1 }
            verdict.inputs = verdict.inputs ?? kept.inputs
            verdict.baselineCopy = verdict.baselineCopy ?? kept.baselineCopy
        }
        guard let data = try? JSONEncoder().encode(verdict) else { return }
        try? AtomicFile.write(Array(data), to: verdictPath(digest))
    }

    /// What `find(key:commit:)` would read, without reading it: the identity (device, inode,
    /// size, modification time) of the result file the key index names and, when the commit has
    /// a result file of its own that is another, of that one too. Results are written by rename,
    /// so any new result changes it. It names the commit only where the lookup depends on it: a
    /// file of its own that is not the indexed one, or no file at all (the lookup then searches
    /// the notes of its ancestors). A commit whose inputs are another's, with no result of its
    /// own, so reads what that commit reads: the same stored result.
    package func storedResultIdentity(key: String, commit: String) -> String {
        let own = Self.identity(path(for: commit))
        guard let pointer = FileManager.default.contents(atPath: keyPath(key)),
            case let other = String(decoding: pointer, as: UTF8.self).trimmingWhitespaceAndNewlines(),
            RunResult.isObjectID(other)
        else { return "own \(commit) " + own }
        let indexed = "indexed \(other) " + Self.identity(path(for: other))
        return own == "absent" || other == commit ? indexed : "own \(commit) \(own)\n" + indexed
    }

    package static func identity(_ path: String) -> String {
        var info = stat()
        guard stat(path, &info) == 0 else { return "absent" }
        return "\(info.st_dev) \(info.st_ino) \(info.st_size) \(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"
    }
}
