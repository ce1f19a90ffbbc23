import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardCLI

/// `ci` in a depth-1 clone of a feature branch (GitHub's default checkout), made with
/// `git clone --depth 1 file://…`: it fetches the base branch and deepens the clone itself.
@Suite struct CIShallowTests {
    /// main: evals, baseline, three more commits; feature (from the baseline): three commits.
    func history() throws -> ScratchRepository {
        let repo = try ScratchRepository()
        try repo.setUpEvals(model: Models.echo(), cases: [caseLine("a", "a"), caseLine("b", "b")])
        try repo.commitAll("Add evals")
        #expect(repo.evalguard("baseline").status == 0)
        try repo.commitAll("Baseline")
        try repo.git("checkout", "-q", "-b", "feature")
        for n in 1...3 {
            try repo.write("feature.txt", "\(n)\n")
            try repo.commitAll("Feature \(n)")
        }
        try repo.git("checkout", "-q", "main")
        for n in 1...3 {
            try repo.write("main.txt", "\(n)\n")
            try repo.commitAll("Main \(n)")
        }
        return repo
    }

    func clone(_ repo: ScratchRepository, _ extra: [String] = []) throws -> String {
        let destination = FileManager.default.temporaryDirectory.appendingPathComponent(
            "evalguard-ci-shallow-\(UUID().uuidString)"
        ).path
        let r = try Shell.run(
            ["git", "clone", "-q", "--depth", "1", "--branch", "feature"] + extra + [
                "file://" + repo.root, destination,
            ])
        guard r.status == 0 else { throw TestFailure("git clone failed: \(r.stderr)") }
        return destination
    }

    @Test func ciInADepthOneCloneOfAFeatureBranchDeepensItselfAndCompares() throws {
        let repo = try history()
        let destination = try clone(repo)
        defer { try? FileManager.default.removeItem(atPath: destination) }
        // A single-branch clone: main is not even there.
        #expect(try Shell.run(["git", "rev-parse", "--verify", "-q", "origin/main"], in: destination).status != 0)
        let r = repo.evalguard("ci", "--base", "main", in: destination)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("too shallow to hold the merge-base with main"), "\(r.stderr)")
        #expect(
            r.stderr.contains("git fetch --no-tags --deepen=50 origin +refs/heads/main:refs/remotes/origin/main"),
            "\(r.stderr)")
        let mergeBase = try repo.git("merge-base", "main", "feature")
        #expect(r.stdout.contains(String(mergeBase.prefix(7))), "\(r.stdout)")
        // The first step was enough: the clone was not unshallowed.
        #expect(!r.stderr.contains("--unshallow") && !r.stderr.contains("--deepen=450"), "\(r.stderr)")
    }

    @Test func theBaseFromGitHubBaseRefIsFetchedAndDeepenedToo() throws {
        let repo = try history()
        let destination = try clone(repo)
        defer { try? FileManager.default.removeItem(atPath: destination) }
        let (console, captured) = Console.capturing()
        let status = CLI.run(
            arguments: ["ci"], console: console, environment: ["GITHUB_BASE_REF": "main"], workingDirectory: destination
        )
        #expect(status == 0, "\(captured.stderr)")
        #expect(captured.stderr.contains("too shallow to hold the merge-base with main"), "\(captured.stderr)")
    }

    @Test func whenDeepeningIsImpossibleTheErrorSaysWhatWasTriedAndTheCommands() throws {
        let repo = try history()
        let destination = try clone(repo)
        defer { try? FileManager.default.removeItem(atPath: destination) }
        // The remote is gone: nothing can be fetched.
        #expect(
            try Shell.run(
                ["git", "remote", "set-url", "origin", "file:///nonexistent/evalguard-remote"], in: destination
            ).status == 0)
        let r = repo.evalguard("ci", "--base", "main", in: destination)
        #expect(r.status == 2, "\(r.stderr)")
        #expect(r.stderr.contains("is not in this clone"), "\(r.stderr)")
        #expect(
            r.stderr.contains(
                "evalguard tried: git fetch --no-tags --deepen=50 origin +refs/heads/main:refs/remotes/origin/main"),
            "\(r.stderr)")
        #expect(r.stderr.contains("git fetch --unshallow") || r.stderr.contains("fetch-depth: 0"), "\(r.stderr)")
        #expect(r.stderr.contains("could not fetch the stored results from origin"), "\(r.stderr)")
    }

    @Test func noFetchLeavesTheCloneAsItIs() throws {
        let repo = try history()
        let destination = try clone(repo, ["--no-single-branch"])
        defer { try? FileManager.default.removeItem(atPath: destination) }
        let r = repo.evalguard("ci", "--base", "main", "--no-fetch", in: destination)
        #expect(r.status == 2, "\(r.stderr)")
        #expect(
            r.stderr.contains("share no history in this clone") && r.stderr.contains("git fetch --deepen=100"),
            "\(r.stderr)")
        #expect(try Shell.run(["git", "rev-list", "--count", "HEAD"], in: destination).stdout == "1\n")
    }
}
