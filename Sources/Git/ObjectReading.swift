import CLibgit2
import EvalGuardSupport

/// libgit2's side of `ObjectID` (20 raw bytes: cheap to hash and compare where thousands are
/// kept; hashing 40-digit strings showed up in profiles of long blame searches).
extension ObjectID {
    init(_ oid: git_oid) {
        var id = oid.id
        self = withUnsafeBytes(of: &id) { ObjectID(bytes: $0) }
    }

    /// The `git_oid` libgit2 takes.
    var oid: git_oid {
        var oid = git_oid()
        withBytes { raw in withUnsafeMutableBytes(of: &oid.id) { $0.copyMemory(from: raw) } }
        return oid
    }
}

/// One entry of a tree object.
package struct TreeEntry: Sendable {
    package enum Kind: Sendable { case blob, tree, other }
    package var name: String
    package var id: ObjectID
    package var kind: Kind
}

/// What a history walk needs of a commit object: its tree and parents.
package struct CommitHeader: Sendable {
    package var tree: ObjectID
    package var firstParent: ObjectID?
    package var parentCount: Int
}

extension Repository {
    /// A commit's tree and parents, read without resolving anything else.
    package func commitHeader(_ id: ObjectID) throws -> CommitHeader {
        var oid = id.oid
        var commit: OpaquePointer?
        try check(git_commit_lookup(&commit, pointer, &oid), "git_commit_lookup")
        defer { git_commit_free(commit) }
        let count = Int(git_commit_parentcount(commit))
        return CommitHeader(
            tree: ObjectID(git_commit_tree_id(commit).pointee),
            firstParent: count > 0 ? git_commit_parent_id(commit, 0).map { ObjectID($0.pointee) } : nil,
            parentCount: count)
    }

    /// Every entry of a tree object, in git's order.
    package func treeEntries(_ id: ObjectID) throws -> [TreeEntry] {
        try withTreeObject(id) { tree in
            (0..<git_tree_entrycount(tree)).compactMap { i in git_tree_entry_byindex(tree, i).map(Self.entry) }
        }
    }

    /// One named entry of a tree object, or nil.
    package func treeEntry(named name: String, in id: ObjectID) throws -> TreeEntry? {
        try withTreeObject(id) { tree in git_tree_entry_byname(tree, name).map(Self.entry) }
    }

    /// Runs `body` with libgit2's object cache off, restoring it after. For walks that read each
    /// object once and memoise what they need themselves: over 8,192 commits the cache only cost
    /// inserting, evicting and finally freeing thousands of objects (a third of the time).
    package static func withoutObjectCache<T>(_ body: () throws -> T) rethrows -> T {
        LibGit2.ensure()
        _ = evalguard_git_enable_caching(0) // only fails for an unknown option, which this is not
        defer { _ = evalguard_git_enable_caching(1) }
        return try body()
    }

    private func withTreeObject<T>(_ id: ObjectID, _ body: (OpaquePointer) throws -> T) throws -> T {
        var oid = id.oid
        var tree: OpaquePointer?
        try check(git_tree_lookup(&tree, pointer, &oid), "git_tree_lookup")
        defer { git_tree_free(tree) }
        return try body(nonNull(tree, "git_tree_lookup"))
    }

    private static func entry(_ item: OpaquePointer) -> TreeEntry {
        let kind: TreeEntry.Kind =
            switch git_tree_entry_type(item) {
            case GIT_OBJECT_BLOB: .blob
            case GIT_OBJECT_TREE: .tree
            default: .other
            }
        return TreeEntry(
            name: String(cString: git_tree_entry_name(item)), id: ObjectID(git_tree_entry_id(item).pointee), kind: kind)
    }
}
