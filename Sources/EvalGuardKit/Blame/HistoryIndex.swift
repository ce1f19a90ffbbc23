import CLibgit2
import Foundation

/// What blame and log need to know about each commit of a long first-parent history, read
/// straight from git objects and memoised by object id: a stretch of 8,192 commits mostly shares
/// its trees, so each tree is read once, each configuration is parsed once (by its blob id), and
/// a commit's evaluation key costs a root-tree read plus the subtrees it changed.
///
/// The keys equal `CommitEvaluator.key(of:config:)` (a test holds them together).
public final class HistoryIndex {
    public let repository: Repository

    /// One commit: its tree, its first parent, and the blobs of `.evals/` that matter here.
    public struct Entry: Sendable {
        public var sha: String
        public var tree: String
        public var firstParent: String?
        public var parentCount: Int
        public var configBlob: String?
        public var baselineBlob: String?
    }

    private var entries: [String: Entry] = [:]
    private var evalsBlobs: [String: (config: String?, baseline: String?)] = [:]
    private var configs: [String: Result<EvalConfig, EvalGuardError>] = [:]
    /// Each configuration's input selection, by a small number that stands for its blob id.
    private var selections: [String: (number: Int, selection: InputSelection)] = [:]
    private var subtreeInputs: [TreeMemo: [FileVersion]] = [:]
    private var keysBySignature: [[TreeMemo]: String] = [:]
    private var directories: [String: Bool] = [:]
    /// In a shallow clone, the commits whose first parent is not in the clone, by sha.
    private var boundaries: [String: Bool] = [:]
    private lazy var shallow = repository.isShallow

    /// A memo key: configuration number, tree id (as integers: hashing 40-digit strings showed up
    /// in profiles of 8,192-commit searches) and the tree's path.
    private struct TreeMemo: Hashable {
        var config: Int
        var a: UInt64, b: UInt64, c: UInt32
        var prefix: String

        init(config: Int, tree: git_oid, prefix: String) {
            self.config = config
            self.prefix = prefix
            var id = tree.id
            (a, b, c) = withUnsafeBytes(of: &id) { raw in
                (raw.loadUnaligned(as: UInt64.self), raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
                 raw.loadUnaligned(fromByteOffset: 16, as: UInt32.self))
            }
        }
    }

    /// Turns off libgit2's object cache while the index lives: the index memoises what it needs
    /// itself and reads each commit and tree once, so over 8,192 commits the cache only cost
    /// inserting, evicting and finally freeing thousands of objects (a third of the time).
    public init(repository: Repository) {
        self.repository = repository
        evalguard_git_enable_caching(0)
    }

    deinit { evalguard_git_enable_caching(1) }

    /// The facts of one commit (memoised).
    public func entry(_ sha: String) throws -> Entry {
        if let known = entries[sha] { return known }
        guard var oid = git_oid(hex: sha) else { throw EvalGuardError("invalid commit id '\(sha)'") }
        var commit: OpaquePointer?
        try check(git_commit_lookup(&commit, repository.pointer, &oid), "git_commit_lookup")
        defer { git_commit_free(commit) }
        let treeID = git_commit_tree_id(commit)!.pointee
        let parentCount = Int(git_commit_parentcount(commit))
        let parent = parentCount > 0 ? git_commit_parent_id(commit, 0)?.pointee.hex : nil
        let blobs = try evalsFiles(tree: treeID)
        let entry = Entry(sha: sha, tree: treeID.hex, firstParent: parent, parentCount: parentCount,
                          configBlob: blobs.config, baselineBlob: blobs.baseline)
        entries[sha] = entry
        return entry
    }

    /// Whether history is cut below this commit: the clone is shallow and its first parent is not
    /// in it. A walk ends there instead of failing.
    public func isShallowBoundary(_ entry: Entry) -> Bool {
        guard shallow, let parent = entry.firstParent else { return false }
        if let known = boundaries[entry.sha] { return known }
        let cut = !repository.hasCommit(parent)
        boundaries[entry.sha] = cut
        return cut
    }

    /// First-parent commits from `tip` back to (not including) `stop`, newest first; or, without
    /// `stop`, until `until` says to stop (the commit it stops at is included) or `limit`. In a
    /// shallow clone the walk also ends at the boundary (see `isShallowBoundary`).
    public func firstParentChain(from tip: String, stop: String? = nil, limit: Int = .max,
                                 until: (Entry) -> Bool = { _ in false }) throws -> [Entry] {
        var chain: [Entry] = []
        var next: String? = tip
        while let sha = next, sha != stop, chain.count < limit {
            let e = try entry(sha)
            chain.append(e)
            if until(e) || isShallowBoundary(e) { break }
            next = e.firstParent
        }
        return chain
    }

    /// The configuration committed with this entry, or the error that stops it being read.
    public func config(of entry: Entry) -> Result<EvalConfig, EvalGuardError> {
        guard let blob = entry.configBlob else {
            return .failure(EvalGuardError("commit \(entry.sha.prefix(7)) has no \(EvalConfig.path)"))
        }
        if let known = configs[blob] { return known }
        let loaded: Result<EvalConfig, EvalGuardError>
        do {
            loaded = .success(try EvalConfig.load(from: repository, commit: entry.sha))
        } catch let error as EvalGuardError {
            loaded = .failure(error)
        } catch {
            loaded = .failure(EvalGuardError("\(error)"))
        }
        configs[blob] = loaded
        return loaded
    }

    /// The commit's evaluation key, or nil when its configuration cannot be read. Two commits
    /// whose root trees list the same input entries (a docs-only commit and its parent) share the
    /// key without walking anything below the root.
    public func key(of entry: Entry) -> String? {
        guard let configBlob = entry.configBlob, case .success(let config) = config(of: entry),
              var treeID = git_oid(hex: entry.tree) else { return nil }
        if selections[configBlob] == nil { selections[configBlob] = (selections.count, config.inputs) }
        let (number, selection) = selections[configBlob]!
        guard let (signature, relevant) = try? rootEntries(&treeID, selection: selection, config: number) else { return nil }
        if let known = keysBySignature[signature] { return known }
        var files: [FileVersion] = []
        for (name, entryID, isTree) in relevant {
            var id = entryID
            if !isTree { files.append(FileVersion(path: name, blobID: id.hex)); continue }
            guard let below = try? inputs(tree: &id, prefix: name + "/", selection: selection, config: number) else { return nil }
            files += below
        }
        let key = EvaluationKey.compute(files: files, formatVersion: RunResult.formatVersion)
        keysBySignature[signature] = key
        return key
    }

    /// The root tree's entries that may hold inputs, and a string naming them with their ids.
    private func rootEntries(_ tree: inout git_oid, selection: InputSelection, config: Int) throws
        -> ([TreeMemo], [(String, git_oid, Bool)]) {
        var object: OpaquePointer?
        try check(git_tree_lookup(&object, repository.pointer, &tree), "git_tree_lookup")
        defer { git_tree_free(object) }
        var signature: [TreeMemo] = []
        var relevant: [(String, git_oid, Bool)] = []
        for i in 0..<git_tree_entrycount(object) {
            guard let item = git_tree_entry_byindex(object, i) else { continue }
            let name = String(cString: git_tree_entry_name(item))
            let type = git_tree_entry_type(item)
            let isTree = type == GIT_OBJECT_TREE
            guard isTree ? mayInclude(selection, config, name + "/") : type == GIT_OBJECT_BLOB && selection.includes(name) else { continue }
            let id = git_tree_entry_id(item)!.pointee
            relevant.append((name, id, isTree))
            signature.append(TreeMemo(config: config, tree: id, prefix: name))
        }
        return (signature, relevant)
    }

    private func mayInclude(_ selection: InputSelection, _ config: Int, _ directory: String) -> Bool {
        let memo = "\(config) " + directory
        if let known = directories[memo] { return known }
        let answer = selection.mayInclude(below: directory)
        directories[memo] = answer
        return answer
    }

    /// The input files under one tree, memoised by (configuration, tree id, path).
    private func inputs(tree: inout git_oid, prefix: String, selection: InputSelection, config: Int) throws -> [FileVersion] {
        let memo = TreeMemo(config: config, tree: tree, prefix: prefix)
        if let known = subtreeInputs[memo] { return known }
        var object: OpaquePointer?
        try check(git_tree_lookup(&object, repository.pointer, &tree), "git_tree_lookup")
        defer { git_tree_free(object) }
        var files: [FileVersion] = []
        for i in 0..<git_tree_entrycount(object) {
            guard let item = git_tree_entry_byindex(object, i) else { continue }
            let path = prefix + String(cString: git_tree_entry_name(item))
            var id = git_tree_entry_id(item)!.pointee
            switch git_tree_entry_type(item) {
            case GIT_OBJECT_BLOB where selection.includes(path):
                files.append(FileVersion(path: path, blobID: id.hex))
            case GIT_OBJECT_TREE where mayInclude(selection, config, path + "/"):
                files += try inputs(tree: &id, prefix: path + "/", selection: selection, config: config)
            default:
                break
            }
        }
        subtreeInputs[memo] = files
        return files
    }

    /// Blob ids of `.evals/evalguard.json` and `.evals/baseline.json`, memoised by the `.evals` tree.
    private func evalsFiles(tree rootID: git_oid) throws -> (config: String?, baseline: String?) {
        var rootID = rootID
        var root: OpaquePointer?
        try check(git_tree_lookup(&root, repository.pointer, &rootID), "git_tree_lookup")
        defer { git_tree_free(root) }
        guard let evals = git_tree_entry_byname(root, EvalConfig.directory),
              git_tree_entry_type(evals) == GIT_OBJECT_TREE else { return (nil, nil) }
        var evalsID = git_tree_entry_id(evals)!.pointee
        let memo = evalsID.hex
        if let known = evalsBlobs[memo] { return known }
        var sub: OpaquePointer?
        try check(git_tree_lookup(&sub, repository.pointer, &evalsID), "git_tree_lookup")
        defer { git_tree_free(sub) }
        func blob(_ name: String) -> String? {
            guard let item = git_tree_entry_byname(sub, name), git_tree_entry_type(item) == GIT_OBJECT_BLOB else { return nil }
            return git_tree_entry_id(item)!.pointee.hex
        }
        let found = (blob("evalguard.json"), blob("baseline.json"))
        evalsBlobs[memo] = found
        return found
    }

    /// Whether the commit changed `.evals/baseline.json` relative to its first parent; false at a
    /// shallow boundary, where the parent is not there to compare with.
    public func changesBaseline(_ entry: Entry) throws -> Bool {
        guard let parent = entry.firstParent else { return entry.baselineBlob != nil }
        if isShallowBoundary(entry) { return false }
        return try self.entry(parent).baselineBlob != entry.baselineBlob
    }
}
