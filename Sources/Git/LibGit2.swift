import CLibgit2
import EvalGuardSupport

/// A failed libgit2 call: the function, its return code and libgit2's own message.
package struct GitError: CategorizedError, CustomStringConvertible, Sendable {
    package var category: ErrorCategory { .git }
    package var code: Int32
    package var function: String
    package var message: String
    package var description: String { "\(function) failed (\(code)): \(message)" }
}

/// libgit2 must be initialised once per process before any other call.
enum LibGit2 {
    static let initialized: Int32 = git_libgit2_init()
    static func ensure() { _ = initialized }
}

/// The one funnel for libgit2 return codes. Copies `git_error_last()` at once (it may be NULL and
/// is overwritten by the next call on this thread), then clears it.
@discardableResult
package func check(_ rc: Int32, _ function: String) throws(GitError) -> Int32 {
    guard rc < 0 else { return rc }
    var message = "unknown error"
    if let last = git_error_last(), let text = last.pointee.message {
        message = String(cString: text)
    }
    git_error_clear()
    throw GitError(code: rc, function: function, message: message)
}

/// `check` for lookups: `GIT_ENOTFOUND` is an answer (false), not an error.
func found(_ rc: Int32, _ function: String) throws(GitError) -> Bool {
    if rc == GIT_ENOTFOUND.rawValue {
        git_error_clear()
        return false
    }
    try check(rc, function)
    return true
}

extension git_oid {
    /// The 40-character hexadecimal object id.
    package var hex: String {
        var oid = self
        var buffer = [CChar](repeating: 0, count: Int(GIT_OID_HEXSZ))
        git_oid_fmt(&buffer, &oid)
        return String(decoding: buffer.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    init?(hex: String) {
        var oid = git_oid()
        guard git_oid_fromstrn(&oid, hex, hex.utf8.count) == 0 else { return nil }
        self = oid
    }
}

/// Git's content digest (the blob id `git hash-object` prints), used for evaluation keys and
/// output digests so that anyone can recompute them with git alone.
package enum GitHash {
    package static func blobID<Bytes: Collection>(of bytes: Bytes) -> String where Bytes.Element == UInt8 {
        LibGit2.ensure()
        var oid = git_oid()
        let array = Array(bytes)
        _ = array.withUnsafeBytes { raw in
            git_odb_hash(&oid, raw.baseAddress, raw.count, GIT_OBJECT_BLOB)
        }
        return oid.hex
    }

    package static func blobID(of text: String) -> String { blobID(of: Array(text.utf8)) }
}
