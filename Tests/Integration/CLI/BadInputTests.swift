import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardCLI
@testable import EvalGuardStore
@testable import EvalGuardSupport

/// Every kind of bad input gets a clear message, its exit code, and no partial result file.
@Suite struct BadInputTests {
    func repository(
        model: String = Models.echo(), cases: [String] = [caseLine("a", "x"), caseLine("b", "y")],
        modelConfig: String = ""
    ) throws -> ScratchRepository {
        let repo = try ScratchRepository()
        try repo.setUpEvals(model: model, cases: cases, modelConfig: modelConfig)
        try repo.commitAll("Add evals")
        return repo
    }

    func expectFailure(
        _ repo: ScratchRepository, _ arguments: [String] = ["run"], status: Int32,
        _ fragments: String..., sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let (console, captured) = Console.capturing()
        let code = CLI.run(arguments: arguments, console: console, environment: [:], workingDirectory: repo.root)
        #expect(code == status, "stderr: \(captured.stderr)", sourceLocation: sourceLocation)
        for fragment in fragments {
            #expect(
                captured.stderr.contains(fragment), "missing '\(fragment)' in: \(captured.stderr)",
                sourceLocation: sourceLocation)
        }
        #expect(repo.resultFiles.isEmpty, "a result file was left: \(repo.resultFiles)", sourceLocation: sourceLocation)
    }

    @Test func missingEvalsDirectory() throws {
        let repo = try ScratchRepository()
        expectFailure(repo, status: 2, "no .evals/ directory", "evalguard init")
    }

    @Test func notAGitRepository() throws {
        let dir = NSTemporaryDirectory() + "evalguard-nogit-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (console, captured) = Console.capturing()
        #expect(CLI.run(arguments: ["check"], console: console, environment: [:], workingDirectory: dir) == 2)
        #expect(captured.stderr.contains("not a git repository"))
    }

    @Test func repositoryWithoutCommits() throws {
        let repo = try ScratchRepository(initialCommit: false)
        try repo.setUpEvals(model: Models.echo(), cases: [caseLine("a", "x")])
        // run and baseline work before the first commit; a check needs a committed baseline.
        expectFailure(repo, ["check"], status: 2, "no commits yet", "git commit")
    }

    @Test func malformedConfigNamesLineAndColumn() throws {
        let repo = try repository()
        try repo.write(
            ".evals/evalguard.json",
            "{\n  // comment\n  model: {'command': ['python3', 'model.py'],},\n  \"suites\": {\"main\": {\"cases\": \"cases/main.jsonl\"}\n  \"thresholds\": {}\n}\n"
        )
        expectFailure(repo, status: 2, "error: .evals/evalguard.json:5:3: invalid JSON")
    }

    @Test func unknownScorer() throws {
        let repo = try repository()
        try repo.write(
            ".evals/evalguard.json",
            "{\"model\": {\"command\": [\"python3\", \"model.py\"]},\n \"suites\": {\"main\": {\"cases\": \"cases/main.jsonl\", \"scorer\": \"fuzzy\"}}}"
        )
        expectFailure(repo, status: 2, ".evals/evalguard.json:2:", "unknown scorer 'fuzzy'")
    }

    @Test func malformedCaseLine() throws {
        let repo = try repository(cases: [caseLine("a", "x"), "{\"id\": \"b\", \"input\": }"])
        expectFailure(repo, status: 2, "error: .evals/cases/main.jsonl:2:22: unexpected character '}'")
    }

    @Test func emptySuite() throws {
        let repo = try repository(cases: [""])
        expectFailure(repo, status: 2, ".evals/cases/main.jsonl: the suite has no cases")
    }

    @Test func duplicateIdsNameBothLines() throws {
        let repo = try repository(cases: [caseLine("a", "x"), caseLine("b", "y"), caseLine("a", "z")])
        expectFailure(repo, status: 2, ".evals/cases/main.jsonl:3: duplicate id \"a\": already used at line 1")
    }

    @Test func missingCaseFile() throws {
        let repo = try repository()
        try FileManager.default.removeItem(atPath: repo.path(".evals/cases/main.jsonl"))
        expectFailure(repo, status: 2, "the case file .evals/cases/main.jsonl does not exist")
    }

    @Test func modelCommandNotFound() throws {
        let repo = try repository()
        try repo.write(
            ".evals/evalguard.json",
            "{\"model\": {\"command\": [\"no-such-model\"]}, \"suites\": {\"main\": {\"cases\": \"cases/main.jsonl\"}}}"
        )
        expectFailure(repo, status: 3, "model command not found: 'no-such-model'")
    }

    @Test func modelCrashingEveryTimeStopsWithItsStderr() throws {
        let repo = try repository(model: Models.alwaysCrashes)
        expectFailure(repo, status: 3, "the model failed on", "| ImportError: No module named 'torch'")
    }

    @Test func modelCrashingOnOneCaseIsRecordedAsAnError() throws {
        let cases = (1...10).map { caseLine("c\($0)", "q\($0)") } + [caseLine("boom", "boom")]
        let repo = try repository(model: Models.crashesOnBoom, cases: cases)
        let run = repo.evalguard("run")
        #expect(run.status == 0)
        let result = try #require(ResultStore(root: repo.root).load(commit: repo.head))
        #expect(result.suites[0].metrics.errors == 1)
        #expect(result.suites[0].cases.last?.error?.contains("exit status 7") == true)
    }

    @Test func modelHangingIsTimedOut() throws {
        let cases = (1...10).map { caseLine("c\($0)", "q\($0)") } + [caseLine("slow", "sleep")]
        let repo = try repository(model: Models.hangsOnSleep, cases: cases, modelConfig: ", \"timeout_s\": 0.5")
        try repo.write(
            ".evals/evalguard.json",
            "{\"model\": {\"command\": [\"python3\", \"model.py\"], \"timeout_s\": 0.5}, \"suites\": {\"main\": {\"cases\": \"cases/main.jsonl\"}}}"
        )
        let run = repo.evalguard("run")
        #expect(run.status == 0)
        #expect(run.stdout.contains("timeouts"))
        let result = try #require(ResultStore(root: repo.root).load(commit: repo.head))
        #expect(result.suites[0].metrics.timeouts == 1)
        #expect(result.suites[0].cases.last?.timedOut == true)
    }

    @Test func modelPrintingGarbageQuotesTheLine() throws {
        let cases = (1...10).map { caseLine("c\($0)", "q\($0)") } + [caseLine("j", "junk")]
        let repo = try repository(model: Models.printsGarbageOnJunk, cases: cases)
        let run = repo.evalguard("run")
        #expect(run.status == 0)
        #expect(run.stdout.contains("not JSON: 'this is not json'"))
    }

    @Test func noBaselineCommittedSaysHowToCreateOne() throws {
        let repo = try repository()
        let check = repo.evalguard("check")
        #expect(check.status == 2)
        #expect(check.stderr.contains("no baseline committed at HEAD"))
        #expect(check.stderr.contains("evalguard baseline\n  git add .evals/baseline.json\n  git commit"))
        #expect(repo.resultFiles.isEmpty, "check ran the model before finding there is nothing to compare with")
    }

    @Test func corruptBaselineNamesTheFile() throws {
        let repo = try repository()
        try repo.write(".evals/baseline.json", "{\"format\": 1,\n \"suites\": [}")
        try repo.commitAll("Broken baseline")
        expectFailure(repo, ["check"], status: 2, "HEAD:.evals/baseline.json:2:", "evalguard baseline")
    }

    @Test func usageErrorsExitTwo() throws {
        let repo = try repository()
        expectFailure(repo, ["check", "--format", "yaml"], status: 2, "Invalid value 'yaml' for '--format'")
        expectFailure(repo, ["check", "--againts", "HEAD"], status: 2, "Did you mean '--against'?")
    }
}
