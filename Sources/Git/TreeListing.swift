import CLibgit2
import EvalGuardSupport
import FoundationEssentials

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A file as git sees it: its path from the repository root and its blob id.
package struct FileVersion: Sendable, Hashable {
    package var path: String
    package var blobID: String

    package init(path: String, blobID: String) {
        self.path = path
        self.blobID = blobID
    }
}

extension Repository {
    /// Every file (blob or link) in a commit's tree, read from the object database without a checkout.
    package func files(atCommit sha: String) throws -> [FileVersion] {
        try files(atCommit: sha, descend: { _ in true })
    }

    /// The files of a commit's tree in the directories `descend` accepts (given a directory's
    /// path ending in "/"): a directory it refuses is skipped without reading its tree, so a
    /// tree of thousands of files outside the model's inputs costs nothing.
    package func files(atCommit sha: String, descend: (String) -> Bool) throws -> [FileVersion] {
        try withTree(ofCommit: sha) { tree in
            try withoutActuallyEscaping(descend) { descend in
                let box = Box<(files: [FileVersion], descend: (String) -> Bool)>(([], descend))
                let payload = Unmanaged.passUnretained(box).toOpaque()
                let rc = git_tree_walk(
                    tree, GIT_TREEWALK_PRE,
                    { root, entry, payload in
                        guard let entry, let payload else { return 0 }
                        let box = Unmanaged<Box<(files: [FileVersion], descend: (String) -> Bool)>>.fromOpaque(payload)
                            .takeUnretainedValue()
                        let type = git_tree_entry_type(entry)
                        let dir = root.map { String(cString: $0) } ?? ""
                        let name = String(cString: git_tree_entry_name(entry))
                        // A positive return skips the subtree.
                        if type == GIT_OBJECT_TREE { return box.value.descend(dir + name + "/") ? 0 : 1 }
                        // A negative return stops the walk, and git_tree_walk fails with it.
                        guard type == GIT_OBJECT_BLOB else { return 0 }
                        guard let id = git_tree_entry_id(entry) else { return -1 }
                        box.value.files.append(FileVersion(path: dir + name, blobID: id.pointee.hex))
                        return 0
                    }, payload)
                try check(rc, "git_tree_walk")
                return box.value.files
            }
        }
    }

    /// Paths whose working-tree content may differ from HEAD: modified, staged, deleted, and
    /// untracked files that are not ignored. Only these need hashing to know the working tree.
    /// With `within` (paths from the root: files, or directories whose whole content counts),
    /// only those paths are looked at: the index entries and files of the rest of the tree are
    /// neither compared nor stat'ed, and untracked directories elsewhere are not listed.
    package func changedPaths(within: [String]? = nil) throws -> Set<String> {
        var options = git_status_options()
        try check(git_status_options_init(&options, UInt32(GIT_STATUS_OPTIONS_VERSION)), "git_status_options_init")
        options.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR
        DecodeTrace.computedStatus()
        options.flags =
            GIT_STATUS_OPT_INCLUDE_UNTRACKED.rawValue
            | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS.rawValue
            | GIT_STATUS_OPT_EXCLUDE_SUBMODULES.rawValue
        var list: OpaquePointer?
        if let within {
            // Exact paths, not patterns: libgit2 then limits its iterators to them (a path list)
            // instead of walking everything and matching each path.
            options.flags |= GIT_STATUS_OPT_DISABLE_PATHSPEC_MATCH.rawValue
            let strings = within.map { strdup($0) }
            defer { strings.forEach { free($0) } }
            var pointers: [UnsafeMutablePointer<CChar>?] = strings
            try pointers.withUnsafeMutableBufferPointer { buffer in
                options.pathspec = git_strarray(strings: buffer.baseAddress, count: buffer.count)
                try check(git_status_list_new(&list, pointer, &options), "git_status_list_new")
            }
        } else {
            try check(git_status_list_new(&list, pointer, &options), "git_status_list_new")
        }
        defer { git_status_list_free(list) }
        var paths = Set<String>()
        for i in 0..<git_status_list_entrycount(list) {
            guard let entry = git_status_byindex(list, i)?.pointee else { continue }
            for delta in [entry.head_to_index, entry.index_to_workdir] {
                guard let delta else { continue }
                for file in [delta.pointee.old_file, delta.pointee.new_file] {
                    if let p = file.path { paths.insert(String(cString: p)) }
                }
            }
        }
        return paths
    }

    /// The blob id the working-tree file at `path` would get if added, or nil if it does not exist.
    package func workingTreeBlobID(_ path: String) throws -> String? {
        let full = root + "/" + path
        var st = stat()
        do {
            try syscall("lstat") { lstat(full, &st) }
        } catch {
            if error.errno == ENOENT || error.errno == ENOTDIR { return nil }
            throw EvalGuardError("cannot read \(full): \(error.reason)", category: .store)
        }
        if (st.st_mode & S_IFMT) == S_IFDIR { return nil }
        var oid = git_oid()
        try check(git_odb_hashfile(&oid, full, GIT_OBJECT_BLOB), "git_odb_hashfile")
        return oid.hex
    }

    /// The working tree as a list of file versions: HEAD's tree with the changed paths re-hashed.
    /// `descend` and `within` narrow the work to where `include` can say yes (see
    /// `files(atCommit:descend:)` and `changedPaths(within:)`); they must never exclude an
    /// included path.
    package func workingTreeFiles(
        head: String, include: (String) -> Bool, descend: (String) -> Bool = { _ in true },
        within: [String]? = nil
    ) throws -> (files: [FileVersion], dirtyPaths: [String]) {
        var byPath: [String: String] = [:]
        // Before the first commit every file is new: the working tree is all there is.
        if head != Head.unbornCommit {
            for file in try files(atCommit: head, descend: descend) where include(file.path) {
                byPath[file.path] = file.blobID
            }
        }
        var dirty: [String] = []
        for path in try changedPaths(within: within).sorted() where include(path) {
            let now = try workingTreeBlobID(path)
            if byPath[path] != now {
                dirty.append(path)
                byPath[path] = now
            }
        }
        let files = byPath.map { FileVersion(path: $0.key, blobID: $0.value) }
        return (files, dirty)
    }
}

final class Box<T> {
    var value: T
    init(_ value: T) { self.value = value }
}
