import EvalGuardTestSupport
import Foundation
import Testing

/// The usual first baseline: `run` on a dirty tree, `baseline`, commit. The result made on the
/// dirty tree has the key of the commit made right after, so it counts for that commit.
@Suite struct DirtyTreeResultTests {
    func firstBaseline() throws -> (ScratchRepository, String) {
        let repo = try ScratchRepository()
        try repo.setUpEvals(model: Models.echo(), cases: (1...10).map { caseLine("c\($0)", "q\($0)") })
        #expect(repo.evalguard("run").status == 0)
        #expect(repo.evalguard("baseline").status == 0)
        try repo.commitAll("Add evals and the baseline")
        return (repo, repo.head)
    }

    @Test func logShowsTheCommitMadeRightAfterWithTheDirtyResult() throws {
        let (repo, first) = try firstBaseline()
        let log = repo.evalguard("log")
        #expect(log.status == 0, "\(log.stderr)")
        #expect(log.stdout.contains(String(first.prefix(7))), "\(log.stdout)")
        #expect(log.stdout.contains("1.0000"))
        #expect(log.stdout.contains("+ uncommitted changes"), "the result is marked as made on the working tree")
    }

    @Test func blameTakesTheGoodEndFromTheDirtyResult() throws {
        let (repo, first) = try firstBaseline()
        try repo.write("model.py", Models.echo(flipping: (1...6).map { "q\($0)" }))
        try repo.commitAll("Regress")
        let (run, doc) = try repo.evalguardJSON(["blame"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(doc["good"]?.objectValue?["sha"]?.stringValue == first, "\(run.stdout)")
        // Only the bad end ran: the good end's result is the one made before the commit.
        #expect(doc["evaluations"]?.numberValue == 1, "\(run.stdout)")
    }
}
