import EvalGuardConfig
import EvalGuardGit
import EvalGuardStore
import EvalGuardSupport
import FoundationEssentials

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
        package var id: ObjectID
        package var sha: String { id.hex }
        package var treeID: ObjectID
        package var tree: String { treeID.hex }
        package var firstParentID: ObjectID?
        package var firstParent: String? { firstParentID?.hex }
        package var parentCount: Int
        /// Blob ids: no strings per commit (a long walk keeps tens of thousands of entries).
        package var configBlob: ObjectID?
        package var baselineBlob: ObjectID?
    }

    /// Keyed by the id's bytes: hashing 40-digit strings was a tenth of a 65,536-commit blame.
    private var entries: [ObjectID: Entry] = [:]
    /// With `keyingEveryCommit`, the root tree entries `entry` read, until `key(of:)` takes them:
    /// each root tree is read once.
    private var roots: [ObjectID: [TreeEntry]] = [:]
    private let keyingEveryCommit: Bool
    /// Whether a configuration's input selection takes a root entry, by configuration number.
    private var rootIncluded: [RootMemo: Bool] = [:]
    private var evalsBlobs: [ObjectID: (config: ObjectID?, baseline: ObjectID?)] = [:]
    private var configs: [ObjectID: Result<EvalConfig, EvalGuardError>] = [:]
    /// Each configuration's input selection, whole or as one suite sees it, by a small number
    /// that stands for its blob id and suite; with a suite, the id of its part of the file.
    private var selections: [SelectionMemo: (number: Int, selection: InputSelection, configID: String?)] = [:]
    private var subtreeInputs: [TreeMemo: [FileVersion]] = [:]
    private var keysBySignature: [[TreeMemo]: String] = [:]
    private var directories: [String: Bool] = [:]
    /// In a shallow clone, the commits whose first parent is not in the clone, by sha.
    private var boundaries: [ObjectID: Bool] = [:]
    private lazy var shallow = repository.isShallow
    /// Commits' trees and parents without reading the commits, when git keeps a commit-graph and
    /// the walk keys every commit (blame). `log` reads each commit it shows anyway (subject,
    /// author), so it does not read a graph as long as history for a few commits.
    private lazy var graph = keyingEveryCommit ? repository.commitGraph() : nil
    /// How many commits were read from the commit-graph instead of the object database.
    package private(set) var commitsFromGraph = 0
    /// Trees and first parents `firstParentIDs` read from commit objects, for `entry` to take.
    private var headers: [ObjectID: CommitHeader] = [:]
    /// The commits whose evaluation key `key(of:)` computed.
    private var keyed: Set<ObjectID> = []
    /// How many commits' evaluation keys were computed: blame reads them only where stored
    /// results cannot settle the search, so a test can hold it to that.
    package var commitsKeyed: Int { keyed.count }

    /// A memo key: configuration number, tree id and the tree's path.
    private struct TreeMemo: Hashable {
        var config: Int
        var tree: ObjectID
        var prefix: String
    }

    private struct SelectionMemo: Hashable {
        var blob: ObjectID
        var suite: String?
    }

    private struct RootMemo: Hashable {
        var config: Int
        var name: String
        var kind: TreeEntry.Kind
    }

    /// Long walks read each object once and memoise here: run them inside
    /// `Repository.withoutObjectCache`. `keyingEveryCommit` (blame, which keys most commits it
    /// reads an entry for: with `--good` only those its search asks about) keeps each root tree's
    /// entries from `entry` for `key(of:)`; without it (log, which keys only the commits that
    /// lack a result) `entry` looks `.evals` up by name.
    package init(repository: Repository, keyingEveryCommit: Bool = false) {
        self.repository = repository
        self.keyingEveryCommit = keyingEveryCommit
    }

    /// The facts of one commit (memoised).
    package func entry(_ sha: String) throws -> Entry {
        guard let id = ObjectID(hex: sha) else { throw EvalGuardError("invalid commit id '\(sha)'") }
        return try entry(id)
    }

    package func entry(_ id: ObjectID) throws -> Entry {
        if let known = entries[id] { return known }
        let header = try self.header(id)
        let evals: TreeEntry?
        if keyingEveryCommit {
            let root = try repository.treeEntries(header.tree)
            roots[header.tree] = root
            evals = root.first { $0.name == EvalConfig.directory }
        } else {
            evals = try repository.treeEntry(named: EvalConfig.directory, in: header.tree)
        }
        let blobs = try evalsFiles(evals)
        let entry = Entry(
            id: id, treeID: header.tree, firstParentID: header.firstParent,
            parentCount: header.parentCount, configBlob: blobs.config, baselineBlob: blobs.baseline)
        entries[id] = entry
        return entry
    }

    /// A commit's tree and parents: from the commit-graph when there is one, else the commit.
    private func header(_ id: ObjectID) throws -> CommitHeader {
        if let known = headers[id] { return known }
        if let recorded = graph?.header(id) {
            commitsFromGraph += 1
            return recorded
        }
        return try repository.commitHeader(id)
    }

    /// Whether history is cut below this commit: the clone is shallow and its first parent is not
    /// in it. A walk ends there instead of failing.
    package func isShallowBoundary(_ entry: Entry) -> Bool {
        isShallowBoundary(entry.id, parent: entry.firstParentID)
    }

    private func isShallowBoundary(_ id: ObjectID, parent: ObjectID?) -> Bool {
        guard shallow, let parent else { return false }
        if let known = boundaries[id] { return known }
        let cut = !repository.hasCommit(parent.hex)
        boundaries[id] = cut
        return cut
    }

    /// First-parent commits from `tip` back to (not including) `stop`, newest first, as ids: only
    /// each commit's header is read (from the commit-graph when there is one), no tree, so a walk
    /// over tens of thousands of commits costs little; `entry` reads the rest for the commits that
    /// need it. In a shallow clone the walk also ends at the boundary (`isShallowBoundary`).
    package func firstParentIDs(from tip: ObjectID, stop: ObjectID?) throws -> [ObjectID] {
        var chain: [ObjectID] = []
        var next: ObjectID? = tip
        while let id = next, id != stop {
            let header = try self.header(id)
            // The commit-graph answers again at the cost of a binary search; a commit read from
            // its object is kept, not read twice.
            if graph == nil { headers[id] = header }
            chain.append(id)
            if isShallowBoundary(id, parent: header.firstParent) { break }
            next = header.firstParent
        }
        return chain
    }

    /// The first parent of a commit (read as `entry` reads it).
    package func firstParent(of id: ObjectID) throws -> ObjectID? {
        try header(id).firstParent
    }

    /// First-parent commits from `tip` back to (not including) `stop`, newest first; or, without
    /// `stop`, until `until` says to stop (the commit it stops at is included) or `limit`. In a
    /// shallow clone the walk also ends at the boundary (see `isShallowBoundary`).
    package func firstParentChain(
        from tip: String, stop: String? = nil, limit: Int = .max,
        until: (Entry) -> Bool = { _ in false }
    ) throws -> [Entry] {
        guard let tipID = ObjectID(hex: tip) else { throw EvalGuardError("invalid commit id '\(tip)'") }
        let stopID = stop.flatMap { ObjectID(hex: $0) }
        var chain: [Entry] = []
        var next: ObjectID? = tipID
        while let id = next, id != stopID, chain.count < limit {
            let e = try entry(id)
            chain.append(e)
            if until(e) || isShallowBoundary(e) { break }
            next = e.firstParentID
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
    ///
    /// With `suite`, the key as that suite sees it: over the files its model, cases and scorer
    /// read, with the configuration file counted by the part of it the suite depends on
    /// (`EvalConfig.scopedDigest`), so a commit that changes only another suite keeps it; nil
    /// also when the commit has no such suite.
    package func key(of entry: Entry, suite: String? = nil) -> String? {
        keyed.insert(entry.id)
        guard let configBlob = entry.configBlob, case .success(let config) = config(of: entry) else { return nil }
        let memo = SelectionMemo(blob: configBlob, suite: suite)
        let (number, selection, configID): (Int, InputSelection, String?)
        if let known = selections[memo] {
            (number, selection, configID) = known
        } else {
            if let suite {
                guard let scoped = config.scoped(to: suite), let id = config.scopedDigest(suite: suite) else {
                    return nil
                }
                (number, selection, configID) = (selections.count, scoped.inputs, id)
            } else {
                (number, selection, configID) = (selections.count, config.inputs, nil)
            }
            selections[memo] = (number, selection, configID)
        }
        guard let root = roots.removeValue(forKey: entry.treeID) ?? (try? repository.treeEntries(entry.treeID)) else {
            return nil
        }
        let relevant = root.filter { item in
            let memo = RootMemo(config: number, name: item.name, kind: item.kind)
            if let known = rootIncluded[memo] { return known }
            let taken =
                switch item.kind {
                case .tree: mayInclude(selection, number, item.name + "/")
                case .blob: selection.includes(item.name)
                case .other: false
                }
            rootIncluded[memo] = taken
            return taken
        }
        let signature = relevant.map { TreeMemo(config: number, tree: $0.id, prefix: $0.name) }
        if let known = keysBySignature[signature] { return known }
        var files: [FileVersion] = []
        for item in relevant {
            if item.kind == .blob {
                files.append(FileVersion(path: item.name, blobID: item.id.hex))
                continue
            }
            guard let below = try? inputs(tree: item.id, prefix: item.name + "/", selection: selection, config: number)
            else { return nil }
            files += below
        }
        if let configID, let i = files.firstIndex(where: { $0.path == EvalConfig.path }) { files[i].blobID = configID }
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
    private func inputs(tree: ObjectID, prefix: String, selection: InputSelection, config: Int) throws -> [FileVersion]
    {
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
    private func evalsFiles(_ evals: TreeEntry?) throws -> (config: ObjectID?, baseline: ObjectID?) {
        guard let evals, evals.kind == .tree else { return (nil, nil) }
        if let known = evalsBlobs[evals.id] { return known }
        func blob(_ name: String) throws -> ObjectID? {
            guard let item = try repository.treeEntry(named: name, in: evals.id), item.kind == .blob else { return nil }
            return item.id
        }
        let found = (try blob("evalguard.json"), try blob("baseline.json"))
        evalsBlobs[evals.id] = found
        return found
    }

    /// Whether the commit changed `.evals/baseline.json` relative to its first parent; false at a
    /// shallow boundary, where the parent is not there to compare with.
    package func changesBaseline(_ entry: Entry) throws -> Bool {
        guard let parent = entry.firstParentID else { return entry.baselineBlob != nil }
        if isShallowBoundary(entry) { return false }
        return try self.entry(parent).baselineBlob != entry.baselineBlob
    }
}
