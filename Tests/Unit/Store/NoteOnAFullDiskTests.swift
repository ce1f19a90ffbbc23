import CLibgit2
import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardGit
@testable import EvalGuardStore
@testable import EvalGuardSupport

/// A git note that cannot be written because the disk is full, after the result file was: the
/// message says so, and that the result is stored, instead of libgit2's "unknown error".
/// (A full disk cannot be made here without mounting a file system; the funnel and the wording
/// are tested with the errno and error class libgit2 leaves.)
@Suite struct NoteOnAFullDiskTests {
    /// The error `check` throws for a failed call, with errno and libgit2's error state set first.
    func failure(errno code: Int32, libgit2 klass: git_error_t? = nil, _ message: String = "") -> GitError? {
        // libgit2's error state is per thread, and the tests share threads: "no error" is made, not
        // assumed (libgit2 initialised first, as any call through the Git layer does).
        LibGit2.ensure()
        if let klass { git_error_set_str(Int32(klass.rawValue), message) } else { git_error_clear() }
        errno = code
        do { try check(-1, "git_blob_create_from_stream_commit") } catch { return error }
        return nil
    }

    @Test func theFunnelKeepsErrnoWhenLibgit2SetNoErrorOrAnOSOne() throws {
        let none = try #require(failure(errno: ENOSPC))
        #expect(none.isDiskFull && none.osError == ENOSPC && none.errorClass == 0)
        #expect(none.message == "unknown error")
        let os = try #require(failure(errno: EDQUOT, libgit2: GIT_ERROR_OS, "failed to write out file"))
        #expect(os.isDiskFull && os.errorClass == Int32(GIT_ERROR_OS.rawValue))
        #expect(os.message == "failed to write out file")
        // Another class of error is libgit2's own: an errno left over from earlier means nothing.
        let other = try #require(failure(errno: ENOSPC, libgit2: GIT_ERROR_INVALID, "invalid object"))
        #expect(!other.isDiskFull && other.osError == 0)
    }

    @Test func theMessageSaysTheDiskIsFullAndTheResultFileWasStored() {
        let full = GitError(
            code: -1, function: "git_blob_create_from_stream_commit", message: "unknown error", osError: ENOSPC)
        let error = ResultStore.noteNotWritten(full, resultFile: ".evals/results/abc.json", gitDirectory: "/repo/.git")
        #expect(
            error.message
                == "the disk under /repo/.git is full (ENOSPC): the result was stored in .evals/results/abc.json, but not as a git note (git_blob_create_from_stream_commit failed)"
        )
        #expect(error.hint?.contains("Free some space there") == true)
        #expect(ExitCode.of(error) == .couldNotEvaluate)
        let quota = GitError(code: -1, function: "git_filebuf_commit", message: "failed", osError: EDQUOT)
        #expect(
            ResultStore.noteNotWritten(quota, resultFile: "f", gitDirectory: "/g").message.contains(
                "over its quota (EDQUOT)"))
    }
}
