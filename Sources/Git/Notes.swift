import CLibgit2
import EvalGuardSupport

/// Results recorded as git notes under `refs/notes/evalguard`, so they travel with
/// `git push/fetch origin refs/notes/evalguard` between machines and CI.
extension Repository {
    package static let notesRef = "refs/notes/evalguard"

    /// The note on a commit, or nil when it has none.
    package func note(on sha: String) throws -> String? {
        guard var oid = git_oid(hex: sha) else { return nil }
        var note: OpaquePointer?
        guard try found(git_note_read(&note, pointer, Self.notesRef, &oid), "git_note_read") else { return nil }
        defer { git_note_free(note) }
        return git_note_message(note).map { String(cString: $0) }
    }

    /// Writes (or replaces) the note on a commit, signed as the user git would use, or as
    /// evalguard when no identity is configured (as on many CI machines).
    package func setNote(_ text: String, on sha: String) throws {
        guard var oid = git_oid(hex: sha) else { throw EvalGuardError("invalid commit id '\(sha)'") }
        var signature: UnsafeMutablePointer<git_signature>?
        if !succeeded(git_signature_default(&signature, pointer)) {
            try check(git_signature_now(&signature, "evalguard", "evalguard@localhost"), "git_signature_now")
        }
        defer { git_signature_free(signature) }
        var out = git_oid()
        try check(git_note_create(&out, pointer, Self.notesRef, signature, signature, &oid, text, 1), "git_note_create")
    }
}
