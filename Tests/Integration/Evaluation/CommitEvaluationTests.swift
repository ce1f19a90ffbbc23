import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardGit
@testable import EvalGuardStore

/// Evaluating a commit other than the working tree, bisect mode, and results as git notes.
@Suite struct CommitEvaluationTests {
    func evaluated() throws -> ScratchRepository {
        let repo = try ScratchRepository()
        try repo.setUpEvals(model: Models.echo(), cases: (1...10).map { caseLine("c\($0)", "q\($0)") })
        try repo.commitAll("Add evals")
        repo.evalguard("baseline")
        try repo.commitAll("Baseline")
        return repo
    }

    @Test func runCommitLeavesWorkingTreeIndexAndHeadUntouched() throws {
        let repo = try evaluated()
        try repo.write("model.py", Models.echo(flipping: ["q1", "q2", "q3", "q4", "q5", "q6"]))
        try repo.commitAll("Flip six")
        // Staged and unstaged work in progress.
        try repo.write("staged.txt", "staged\n")
        try repo.git("add", "staged.txt")
        try repo.write("model.py", "# half-edited\n")
        try repo.write("untracked.txt", "untracked\n")
        func snapshot() throws -> [String] {
            [
                try repo.git("status", "--porcelain"), try repo.git("diff"), try repo.git("diff", "--cached"),
                try repo.git("rev-parse", "HEAD"), try repo.git("symbolic-ref", "HEAD"),
                GitHash.blobID(of: Array(FileManager.default.contents(atPath: repo.path(".git/index"))!)),
                repo.read("model.py")!,
            ]
        }
        let before = try snapshot()
        let run = repo.evalguard("run", "--commit", "HEAD~1")
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("evaluated in an isolated checkout"))
        #expect(try snapshot() == before)
        let result = try #require(ResultStore(root: repo.root).load(commit: try repo.git("rev-parse", "HEAD~1")))
        #expect(result.overall.accuracy == 1)
        #expect(!result.dirty)
        let tmp = try FileManager.default.contentsOfDirectory(atPath: NSTemporaryDirectory())
        #expect(!tmp.contains { $0.hasPrefix("evalguard-\(result.commit.prefix(12))") }, "the checkout was not removed")
        let check = repo.evalguard("check", "--commit", "HEAD")
        #expect(check.status == 1)
        #expect(check.stdout.contains("evalguard check: commit \(repo.head.prefix(7))"))
        #expect(try snapshot() == before)
    }

    @Test func bisectModeExitsGoodBadOrSkip() throws {
        let repo = try evaluated()
        let good = repo.head
        try repo.write("model.py", Models.echo(flipping: ["q1", "q2", "q3", "q4", "q5", "q6"]))
        try repo.commitAll("Regress")
        #expect(repo.evalguard("check", "--bisect", "--commit", good, "--against", good).status == 0)
        #expect(repo.evalguard("check", "--bisect", "--commit", "HEAD", "--against", good).status == 1)
        let first = try repo.git("rev-list", "--max-parents=0", "HEAD")
        #expect(repo.evalguard("check", "--bisect", "--commit", first, "--against", good).status == 125)
        try repo.write("model.py", "import sys\nsys.exit(3)\n")
        try repo.commitAll("Broken model")
        #expect(repo.evalguard("check", "--bisect", "--commit", "HEAD", "--against", good).status == 125)
    }

    @Test func cleanResultsAreRecordedAsGitNotesAndReadBack() throws {
        let repo = try evaluated()
        let note = try repo.git("notes", "--ref=evalguard", "show", "HEAD~1")
        let fromNote = try JSONDecoder().decode(RunResult.self, from: Data(note.utf8))
        #expect(fromNote.commit == (try repo.git("rev-parse", "HEAD~1")))
        // Without the files, a result is found again through the note.
        try FileManager.default.removeItem(atPath: repo.path(".evals/results"))
        let check = repo.evalguard("check")
        #expect(check.status == 0)
        #expect(check.stderr.contains("reusing the stored result"))
    }

    @Test func notesFromTwoMachinesMergeWithoutLosingEither() throws {
        let remote = NSTemporaryDirectory() + "evalguard-notes-\(UUID().uuidString).git"
        defer { try? FileManager.default.removeItem(atPath: remote) }
        let a = try evaluated()
        try Shell.run(["git", "init", "-q", "--bare", remote])
        try a.git("remote", "add", "origin", remote)
        try a.write("model.py", Models.echo(flipping: ["q9"]))
        try a.commitAll("Second model")
        try a.git("push", "-q", "origin", "main")
        let b = try ScratchRepository(initialCommit: false)
        try b.git("remote", "add", "origin", remote)
        try b.git("fetch", "-q", "origin")
        try b.git("checkout", "-q", "-b", "main", "origin/main")
        // Machine A evaluated "Add evals" (HEAD~2) for its baseline; machine B evaluates HEAD.
        #expect(b.evalguard("run", "--commit", "HEAD").status == 0)
        try a.git("push", "-q", "origin", "refs/notes/evalguard")
        // The documented recipe: fetch the remote's notes, merge them into ours, push.
        try b.git("fetch", "-q", "origin", "refs/notes/evalguard:refs/notes/evalguard-origin")
        try b.git("notes", "--ref=evalguard", "merge", "-s", "union", "refs/notes/evalguard-origin")
        try b.git("push", "-q", "origin", "refs/notes/evalguard")
        let noted = try b.git("notes", "--ref=evalguard", "list").split(separator: "\n").map {
            $0.split(separator: " ")[1]
        }
        #expect(
            Set(noted).isSuperset(of: [
                Substring(try b.git("rev-parse", "HEAD")), Substring(try b.git("rev-parse", "HEAD~2")),
            ]))
    }
}

@Suite struct BisectInconclusiveTests {
    @Test func anInconclusiveCommitIsSkippedByBisect() throws {
        let repo = try ScratchRepository()
        try repo.setUpEvals(model: Models.echo(), cases: (1...20).map { caseLine("c\($0)", "q\($0)") })
        try repo.commitAll("Add evals")
        repo.evalguard("baseline")
        try repo.commitAll("Baseline")
        let good = repo.head
        // Two of twenty cases fail: beyond max_drop 0.01, but not significant on 20 paired cases.
        try repo.write("model.py", Models.echo(flipping: ["q1", "q2"]))
        try repo.commitAll("Slightly worse")
        let check = repo.evalguard("check", "--bisect", "--commit", "HEAD", "--against", good)
        #expect(check.status == 125, "\(check.stdout)\(check.stderr)")
        #expect(check.stderr.contains("INCONCLUSIVE"))
    }
}
