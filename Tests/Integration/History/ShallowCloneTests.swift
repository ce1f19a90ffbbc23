import EvalGuardTestSupport
import Foundation
import Testing

/// Depth-1 clones (GitHub's default checkout) made with `git clone --depth 1 file://…`: commands
/// that walk history stop at the shallow boundary and say so, instead of failing in libgit2.
@Suite struct ShallowCloneTests {
    /// main: evals, baseline, two more commits; feature (from main's second commit): two commits.
    func history() throws -> ScratchRepository {
        let repo = try ScratchRepository()
        try repo.setUpEvals(model: Models.echo(), cases: [caseLine("a", "a"), caseLine("b", "b")])
        try repo.commitAll("Add evals")
        #expect(repo.evalguard("baseline").status == 0)
        try repo.commitAll("Baseline")
        try repo.git("checkout", "-q", "-b", "feature")
        try repo.write("notes.txt", "one\n")
        try repo.commitAll("Feature one")
        try repo.write("notes.txt", "two\n")
        try repo.commitAll("Feature two")
        try repo.git("checkout", "-q", "main")
        for n in 1...2 {
            try repo.write("main.txt", "\(n)\n")
            try repo.commitAll("Main \(n)")
        }
        return repo
    }

    /// A depth-1 clone of `branch`, removed when the test ends (through `cleanup`).
    func shallowClone(_ repo: ScratchRepository, branch: String, allBranches: Bool = false) throws -> String {
        let destination = FileManager.default.temporaryDirectory.appendingPathComponent(
            "evalguard-clone-\(UUID().uuidString)"
        ).path
        var arguments = ["git", "clone", "-q", "--depth", "1", "--branch", branch]
        if allBranches { arguments.append("--no-single-branch") }
        let r = try Shell.run(arguments + ["file://" + repo.root, destination])
        guard r.status == 0 else { throw TestFailure("git clone failed: \(r.stderr)") }
        #expect(try Shell.run(["git", "rev-parse", "--is-shallow-repository"], in: destination).stdout == "true\n")
        return destination
    }

    @Test func ciInADepthOneCloneWithoutTheMergeBaseGivesTheShallowCloneHintAndExitTwo() throws {
        let repo = try history()
        let clone = try shallowClone(repo, branch: "feature", allBranches: true)
        defer { try? FileManager.default.removeItem(atPath: clone) }
        let r = repo.evalguard("ci", "--base", "main", "--no-fetch", in: clone)
        #expect(r.status == 2, "\(r.stderr)")
        #expect(r.stderr.contains("share no history in this clone"), "\(r.stderr)")
        #expect(r.stderr.contains("fetch-depth: 0") && r.stderr.contains("git fetch --unshallow"), "\(r.stderr)")
        #expect(!r.stderr.contains("git_merge_base"), "\(r.stderr)")
    }

    @Test func logInADepthOneCloneShowsWhatIsThereAndSaysWhereHistoryIsCut() throws {
        let repo = try history()
        let clone = try shallowClone(repo, branch: "main")
        defer { try? FileManager.default.removeItem(atPath: clone) }
        #expect(repo.evalguard("run", in: clone).status == 0)
        let head = try Shell.run(["git", "rev-parse", "--short=7", "HEAD"], in: clone).stdout.trimmingCharacters(
            in: .whitespacesAndNewlines)
        let r = repo.evalguard("log", in: clone)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains(head) && r.stdout.contains("Main 2"), "\(r.stdout)")
        #expect(r.stderr.contains("history is cut at \(head)"), "\(r.stderr)")
        #expect(r.stderr.contains("git fetch --deepen") && r.stderr.contains("git fetch --unshallow"), "\(r.stderr)")

        let json = repo.evalguard("log", "--format", "json", in: clone)
        #expect(json.status == 0, "\(json.stderr)")
        #expect(json.stdout.contains(head))
    }

    @Test func logInAFullCloneSaysNothingAboutACut() throws {
        let repo = try history()
        #expect(repo.evalguard("run").status == 0)
        let r = repo.evalguard("log")
        #expect(r.status == 0)
        #expect(!r.stderr.contains("history is cut"), "\(r.stderr)")
    }
    @Test func blameInADepthOneCloneSaysHistoryIsCutAndHowToDeepen() throws {
        let repo = try history()
        let clone = try shallowClone(repo, branch: "main")
        defer { try? FileManager.default.removeItem(atPath: clone) }
        let head = try Shell.run(["git", "rev-parse", "--short=7", "HEAD"], in: clone).stdout.trimmingCharacters(
            in: .whitespacesAndNewlines)
        let r = repo.evalguard("blame", in: clone)
        #expect(r.status == 2, "\(r.stderr)")
        #expect(r.stderr.contains("history is cut at \(head)"), "\(r.stderr)")
        #expect(r.stderr.contains("shallow"), "\(r.stderr)")
        #expect(r.stderr.contains("git fetch --deepen") && r.stderr.contains("git fetch --unshallow"), "\(r.stderr)")
        #expect(!r.stderr.contains("itself changed"), "\(r.stderr)")
    }
}
