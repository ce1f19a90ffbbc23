import Foundation
import EvalGuardSupport

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

    enum CodingKeys: String, CodingKey {
        case stdout, notes, junit, markdown, inputs
        case resultCommit = "result_commit"
    }

    package init(resultCommit: String, stdout: String, notes: [String]? = nil, junit: String? = nil, markdown: String? = nil) {
        (self.resultCommit, self.stdout, self.notes, self.junit, self.markdown) = (resultCommit, stdout, notes, junit, markdown)
    }
}

extension ResultStore {
    func verdictPath(_ digest: String) -> String { root + "/" + Self.directory + "/verdicts/" + digest }

    package func cachedVerdict(_ digest: String) -> CachedVerdict? {
        FileManager.default.contents(atPath: verdictPath(digest)).flatMap { try? JSONDecoder().decode(CachedVerdict.self, from: $0) }
    }

    /// Best effort: a verdict that cannot be cached is computed again next time.
    package func saveVerdict(_ verdict: CachedVerdict, digest: String) {
        guard let data = try? JSONEncoder().encode(verdict) else { return }
        try? AtomicFile.write(Array(data), to: verdictPath(digest))
    }

    /// What `find(key:commit:)` would read, without reading it: the identity (device, inode,
    /// size, modification time) of the commit's own result file and of the one the key index
    /// names. Results are written by rename, so any new result changes it.
    package func storedResultIdentity(key: String, commit: String) -> String {
        var lines = ["own " + Self.identity(path(for: commit))]
        if let pointer = FileManager.default.contents(atPath: keyPath(key)) {
            let other = String(decoding: pointer, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            lines.append("indexed \(other) " + Self.identity(path(for: other)))
        }
        return lines.joined(separator: "\n")
    }

    package static func identity(_ path: String) -> String {
        var info = stat()
        guard stat(path, &info) == 0 else { return "absent" }
        return "\(info.st_dev) \(info.st_ino) \(info.st_size) \(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"
    }
}
