import CLibgit2
import EvalGuardSupport
import FoundationEssentials

extension Repository {
    /// The best common ancestor of two commits, or nil when they share no history.
    package func mergeBase(_ a: String, _ b: String) throws -> String? {
        guard var x = git_oid(hex: a), var y = git_oid(hex: b) else { return nil }
        var out = git_oid()
        guard try found(git_merge_base(&out, pointer, &x, &y), "git_merge_base") else { return nil }
        return out.hex
    }

    /// Whether the object database has this commit (a shallow clone may lack the base).
    package func hasCommit(_ sha: String) -> Bool {
        guard var oid = git_oid(hex: sha) else { return false }
        var commit: OpaquePointer?
        guard succeeded(git_commit_lookup(&commit, pointer, &oid)) else { return false }
        git_commit_free(commit)
        return true
    }

    /// Commits reachable from `tip` but not from `hide`, newest first (as `git log hide..tip`).
    /// `firstParent` follows only first parents, as `git log --first-parent`.
    package func commits(from tip: String, hiding hide: String?, firstParent: Bool = false, limit: Int = .max) throws
        -> [String]
    {
        if firstParent, hide == nil { return try firstParentChain(from: tip, limit: limit) }
        var walk: OpaquePointer?
        try check(git_revwalk_new(&walk, pointer), "git_revwalk_new")
        defer { git_revwalk_free(walk) }
        // Sorting and first-parent mode must be set before anything is pushed.
        try check(
            git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL.rawValue | GIT_SORT_TIME.rawValue), "git_revwalk_sorting")
        if firstParent { try check(git_revwalk_simplify_first_parent(walk), "git_revwalk_simplify_first_parent") }
        guard var start = git_oid(hex: tip) else { return [] }
        try check(git_revwalk_push(walk, &start), "git_revwalk_push")
        if let hide, var hidden = git_oid(hex: hide) { try check(git_revwalk_hide(walk, &hidden), "git_revwalk_hide") }
        var result: [String] = []
        var oid = git_oid()
        while result.count < limit {
            guard try advanced(git_revwalk_next(&oid, walk), "git_revwalk_next") else { break }
            result.append(oid.hex)
        }
        return result
    }

    /// `limit` commits of the first-parent chain from `tip`, read one commit at a time. A revwalk
    /// sorted TOPOLOGICAL reads the whole history before it yields its first commit, which made
    /// every `ResultStore.find` (100 commits) cost as much as the whole history.
    func firstParentChain(from tip: String, limit: Int) throws -> [String] {
        guard var oid = git_oid(hex: tip) else { return [] }
        var result: [String] = []
        while result.count < limit {
            var commit: OpaquePointer?
            // A shallow clone's boundary or a missing object ends the chain, as it ends a revwalk.
            guard git_commit_lookup(&commit, pointer, &oid) == 0 else {
                git_error_clear()
                if result.isEmpty { try check(git_commit_lookup(&commit, pointer, &oid), "git_commit_lookup") }
                break
            }
            defer { git_commit_free(commit) }
            result.append(oid.hex)
            guard git_commit_parentcount(commit) > 0, let parent = git_commit_parent_id(commit, 0) else { break }
            oid = parent.pointee
        }
        return result
    }

    /// The parents of a commit, first parent first.
    package func parents(of sha: String) throws -> [String] {
        guard var oid = git_oid(hex: sha) else { return [] }
        var commit: OpaquePointer?
        try check(git_commit_lookup(&commit, pointer, &oid), "git_commit_lookup")
        defer { git_commit_free(commit) }
        return (0..<git_commit_parentcount(commit)).compactMap { git_commit_parent_id(commit, $0)?.pointee.hex }
    }

    /// The blob id of the file at `path` in a commit, or nil when it has none.
    package func blobID(_ path: String, atCommit sha: String) throws -> String? {
        try withEntry(path, atCommit: sha) { try nonNull(git_tree_entry_id($0), "git_tree_entry_id").pointee.hex }
    }

    /// A configuration value as git reads it (repository, global and system files), or nil.
    package func configString(_ name: String) throws -> String? {
        var config: OpaquePointer?
        try check(git_repository_config_snapshot(&config, pointer), "git_repository_config_snapshot")
        defer { git_config_free(config) }
        var buffer = git_buf()
        defer { git_buf_dispose(&buffer) }
        guard try found(git_config_get_string_buf(&buffer, config, name), "git_config_get_string_buf") else {
            return nil
        }
        return String(cString: buffer.ptr)
    }

    /// The directory git runs hooks from: `core.hooksPath` (relative to the working tree) or the
    /// `hooks` folder of the common git directory (shared by all worktrees).
    package func hooksDirectory() throws -> String {
        if let configured = try configString("core.hooksPath"), !configured.isEmpty {
            let expanded =
                configured.hasPrefix("~/") ? (processEnvironment()["HOME"] ?? "") + configured.dropFirst() : configured
            return expanded.hasPrefix("/") ? expanded : root + "/" + expanded
        }
        var common = String(cString: git_repository_commondir(pointer))
        while common.hasSuffix("/") { common.removeLast() }
        return common + "/hooks"
    }

    /// Resolves a reference name (`refs/remotes/origin/HEAD`, following symbolic refs) to a commit.
    package func commit(ofReference name: String) -> String? {
        var oid = git_oid()
        guard succeeded(git_reference_name_to_id(&oid, pointer, name)) else { return nil }
        var object: OpaquePointer?
        guard succeeded(git_object_lookup(&object, pointer, &oid, GIT_OBJECT_ANY)) else { return nil }
        defer { git_object_free(object) }
        var commit: OpaquePointer?
        guard succeeded(git_object_peel(&commit, object, GIT_OBJECT_COMMIT)) else { return nil }
        defer { git_object_free(commit) }
        return git_object_id(commit).map { $0.pointee.hex }
    }
}
