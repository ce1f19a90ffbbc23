import EvalGuardTestSupport
import Foundation
import Testing

/// `log` reads what it shows and stops: without `--suite`, a result is read up to its suites
/// (keys are written sorted, `overall` before `suites`), so its cases are never walked; with
/// `--suite`, the suites are read, and checked, as before.
@Suite struct LogReadsOverallFiguresTests {
    @Test func logWithoutASuiteStopsWhereTheSuitesBegin() throws {
        let repo = try ScratchRepository()
        try repo.setUpEvals(model: Models.echo(), cases: (1...10).map { caseLine("c\($0)", "q\($0)") })
        try repo.commitAll("Add evals")
        #expect(repo.evalguard("run").status == 0)
        let path = ".evals/results/\(repo.head).json"
        let stored = try #require(repo.read(path))
        let suites = try #require(stored.range(of: "\"suites\" : ["))
        // What follows the suites' key is never read: here, nothing a reader could parse.
        try repo.write(path, String(stored[..<suites.upperBound]) + " this is not JSON")
        try repo.git("notes", "--ref", "refs/notes/evalguard", "remove", "HEAD")
        let overall = repo.evalguard("log", "-n", "5")
        #expect(overall.status == 0, "\(overall.stderr)")
        #expect(
            overall.stdout.contains(String(repo.head.prefix(7))) && overall.stdout.contains("1.0000"),
            "\(overall.stdout)")
        // Per suite, the whole result is read: this one is not a result.
        let suite = repo.evalguard("log", "-n", "5", "--suite", "main")
        #expect(suite.status == 0, "\(suite.stderr)")
        #expect(!suite.stdout.contains(String(repo.head.prefix(7))), "\(suite.stdout)")
    }
}
