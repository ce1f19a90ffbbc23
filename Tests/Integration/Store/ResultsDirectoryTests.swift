import EvalGuardTestSupport
import Foundation
import Testing

/// Where results go is checked before the model starts: a run that cannot be stored is not run.
@Suite struct ResultsDirectoryTests {
    /// A repository whose model records each of its starts in a file outside the repository.
    func repository() throws -> (ScratchRepository, counter: String) {
        let repo = try ScratchRepository()
        let counter = FileManager.default.temporaryDirectory.appendingPathComponent(
            "evalguard-starts-\(UUID().uuidString)"
        ).path
        try repo.setUpEvals(model: Models.echo(counter: counter), cases: [caseLine("a", "a"), caseLine("b", "b")])
        try repo.commitAll("Add evals")
        return (repo, counter)
    }

    func starts(_ counter: String) -> Int {
        (try? String(contentsOfFile: counter, encoding: .utf8))?.split(separator: "\n").filter { $0 == "start" }.count
            ?? 0
    }

    @Test func aRegularFileInPlaceOfTheResultsDirectoryStopsTheRunBeforeTheModelStarts() throws {
        let (repo, counter) = try repository()
        defer { try? FileManager.default.removeItem(atPath: counter) }
        try repo.write(".evals/results", "not a directory\n")
        let r = repo.evalguard("run")
        #expect(r.status == 3, "\(r.stderr)")
        #expect(r.stderr.hasPrefix("error: cannot store results: .evals/results is not a directory"), "\(r.stderr)")
        #expect(r.stderr.contains("rm .evals/results"), "the fix is named: \(r.stderr)")
        #expect(!r.stderr.contains("NSCocoaErrorDomain"), "\(r.stderr)")
        #expect(starts(counter) == 0, "the model was started")
    }

    @Test func aRegularFileInPlaceOfTheKeyIndexStopsTheRunBeforeTheModelStarts() throws {
        let (repo, counter) = try repository()
        defer { try? FileManager.default.removeItem(atPath: counter) }
        try repo.write(".evals/results/keys", "not a directory\n")
        let r = repo.evalguard("run")
        #expect(r.status == 3, "\(r.stderr)")
        #expect(
            r.stderr.hasPrefix("error: cannot store results: .evals/results/keys is not a directory"), "\(r.stderr)")
        #expect(starts(counter) == 0, "the model was started")
    }

    @Test func evaluatingAnotherCommitChecksTheResultsDirectoryFirstToo() throws {
        let (repo, counter) = try repository()
        defer { try? FileManager.default.removeItem(atPath: counter) }
        try repo.write(".evals/results", "not a directory\n")
        let r = repo.evalguard("run", "--commit", "HEAD")
        #expect(r.status == 3, "\(r.stderr)")
        #expect(r.stderr.contains(".evals/results is not a directory"), "\(r.stderr)")
        #expect(starts(counter) == 0, "the model was started")
    }

    @Test func whenTheDirectoryIsFineTheModelRunsAndTheResultIsStored() throws {
        let (repo, counter) = try repository()
        defer { try? FileManager.default.removeItem(atPath: counter) }
        #expect(repo.evalguard("run").status == 0)
        #expect(starts(counter) >= 1)
        #expect(repo.resultFiles.contains("\(repo.head).json"))
        #expect(!repo.resultFiles.contains { $0.hasPrefix(".") }, "no probe file is left behind: \(repo.resultFiles)")
    }

    @Test func theCheckLeavesNothingBehindWhenTheRunStopsForAnotherReason() throws {
        let repo = try ScratchRepository()
        try repo.setUpEvals(model: Models.alwaysCrashes, cases: [caseLine("a", "a")])
        try repo.commitAll("Add evals")
        #expect(repo.evalguard("run").status == 3)
        #expect(!repo.exists(".evals/results"))
        #expect(try repo.git("status", "--porcelain", "--ignored").isEmpty)
    }
}
