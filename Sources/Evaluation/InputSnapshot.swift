import EvalGuardConfig
import EvalGuardGit
import EvalGuardSupport
import FoundationEssentials

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The identity (mode, device, inode, size, modification and change times) of every path under
/// the model inputs' roots in the working tree (`InputSelection.roots`): files, and directories,
/// whose times change when an entry is added, removed or renamed in them. Kept with a verdict
/// reached when those inputs were exactly HEAD's, it lets the next gate know they still are by a
/// few `lstat`s, without libgit2 reading the index (O(files in the tree)) for a status.
package enum InputSnapshot {
    /// Beyond this many paths a snapshot is not worth keeping: the status is used instead.
    static let limit = 4096
    /// A path changed this recently may change again within the same clock tick, unseen by its
    /// times (git's "racily clean" entries): no snapshot is taken then.
    static let settleSeconds = 2

    /// The snapshot, or nil when the inputs may lie anywhere (no roots), there are too many
    /// paths, one changed within the last `settleSeconds`, or a file the inputs match is not in
    /// `tracked` (HEAD's input files): such a file is either a change the status must see or
    /// ignored, and whether it is ignored depends on files outside the snapshot. Stored results
    /// are left out.
    static func take(root: String, inputs: InputSelection, tracked: Set<String>, settle: Int = settleSeconds)
        -> [String: String]?
    {
        guard let roots = inputs.roots else { return nil }
        var entries: [String: String] = [:]
        var pending = roots
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now) // cannot fail for CLOCK_REALTIME
        while let path = pending.popLast() {
            if EvaluationKey.isExcluded(path + "/") || entries[path] != nil { continue }
            var info = stat()
            guard lstat(root + "/" + path, &info) == 0 else {
                entries[path] = "absent"
                continue
            }
            if info.st_mtim.tv_sec + settle >= now.tv_sec || info.st_ctim.tv_sec + settle >= now.tv_sec { return nil }
            entries[path] = identity(info)
            if entries.count > limit { return nil }
            if (info.st_mode & S_IFMT) != S_IFDIR, inputs.includes(path), !tracked.contains(path) { return nil }
            if (info.st_mode & S_IFMT) == S_IFDIR {
                guard let names = try? FileManager.default.contentsOfDirectory(atPath: root + "/" + path) else {
                    return nil
                }
                pending += names.filter { $0 != ".git" }.map { path + "/" + $0 }
            }
        }
        return entries
    }

    /// Whether every path of `snapshot` still has the identity it had.
    package static func holds(_ snapshot: [String: String], root: String) -> Bool {
        snapshot.allSatisfy { path, was in
            var info = stat()
            return (lstat(root + "/" + path, &info) == 0 ? identity(info) : "absent") == was
        }
    }

    static func identity(_ info: stat) -> String {
        "\(info.st_mode) \(info.st_dev) \(info.st_ino) \(info.st_size) \(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec) \(info.st_ctim.tv_sec).\(info.st_ctim.tv_nsec)"
    }
}

extension Evaluator {
    /// The working tree's `InputSnapshot` (nil when none can be taken, or before the first commit).
    package func inputSnapshot() -> [String: String]? {
        guard let config = try? config(of: .workingTree), let head = try? repository.headOrUnborn(), !head.isUnborn,
            let tracked = try? inputFiles(of: .commit(head.commit), config: config, head: head.commit)
        else { return nil }
        return InputSnapshot.take(root: repository.root, inputs: config.inputs, tracked: Set(tracked.files.map(\.path)))
    }
}
