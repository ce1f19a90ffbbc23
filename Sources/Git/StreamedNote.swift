import CLibgit2
import EvalGuardSupport

/// A note whose text is written in pieces rather than held whole: a 100,000-case result is tens
/// of megabytes. The text goes into a blob through libgit2's blob stream (a temporary file in the
/// object database), and the note is then placed as `git_note_create` places one: the blob under
/// the commit's id in the notes tree, inside the fan-out directories (`ab/cdef…`) the tree already
/// has, in a commit on `refs/notes/evalguard` with libgit2's message, whose parent is the previous
/// notes commit. The note's content, and so every reader, is the same as `setNote(_:on:)`'s.
extension Repository {
    /// What `git_note_create` writes as the notes commit's message.
    static let noteCommitMessage = "Notes added by 'git_note_create' from libgit2"

    /// Writes (or replaces) the note on a commit with the bytes `produce` hands to its sink.
    package func setNote(on sha: String, writing produce: (@escaping ByteSink) throws -> Void) throws {
        guard let target = git_oid(hex: sha) else { throw EvalGuardError("invalid commit id '\(sha)'") }
        var blob = try writeBlob(produce)
        let name = target.hex
        var signature: UnsafeMutablePointer<git_signature>?
        if !succeeded(git_signature_default(&signature, pointer)) {
            try check(git_signature_now(&signature, "evalguard", "evalguard@localhost"), "git_signature_now")
        }
        defer { git_signature_free(signature) }
        // The ref is moved only from the notes commit this one builds on; another writer's note
        // in between is kept by building again on top of it.
        for attempt in 1...3 {
            var parent: OpaquePointer?
            var previous = git_oid()
            if try found(git_reference_name_to_id(&previous, pointer, Self.notesRef), "git_reference_name_to_id") {
                try check(git_commit_lookup(&parent, pointer, &previous), "git_commit_lookup")
            }
            defer { git_commit_free(parent) }
            var tree: OpaquePointer?
            if let parent { try check(git_commit_tree(&tree, parent), "git_commit_tree") }
            defer { git_tree_free(tree) }
            var newTree = try placing(&blob, as: Substring(name), in: tree)
            var built: OpaquePointer?
            try check(git_tree_lookup(&built, pointer, &newTree), "git_tree_lookup")
            defer { git_tree_free(built) }
            var commit = git_oid()
            var parents: [OpaquePointer?] = parent.map { [$0] } ?? []
            let rc = parents.withUnsafeMutableBufferPointer { list in
                git_commit_create(
                    &commit, pointer, Self.notesRef, signature, signature, nil, Self.noteCommitMessage,
                    built, list.count, list.baseAddress)
            }
            if attempt < 3, try check(rc, "git_commit_create", answers: [GIT_EMODIFIED]) == GIT_EMODIFIED.rawValue {
                continue
            }
            try check(rc, "git_commit_create")
            return
        }
    }

    /// A blob of the bytes `produce` writes, streamed to the object database.
    private func writeBlob(_ produce: (@escaping ByteSink) throws -> Void) throws -> git_oid {
        var stream: UnsafeMutablePointer<git_writestream>?
        try check(git_blob_create_from_stream(&stream, pointer, nil), "git_blob_create_from_stream")
        guard let stream else { throw EvalGuardError("git_blob_create_from_stream gave no stream", category: .git) }
        do {
            try produce { bytes in
                guard bytes.count > 0 else { return } // and so `baseAddress` is not nil
                try check(
                    stream.pointee.write(stream, bytes.baseAddress!.assumingMemoryBound(to: CChar.self), bytes.count),
                    "git_writestream.write")
            }
        } catch {
            stream.pointee.free(stream)
            throw error
        }
        var blob = git_oid()
        // Commits and frees the stream.
        try check(git_blob_create_from_stream_commit(&blob, stream), "git_blob_create_from_stream_commit")
        return blob
    }

    /// The id of `tree` (nil: empty) with `blob` as the note named `name` (the hex digits left at
    /// this fan-out level): inside the subtree named by its next two digits when there is one,
    /// else here, replacing a note already there.
    private func placing(_ blob: inout git_oid, as name: Substring, in tree: OpaquePointer?) throws -> git_oid {
        var builder: OpaquePointer?
        try check(git_treebuilder_new(&builder, pointer, tree), "git_treebuilder_new")
        defer { git_treebuilder_free(builder) }
        let fanout = String(name.prefix(2))
        if let tree, name.count > 2, let entry = git_tree_entry_byname(tree, fanout),
            git_tree_entry_type(entry) == GIT_OBJECT_TREE
        {
            var subtree: OpaquePointer?
            try check(git_tree_lookup(&subtree, pointer, git_tree_entry_id(entry)), "git_tree_lookup")
            defer { git_tree_free(subtree) }
            var placed = try placing(&blob, as: name.dropFirst(2), in: subtree)
            try check(
                git_treebuilder_insert(nil, builder, fanout, &placed, GIT_FILEMODE_TREE), "git_treebuilder_insert")
        } else {
            try check(
                git_treebuilder_insert(nil, builder, String(name), &blob, GIT_FILEMODE_BLOB), "git_treebuilder_insert")
        }
        var written = git_oid()
        try check(git_treebuilder_write(&written, builder), "git_treebuilder_write")
        return written
    }
}
