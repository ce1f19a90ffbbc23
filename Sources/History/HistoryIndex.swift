import Foundation
import EvalGuardConfig
import EvalGuardGit
import EvalGuardStore
import EvalGuardSupport

/// What blame and log need to know about each commit of a long first-parent history, read
/// straight from git objects and memoised by object id: a stretch of 8,192 commits mostly shares
/// its trees, so each tree is read once, each configuration is parsed once (by its blob id), and
/// a commit's evaluation key costs a root-tree read plus the subtrees it changed.
///
/// The keys equal `Evaluator.key(of:config:head:)` (a test holds them together).
package final class HistoryIndex {
    package let repository: Repository

    /// One commit: its tree, its first parent, and the blobs of `.evals/` that matter here.
    package struct Entry: Sendable {
        package var sha: String
        package var treeID: ObjectID
        package var tree: String { treeID.hex }
        package var firstParent: String?
        package var parentCount: Int
        package var configBlob: String?
        package var baselineBlob: String?
    }

    private var entries: [String: Entry] = [:]
    private var evalsBlobs: [ObjectID: (config: String?, baseline: String?)] = [:]
    private var configs: [String: Result<EvalConfig, EvalGuardError>] = [:]
    /// Each configuration's input selection, by a small number that stands for its blob id.
    private var selections: [String: (number: Int, selection: InputSelection)] = [:]
    private var subtreeInputs: [TreeMemo: [FileVersion]] = [:]
    private var keysBySignature: [[TreeMemo]: String] = [:]
    private var directories: [String: Bool] = [:]
    /// In a shallow clone, the commits whose first parent is not in the clone, by sha.
    private var boundaries: [String: Bool] = [:]
    private lazy var shallow = repository.isShallow

    /// A memo key: configuration number, tree id and the tree's path.
    private struct TreeMemo: Hashable {
        var config: Int
        var tree: ObjectID
        var prefix: String
    }

    /// Long walks read each object once and memoise here: run them inside
    /// `Repository.withoutObjectCache`.
    package init(repository: Repository) {
        self.repository = repository
    }

    /// The facts of one commit (memoised).
    package func entry(_ sha: String) throws -> Entry {
        if let known = entries[sha] { return known }
        guard let id = ObjectID(hex: sha) else { throw EvalGuardError("invalid commit id '\(sha)'") }
        let header = try repository.commitHeader(id)
        let blobs = try evalsFiles(tree: header.tree)
        let entry = Entry(sha: sha, treeID: header.tree, firstParent: header.firstParent?.hex,
                          parentCount: header.parentCount, configBlob: blobs.config, baselineBlob: blobs.baseline)
        entries[sha] = entry
        return entry
    }

    /// Whether history is cut below this commit: the clone is shallow and its first parent is not
    /// in it. A walk ends there instead of failing.
    package func isShallowBoundary(_ entry: Entry) -> Bool {
        guard shallow, let parent = entry.firstParent else { return false }
        if let known = boundaries[entry.sha] { return known }
        let cut = !repository.hasCommit(parent)
        boundaries[entry.sha] = cut
        return cut
    }

    /// First-parent commits from `tip` back to (not including) `stop`, newest first; or, without
    /// `stop`, until `until` says to stop (the commit it stops at is included) or `limit`. In a
    /// shallow clone the walk also ends at the boundary (see `isShallowBoundary`).
    package func firstParentChain(from tip: String, stop: String? = nil, limit: Int = .max,
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
    package func config(of entry: Entry) -> Result<EvalConfig, EvalGuardError> {
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
    package func key(of entry: Entry) -> String? {
        guard let configBlob = entry.configBlob, case .success(let config) = config(of: entry) else { return nil }
        if selections[configBlob] == nil { selections[configBlob] = (selections.count, config.inputs) }
        let (number, selection) = selections[configBlob]!
        guard let root = try? repository.treeEntries(entry.treeID) else { return nil }
        let relevant = root.filter { item in
            switch item.kind {
            case .tree: mayInclude(selection, number, item.name + "/")
            case .blob: selection.includes(item.name)
            case .other: false
            }
        }
        let signature = relevant.map { TreeMemo(config: number, tree: $0.id, prefix: $0.name) }
        if let known = keysBySignature[signature] { return known }
        var files: [FileVersion] = []
        for item in relevant {
            if item.kind == .blob { files.append(FileVersion(path: item.name, blobID: item.id.hex)); continue }
            guard let below = try? inputs(tree: item.id, prefix: item.name + "/", selection: selection, config: number) else { return nil }
            files += below
        }
        let key = EvaluationKey.compute(files: files, formatVersion: RunResult.formatVersion)
        keysBySignature[signature] = key
        return key
    }

    private func mayInclude(_ selection: InputSelection, _ config: Int, _ directory: String) -> Bool {
        let memo = "\(config) " + directory
        if let known = directories[memo] { return known }
        let answer = selection.mayInclude(below: directory)
        directories[memo] = answer
        return answer
    }

    /// The input files under one tree, memoised by (configuration, tree id, path).
    private func inputs(tree: ObjectID, prefix: String, selection: InputSelection, config: Int) throws -> [FileVersion] {
        let memo = TreeMemo(config: config, tree: tree, prefix: prefix)
        if let known = subtreeInputs[memo] { return known }
        var files: [FileVersion] = []
        for item in try repository.treeEntries(tree) {
            let path = prefix + item.name
            switch item.kind {
            case .blob where selection.includes(path):
                files.append(FileVersion(path: path, blobID: item.id.hex))
            case .tree where mayInclude(selection, config, path + "/"):
                files += try inputs(tree: item.id, prefix: path + "/", selection: selection, config: config)
            default:
                break
            }
        }
        subtreeInputs[memo] = files
        return files
    }

    /// Blob ids of `.evals/evalguard.json` and `.evals/baseline.json`, memoised by the `.evals` tree.
    private func evalsFiles(tree root: ObjectID) throws -> (config: String?, baseline: String?) {
        guard let evals = try repository.treeEntry(named: EvalConfig.directory, in: root), evals.kind == .tree else { return (nil, nil) }
        if let known = evalsBlobs[evals.id] { return known }
        func blob(_ name: String) throws -> String? {
            guard let item = try repository.treeEntry(named: name, in: evals.id), item.kind == .blob else { return nil }
            return item.id.hex
        }
        let found = (try blob("evalguard.json"), try blob("baseline.json"))
        evalsBlobs[evals.id] = found
        return found
    }

    /// Whether the commit changed `.evals/baseline.json` relative to its first parent; false at a
    /// shallow boundary, where the parent is not there to compare with.
    package func changesBaseline(_ entry: Entry) throws -> Bool {
        guard let parent = entry.firstParent else { return entry.baselineBlob != nil }
        if isShallowBoundary(entry) { return false }
        return try self.entry(parent).baselineBlob != entry.baselineBlob
    }
}
