import CLibgit2
import EvalGuardSupport

extension Repository {
    /// Every commit that has a note under `refs/notes/evalguard`, read in one pass over the notes
    /// tree without reading any note: cheaper than asking commit by commit over a long history.
    package func notedCommits() throws -> Set<String> {
        let box = Box<Set<String>>([])
        let payload = Unmanaged.passUnretained(box).toOpaque()
        let rc = git_note_foreach(pointer, Self.notesRef, { _, annotated, payload in
            guard let annotated, let payload else { return 0 }
            Unmanaged<Box<Set<String>>>.fromOpaque(payload).takeUnretainedValue().value.insert(annotated.pointee.hex)
            return 0
        }, payload)
        guard try found(rc, "git_note_foreach") else { return [] }
        return box.value
    }
}
