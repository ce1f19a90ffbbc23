import CLibgit2
import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardGit
@testable import EvalGuardSupport

/// Every libgit2 return code goes through `check`: a failure carries the function's name and
/// libgit2's message; an expected answer (not found, end of walk) leaves no error behind for a
/// later call to be blamed with.
@Suite struct GitErrorFunnelTests {
    /// libgit2's last error on this thread, if any (1.5 returns NULL when there is none).
    func lastError() -> String? {
        guard let last = git_error_last(), last.pointee.klass != 0, let text = last.pointee.message else { return nil }
        return String(cString: text)
    }

    @Test func answersLeaveNoErrorBehind() throws {
        let repo = try ScratchRepository()
        let repository = try Repository.discover(from: repo.root)
        let missing = String(repeating: "0", count: 40)
        #expect(try repository.note(on: repo.head) == nil)
        #expect(lastError() == nil)
        #expect(!repository.hasCommit(missing))
        #expect(lastError() == nil)
        #expect(repository.commit(ofReference: "refs/remotes/origin/HEAD") == nil)
        #expect(lastError() == nil)
        #expect(try repository.blobID("no/such/file", atCommit: repo.head) == nil)
        #expect(lastError() == nil)
        #expect(try repository.configString("evalguard.nosuchkey") == nil)
        #expect(lastError() == nil)
        #expect(try repository.commits(from: repo.head, hiding: nil) == [repo.head])
        #expect(lastError() == nil)
        #expect(try repository.notedCommits().isEmpty)
        #expect(lastError() == nil)
        #expect(throws: EvalGuardError.self) { try repository.resolveCommit("no-such-branch") }
        #expect(lastError() == nil)
    }

    @Test func aFailureNamesTheFunctionAndLibgit2sMessageThenClearsIt() throws {
        let repo = try ScratchRepository()
        let repository = try Repository.discover(from: repo.root)
        do {
            _ = try repository.parents(of: String(repeating: "1", count: 40))
            Issue.record("a missing commit was found")
        } catch let error as GitError {
            #expect(error.function == "git_commit_lookup")
            #expect(error.code == GIT_ENOTFOUND.rawValue)
            #expect(!error.message.isEmpty && error.message != "unknown error")
            #expect(error.description.hasPrefix("git_commit_lookup failed (-3): "))
        }
        #expect(lastError() == nil)
    }

    @Test func checkPassesAnswersThroughAndThrowsTheRest() throws {
        #expect(try check(0, "git_x", answers: [GIT_ENOTFOUND]) == 0)
        #expect(try check(GIT_ENOTFOUND.rawValue, "git_x", answers: [GIT_ENOTFOUND]) == GIT_ENOTFOUND.rawValue)
        #expect(try !found(GIT_ENOTFOUND.rawValue, "git_x"))
        #expect(try found(0, "git_x"))
        #expect(try !advanced(GIT_ITEROVER.rawValue, "git_x"))
        #expect(throws: GitError.self) { try found(GIT_EAMBIGUOUS.rawValue, "git_x") }
        #expect(throws: GitError.self) { try advanced(GIT_ENOTFOUND.rawValue, "git_x") }
        #expect(succeeded(0) && !succeeded(-1))
        #expect(git_oid(hex: "not hex") == nil)
        #expect(lastError() == nil)
    }
}
