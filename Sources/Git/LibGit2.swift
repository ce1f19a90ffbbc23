import CGitStart
import CLibgit2
import EvalGuardSupport
import FoundationEssentials

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A failed libgit2 call: the function, its return code and libgit2's own message.
package struct GitError: CategorizedError, CustomStringConvertible, Sendable {
    package var category: ErrorCategory { .git }
    package var code: Int32
    package var function: String
    package var message: String
    /// libgit2's error class (`GIT_ERROR_OS`, …); 0 when it set no error.
    package var errorClass: Int32 = 0
    /// `errno` after the failed call, kept when the failure is the operating system's (an OS error
    /// class, or none set: some of libgit2's write paths fail on a system call without one); else 0.
    package var osError: Int32 = 0
    package var description: String { "\(function) failed (\(code)): \(message)" }

    /// The file system was full (or over quota) when libgit2 wrote.
    package var isDiskFull: Bool { osError == ENOSPC || osError == EDQUOT }
}

/// libgit2 must be initialised once per process before any other call.
enum LibGit2 {
    /// The number of initialisations, or a negative error code. Without the CA bundle: see
    /// CGitStart.h (evalguard reaches no remote through libgit2).
    static let initialized: Int32 = evalguard_git_init()
    /// Its result may be ignored here: initialisation fails only when memory or the thread
    /// library does, and then the first real call fails with its own message through `check`.
    static func ensure() { _ = initialized }
}

/// The one funnel for libgit2 return codes. Copies `git_error_last()` at once (it may be NULL and
/// is overwritten by the next call on this thread), then clears it.
@discardableResult
package func check(_ rc: Int32, _ function: String) throws(GitError) -> Int32 {
    guard rc < 0 else { return rc }
    let osError = errno // before any other call can change it
    LibGit2.ensure() // libgit2's error state needs it, even for a code that did not come from libgit2
    var message = "unknown error"
    var errorClass: Int32 = 0
    if let last = git_error_last() {
        errorClass = last.pointee.klass
        if let text = last.pointee.message { message = String(cString: text) }
    }
    git_error_clear()
    let fromSystem = errorClass == 0 || errorClass == Int32(GIT_ERROR_OS.rawValue)
    throw GitError(
        code: rc, function: function, message: message, errorClass: errorClass, osError: fromSystem ? osError : 0)
}

/// `check` for calls that report a condition through their return code: when `rc` is one of
/// `answers` it is returned (its error cleared, so it cannot be mistaken for a later call's);
/// any other failure throws; success returns `rc`.
@discardableResult
func check(_ rc: Int32, _ function: String, answers: [git_error_code]) throws(GitError) -> Int32 {
    if rc < 0, answers.contains(where: { $0.rawValue == rc }) {
        LibGit2.ensure()
        git_error_clear()
        return rc
    }
    return try check(rc, function)
}

/// A pointer libgit2 hands back after a call that succeeded (an object's id, the tree it looked
/// up): never NULL by its contract, and a failed call (exit 3) naming the function if it were.
func nonNull<T>(_ pointer: T?, _ function: String) throws(GitError) -> T {
    guard let pointer else { throw GitError(code: -1, function: function, message: "returned NULL") }
    return pointer
}

/// `check` for lookups: `GIT_ENOTFOUND` is an answer (false), not an error.
func found(_ rc: Int32, _ function: String) throws(GitError) -> Bool {
    try check(rc, function, answers: [GIT_ENOTFOUND]) != GIT_ENOTFOUND.rawValue
}

/// `check` for iterators: `GIT_ITEROVER` ends the walk (false).
func advanced(_ rc: Int32, _ function: String) throws(GitError) -> Bool {
    try check(rc, function, answers: [GIT_ITEROVER]) != GIT_ITEROVER.rawValue
}

/// For calls whose failure is itself the answer, whatever the code (does the object database
/// have this commit? is an identity configured?): whether `rc` succeeded. A failure's message
/// is cleared and dropped.
func succeeded(_ rc: Int32) -> Bool {
    guard rc < 0 else { return true }
    LibGit2.ensure()
    git_error_clear()
    return false
}

extension git_oid {
    /// The 40-character hexadecimal object id.
    package var hex: String {
        var oid = self
        var buffer = [CChar](repeating: 0, count: Int(GIT_OID_HEXSZ))
        // May be ignored: formatting fails only for NULL arguments, and neither is.
        _ = git_oid_fmt(&buffer, &oid)
        return String(decoding: buffer.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    init?(hex: String) {
        LibGit2.ensure() // a failure records its error in libgit2's per-thread state
        var oid = git_oid()
        guard succeeded(git_oid_fromstrn(&oid, hex, hex.utf8.count)) else { return nil }
        self = oid
    }
}

/// Git's content digest (the blob id `git hash-object` prints), used for evaluation keys and
/// output digests so that anyone can recompute them with git alone.
package enum GitHash {
    package static func blobID<Bytes: Collection>(of bytes: Bytes) -> String where Bytes.Element == UInt8 {
        blobDigest(of: bytes).hex
    }

    package static func blobID(of text: String) -> String { blobDigest(of: text).hex }

    /// The blob id as 20 raw bytes, for what keeps many of them (a result's per-case digests).
    package static func blobDigest<Bytes: Collection>(of bytes: Bytes) -> ObjectID where Bytes.Element == UInt8 {
        LibGit2.ensure()
        var oid = git_oid()
        let hashed = { (raw: UnsafeRawBufferPointer) in git_odb_hash(&oid, raw.baseAddress, raw.count, GIT_OBJECT_BLOB)
        }
        // Contiguous bytes (a String's UTF-8, an array) are hashed in place, without a copy.
        let rc =
            bytes.withContiguousStorageIfAvailable { hashed(UnsafeRawBufferPointer($0)) }
            ?? Array(bytes).withUnsafeBytes(hashed)
        // Hashing bytes in memory fails only when a hash context cannot be allocated.
        precondition(succeeded(rc), "git_odb_hash failed")
        return withUnsafeBytes(of: &oid.id) { ObjectID(bytes: $0) }
    }

    package static func blobDigest(of text: String) -> ObjectID {
        var text = text
        return text.withUTF8 { blobDigest(of: $0) }
    }
}
