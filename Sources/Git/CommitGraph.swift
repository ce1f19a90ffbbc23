import CLibgit2
import EvalGuardSupport
import FoundationEssentials

/// `objects/info/commit-graph`, the file `git gc` and `git commit-graph write` keep: every
/// commit's root tree and parents in fixed-size records, so a long first-parent walk learns them
/// without inflating a single commit. libgit2 1.5 reads it only inside `git_revwalk` (for parents
/// and times, not trees) and does not export its lookup, so `HistoryIndex` reads it here.
///
/// Only the single-file version 1 format with SHA-1 ids is read; anything else (a split chain,
/// a damaged file) is as if there were no graph. A commit the graph does not hold (written since)
/// is read from the object database as before. A record is the commit's content, which its id
/// names, so it cannot go stale; but git ignores the graph where history is rewritten by a
/// shallow file, grafts or replace refs, and so does `Repository.commitGraph()`.
package final class CommitGraph {
    private let bytes: [UInt8]
    private let fanout: Int, lookup: Int, records: Int
    package let count: Int
    private static let recordSize = 36
    private static let noParent: UInt32 = 0x7000_0000

    init?(path: String) {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let bytes = [UInt8](data)
        func u32(_ at: Int) -> UInt32? {
            guard at >= 0, at + 4 <= bytes.count else { return nil }
            return bytes[at..<at + 4].reduce(0) { $0 << 8 | UInt32($1) }
        }
        func u64(_ at: Int) -> UInt64? {
            guard let high = u32(at), let low = u32(at + 4) else { return nil }
            return UInt64(high) << 32 | UInt64(low)
        }
        // "CGPH", version 1, hash version 1 (SHA-1), chunk count, no base graphs.
        guard bytes.count >= 8, u32(0) == 0x4347_5048, bytes[4] == 1, bytes[5] == 1, bytes[7] == 0 else { return nil }
        var chunks: [UInt32: Int] = [:]
        for i in 0..<Int(bytes[6]) {
            guard let id = u32(8 + 12 * i), let offset = u64(12 + 12 * i), offset < UInt64(bytes.count) else {
                return nil
            }
            chunks[id] = Int(offset)
        }
        // OIDF (fanout), OIDL (sorted ids), CDAT (records).
        guard let fanout = chunks[0x4F49_4446], let lookup = chunks[0x4F49_444C], let records = chunks[0x4344_4154],
            let total = u32(fanout + 255 * 4)
        else { return nil }
        let count = Int(total)
        guard lookup + 20 * count <= bytes.count, records + Self.recordSize * count <= bytes.count,
            fanout + 256 * 4 <= bytes.count
        else { return nil }
        (self.bytes, self.fanout, self.lookup, self.records, self.count) = (bytes, fanout, lookup, records, count)
    }

    private func u32(_ at: Int) -> UInt32 {
        bytes[at..<at + 4].reduce(0) { $0 << 8 | UInt32($1) }
    }

    private func id(at position: Int) -> ObjectID {
        bytes.withUnsafeBytes {
            ObjectID(bytes: UnsafeRawBufferPointer(rebasing: $0[lookup + 20 * position..<lookup + 20 * position + 20]))
        }
    }

    /// The commit's position in the graph, or nil when the graph does not hold it.
    func position(of id: ObjectID) -> Int? {
        // The id's bytes on the stack: a lookup per commit of a long walk allocates nothing.
        let oid = id.oid
        return withUnsafeBytes(of: oid.id) { raw in
            bytes.withUnsafeBufferPointer { graph in
                let first = Int(raw[0])
                var low = first == 0 ? 0 : Int(u32(fanout + 4 * (first - 1)))
                var high = Int(u32(fanout + 4 * first))
                guard low <= high, high <= count else { return nil }
                while low < high {
                    let mid = (low + high) / 2
                    let base = lookup + 20 * mid
                    var order = 0
                    for k in 0..<20 where graph[base + k] != raw[k] {
                        order = graph[base + k] < raw[k] ? -1 : 1
                        break
                    }
                    if order == 0 { return mid }
                    if order < 0 { low = mid + 1 } else { high = mid }
                }
                return nil
            }
        }
    }

    /// The commit's tree and parents, or nil when the graph does not hold it (or it has more than
    /// two parents, whose list lives in another chunk: such a commit is read from its object).
    package func header(_ commit: ObjectID) -> CommitHeader? {
        guard let position = position(of: commit) else { return nil }
        let base = records + Self.recordSize * position
        let tree = bytes.withUnsafeBytes { ObjectID(bytes: UnsafeRawBufferPointer(rebasing: $0[base..<base + 20])) }
        let first = u32(base + 20)
        let second = u32(base + 24)
        guard second & 0x8000_0000 == 0 else { return nil }
        guard first != Self.noParent else { return CommitHeader(tree: tree, firstParent: nil, parentCount: 0) }
        guard Int(first) < count, second == Self.noParent || Int(second) < count else { return nil }
        return CommitHeader(tree: tree, firstParent: id(at: Int(first)), parentCount: second == Self.noParent ? 1 : 2)
    }
}

extension Repository {
    /// The repository's commit-graph, or nil when there is none or history is rewritten locally
    /// (a shallow clone, grafts, replace refs), where git does not use it either.
    package func commitGraph() -> CommitGraph? {
        var common = String(cString: git_repository_commondir(pointer))
        if !common.hasSuffix("/") { common += "/" }
        guard !isShallow, !FileManager.default.fileExists(atPath: common + "info/grafts"),
            (try? referenceNames(matching: "refs/replace/*"))?.isEmpty == true
        else { return nil }
        return CommitGraph(path: common + "objects/info/commit-graph")
    }
}
