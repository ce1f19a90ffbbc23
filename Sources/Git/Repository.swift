import CLibgit2
import EvalGuardSupport
import FoundationEssentials

/// An open git repository. Owns its libgit2 handle; libgit2 objects are single-thread-at-a-time,
/// so a `Repository` is used from one thread only.
package final class Repository {
    package let pointer: OpaquePointer
    /// Absolute path of the working tree, without a trailing slash.
    package let root: String

    private init(pointer: OpaquePointer, root: String) {
        self.pointer = pointer
        self.root = root
    }

    deinit { git_repository_free(pointer) }

    /// Where objects and notes are written: the git directory shared by every worktree, without a
    /// trailing slash.
    package var gitDirectory: String {
        var path = git_repository_commondir(pointer).map { String(cString: $0) } ?? root + "/.git"
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        return path
    }

    /// Opens the repository containing `path`, searching upwards as git does.
    package static func discover(from path: String) throws -> Repository {
        LibGit2.ensure()
        var repo: OpaquePointer?
        guard try found(git_repository_open_ext(&repo, path, 0, nil), "git_repository_open_ext") else {
            throw EvalGuardError(
                "not a git repository (or any of the parent directories): \(path)",
                hint: "evalguard works inside a git repository: run 'git init' first, or pass -C <dir>.")
        }
        guard let repo else { throw EvalGuardError("could not open the repository at \(path)") }
        guard let workdir = git_repository_workdir(repo) else {
            git_repository_free(repo)
            throw EvalGuardError("\(path) is a bare repository; evalguard needs a working tree")
        }
        var root = String(cString: workdir)
        while root.count > 1 && root.hasSuffix("/") { root.removeLast() }
        return Repository(pointer: repo, root: root)
    }

    /// HEAD's commit and branch (nil when detached). A repository without commits is an error a
    /// user can fix, so it says how.
    package func head() throws -> Head {
        var ref: OpaquePointer?
        let rc = try check(
            git_repository_head(&ref, pointer), "git_repository_head", answers: [GIT_EUNBORNBRANCH, GIT_ENOTFOUND])
        if rc < 0 {
            throw EvalGuardError(
                "the repository has no commits yet; evalguard keys results by commit",
                hint: "Commit your work first:\n  git add -A\n  git commit -m \"Initial commit\"")
        }
        defer { git_reference_free(ref) }
        var commit: OpaquePointer?
        try check(git_reference_peel(&commit, ref, GIT_OBJECT_COMMIT), "git_reference_peel")
        defer { git_object_free(commit) }
        let sha = try nonNull(git_object_id(commit), "git_object_id").pointee.hex
        let detached = try check(git_repository_head_detached(pointer), "git_repository_head_detached") == 1
        let branch = detached ? nil : git_reference_shorthand(ref).map { String(cString: $0) }
        return Head(commit: sha, branch: branch)
    }

    /// Resolves a revision (`HEAD~2`, `main`, a sha) to a commit id.
    package func resolveCommit(_ revision: String) throws -> String {
        var object: OpaquePointer?
        let rc = try check(
            git_revparse_single(&object, pointer, revision), "git_revparse_single",
            answers: [GIT_ENOTFOUND, GIT_EAMBIGUOUS, GIT_EINVALIDSPEC])
        if rc < 0 {
            throw EvalGuardError(
                "unknown revision '\(revision)'",
                hint: "Give a commit, branch or tag that exists here (see 'git log --oneline').")
        }
        defer { git_object_free(object) }
        var commit: OpaquePointer?
        guard succeeded(git_object_peel(&commit, object, GIT_OBJECT_COMMIT)) else {
            throw EvalGuardError("'\(revision)' does not name a commit")
        }
        defer { git_object_free(commit) }
        return try nonNull(git_object_id(commit), "git_object_id").pointee.hex
    }

    /// Runs `body` with the commit's root tree.
    func withTree<T>(ofCommit sha: String, _ body: (OpaquePointer) throws -> T) throws -> T {
        guard var oid = git_oid(hex: sha) else { throw EvalGuardError("invalid commit id '\(sha)'") }
        var commit: OpaquePointer?
        try check(git_commit_lookup(&commit, pointer, &oid), "git_commit_lookup")
        defer { git_commit_free(commit) }
        var tree: OpaquePointer?
        try check(git_commit_tree(&tree, commit), "git_commit_tree")
        defer { git_tree_free(tree) }
        return try body(nonNull(tree, "git_commit_tree"))
    }

    /// Runs `body` with the tree entry at `path` in commit `sha`; nil when there is none
    /// (a missing path is an answer, not an error).
    func withEntry<T>(_ path: String, atCommit sha: String, _ body: (OpaquePointer) throws -> T?) throws -> T? {
        try withTree(ofCommit: sha) { tree in
            var entry: OpaquePointer?
            guard try found(git_tree_entry_bypath(&entry, tree, path), "git_tree_entry_bypath") else { return nil }
            defer { git_tree_entry_free(entry) }
            return try body(nonNull(entry, "git_tree_entry_bypath"))
        }
    }

    /// The bytes of the file at `path` in commit `sha`, or nil when the commit has no such file.
    /// A symbolic link (a tree entry of mode 120000) on the way is refused, as in the working
    /// tree (see `RepositoryFile`): its blob is the target's path, never the file's text.
    package func fileContents(_ path: String, atCommit sha: String) throws -> [UInt8]? {
        let components = path.split(separator: "/")
        var walked = ""
        for (i, component) in components.enumerated() {
            walked += (walked.isEmpty ? "" : "/") + component
            let last = i == components.count - 1
            guard
                let (mode, bytes) = try withEntry(
                    walked, atCommit: sha,
                    { entry in
                        let mode = git_tree_entry_filemode(entry)
                        let isBlob =
                            git_tree_entry_type(entry) == GIT_OBJECT_BLOB && (last || mode == GIT_FILEMODE_LINK)
                        return (mode, isBlob ? try blobBytes(git_tree_entry_id(entry)) : nil)
                    })
            else { return nil }
            if mode == GIT_FILEMODE_LINK {
                throw RepositoryFile.linkError(path, link: walked, target: String(decoding: bytes ?? [], as: UTF8.self))
            }
            if last { return bytes }
        }
        return nil
    }

    private func blobBytes(_ id: UnsafePointer<git_oid>) throws -> [UInt8] {
        var blob: OpaquePointer?
        try check(git_blob_lookup(&blob, pointer, id), "git_blob_lookup")
        defer { git_blob_free(blob) }
        let size = Int(git_blob_rawsize(blob))
        guard size > 0, let raw = git_blob_rawcontent(blob) else { return [] }
        return Array(UnsafeRawBufferPointer(start: raw, count: size))
    }

    /// Subject, author and date of a commit, for reports.
    package func commitInfo(_ sha: String) throws -> CommitInfo {
        guard var oid = git_oid(hex: sha) else { throw EvalGuardError("invalid commit id '\(sha)'") }
        var commit: OpaquePointer?
        try check(git_commit_lookup(&commit, pointer, &oid), "git_commit_lookup")
        defer { git_commit_free(commit) }
        let summary = git_commit_summary(commit).map { String(cString: $0) } ?? ""
        let author = try nonNull(git_commit_author(commit), "git_commit_author").pointee
        let name = author.name.map { String(cString: $0) } ?? ""
        let email = author.email.map { String(cString: $0) } ?? ""
        let date = Date(timeIntervalSince1970: TimeInterval(author.when.time))
        return CommitInfo(sha: sha, subject: summary, author: name, email: email, date: date)
    }
}

package struct Head: Sendable, Equatable {
    package var commit: String
    /// The branch's short name, or nil when HEAD is detached.
    package var branch: String?
}

package struct CommitInfo: Sendable {
    package var sha: String
    package var subject: String
    package var author: String
    package var email: String
    package var date: Date
    package var shortSHA: String { String(sha.prefix(7)) }
}
