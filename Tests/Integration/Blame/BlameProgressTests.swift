import EvalGuardTestSupport
import Testing

@testable import EvalGuardCLI

/// `blame` writes progress lines only to a terminal; diagnostics always.
@Suite struct BlameProgressTests {
    /// good (baseline) → a commit whose model crashes → a regression.
    func history() throws -> (ScratchRepository, String) {
        let repo = try ScratchRepository()
        try repo.setUpEvals(model: Models.echo(), cases: (1...10).map { caseLine("c\($0)", "q\($0)") })
        try repo.commitAll("Add evals")
        #expect(repo.evalguard("baseline").status == 0)
        try repo.commitAll("Baseline")
        let good = repo.head
        try repo.write("model.py", Models.alwaysCrashes)
        try repo.commitAll("Break the model")
        try repo.write("model.py", Models.echo(flipping: (1...8).map { "q\($0)" }))
        try repo.commitAll("Regress")
        return (repo, good)
    }

    func blame(_ repo: ScratchRepository, good: String, terminal: Bool) -> Invocation {
        let (console, captured) = Console.capturing(stderrIsTerminal: terminal)
        let status = CLI.run(
            arguments: ["blame", "--good", good], console: console, environment: [:], workingDirectory: repo.root)
        return Invocation(status: status, stdout: captured.stdout, stderr: captured.stderr)
    }

    @Test func noProgressWhenStderrIsNotATerminal() throws {
        let (repo, good) = try history()
        let run = blame(repo, good: good, terminal: false)
        #expect(!run.stderr.contains("evaluating"), "\(run.stderr)")
        #expect(run.stderr.contains("skipping "), "a commit that cannot be evaluated is still reported: \(run.stderr)")
    }

    @Test func progressOnATerminal() throws {
        let (repo, good) = try history()
        let run = blame(repo, good: good, terminal: true)
        #expect(run.stderr.contains("evaluating the bad end"), "\(run.stderr)")
        #expect(run.stderr.contains("skipping "))
    }
}
