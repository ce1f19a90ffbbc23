import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardGit

/// The first-parent chain read commit by commit agrees with git's own walk.
@Suite struct FirstParentChainTests {
    @Test func chainMatchesGitRevListFirstParentAcrossMerges() throws {
        let repo = try ScratchRepository()
        for i in 1...3 {
            try repo.write("a.txt", "\(i)")
            try repo.commitAll("main \(i)")
        }
        _ = try repo.git("checkout", "-q", "-b", "side", "HEAD~2")
        for i in 1...3 {
            try repo.write("b.txt", "\(i)")
            try repo.commitAll("side \(i)")
        }
        _ = try repo.git("checkout", "-q", "main")
        _ = try repo.git("merge", "-q", "--no-ff", "-m", "merge side", "side")
        try repo.write("a.txt", "after")
        try repo.commitAll("after merge")
        let repository = try Repository.discover(from: repo.root)
        let head = repo.head
        let expected = try repo.git("rev-list", "--first-parent", "HEAD").split(separator: "\n").map(String.init)
        #expect(try repository.commits(from: head, hiding: nil, firstParent: true) == expected)
        #expect(
            try repository.commits(from: head, hiding: nil, firstParent: true, limit: 3) == Array(expected.prefix(3)))
        // With a commit to hide, the revwalk still answers, and agrees.
        let hidden = expected[3]
        let range = try repo.git("rev-list", "--first-parent", "\(hidden)..HEAD").split(separator: "\n").map(
            String.init)
        #expect(try repository.commits(from: head, hiding: hidden, firstParent: true) == range)
        #expect(throws: GitError.self) {
            try repository.commits(from: String(repeating: "1", count: 40), hiding: nil, firstParent: true)
        }
    }
}
