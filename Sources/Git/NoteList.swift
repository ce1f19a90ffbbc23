import CLibgit2
import EvalGuardSupport

extension Repository {
    /// Every commit that has a note under `refs/notes/evalguard`, read in one pass over the notes
    /// tree without reading any note: cheaper than asking commit by commit over a long history.
    package func notedCommits() throws -> Set<String> {
        Set(try notes().keys.map(\.hex))
    }

    /// Every note under `refs/notes/evalguard`, as the id of the note's blob by the id of the
    /// commit it annotates, listed in one pass over the notes tree. A command that reads many
    /// notes lists them once and reads each by its blob (`note(blob:)`): `git_note_read` walks
    /// the notes tree for every note, which with the object cache off (blame, log) means parsing
    /// a tree as long as history once per note.
    package func notes() throws -> [ObjectID: ObjectID] {
        let box = Box<[ObjectID: ObjectID]>([:])
        let payload = Unmanaged.passUnretained(box).toOpaque()
        let rc = git_note_foreach(
            pointer, Self.notesRef,
            { blob, annotated, payload in
                guard let blob, let annotated, let payload else { return 0 }
                Unmanaged<Box<[ObjectID: ObjectID]>>.fromOpaque(payload).takeUnretainedValue().value[
                    ObjectID(annotated.pointee)] = ObjectID(blob.pointee)
                return 0
            }, payload)
        guard try found(rc, "git_note_foreach") else { return [:] }
        return box.value
    }

    /// The text of a note by its blob id (from `notes()`), as `note(on:)` returns it.
    package func note(blob id: ObjectID) throws -> String? {
        var oid = id.oid
        var blob: OpaquePointer?
        guard try found(git_blob_lookup(&blob, pointer, &oid), "git_blob_lookup") else { return nil }
        defer { git_blob_free(blob) }
        let size = Int(git_blob_rawsize(blob))
        guard size > 0, let raw = git_blob_rawcontent(blob) else { return "" }
        let bytes = UnsafeRawBufferPointer(start: raw, count: size)
        // As libgit2 reads a note's message: up to a NUL byte, if any.
        return String(decoding: bytes[..<(bytes.firstIndex(of: 0) ?? size)], as: UTF8.self)
    }
}
