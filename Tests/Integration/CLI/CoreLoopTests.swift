import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardCLI
@testable import EvalGuardStore
@testable import EvalGuardSupport

/// init → run → baseline → commit → check, as a user meets them.
@Suite struct CoreLoopTests {
    let cases = (1...20).map { caseLine("c\($0)", "q\($0)") }

    func evaluatedRepository(model: String = Models.echo()) throws -> ScratchRepository {
        let repo = try ScratchRepository()
        try repo.setUpEvals(model: model, cases: cases)
        try repo.commitAll("Add evals")
        #expect(repo.evalguard("baseline").status == 0)
        try repo.commitAll("Record the baseline")
        return repo
    }

    @Test func initWritesARunnableStarterAndRefusesToOverwrite() throws {
        let repo = try ScratchRepository()
        let first = repo.evalguard("init")
        #expect(first.status == 0)
        for file in [
            ".evals/evalguard.json", ".evals/cases/example.jsonl", ".evals/example_model.py", ".evals/.gitignore",
        ] {
            #expect(repo.exists(file), "\(file) was not written")
        }
        #expect(repo.read(".evals/.gitignore")?.contains("results/") == true)
        let config = try #require(repo.read(".evals/evalguard.json"))
        let second = repo.evalguard("init")
        #expect(second.status == 2)
        #expect(second.stderr.contains(".evals/ already exists"))
        #expect(repo.read(".evals/evalguard.json") == config)
        let run = repo.evalguard("run")
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("example"))
        #expect(run.stdout.contains("1.0000"))
    }

    @Test func runWritesOneResultFileForHead() throws {
        let repo = try ScratchRepository()
        try repo.setUpEvals(model: Models.echo(), cases: cases)
        try repo.commitAll("Add evals")
        let run = repo.evalguard("run")
        #expect(run.status == 0)
        for column in [
            "suite", "cases", "accuracy", "p50 ms", "p95 ms", "p99 ms", "avg cost $", "total cost $", "errors",
            "timeouts",
        ] {
            #expect(run.stdout.contains(column))
        }
        #expect(repo.resultFiles == ["\(repo.head).json", "keys"])
        let data = try #require(FileManager.default.contents(atPath: repo.path(".evals/results/\(repo.head).json")))
        let result = try JSONDecoder().decode(RunResult.self, from: data)
        #expect(result.commit == repo.head)
        #expect(result.dirty == false)
        #expect(result.suites[0].cases.count == 20)
        #expect(result.suites[0].cases.allSatisfy { $0.passed && $0.outputDigest != nil })
        #expect(result.evalguardVersion == EvalGuardVersion.current)
        #expect(result.suites[0].casesFile == ".evals/cases/main.jsonl")
    }

    @Test func aChangedModelMakesTheResultDirtyWithAnotherKey() throws {
        let repo = try ScratchRepository()
        try repo.setUpEvals(model: Models.echo(), cases: cases)
        try repo.commitAll("Add evals")
        repo.evalguard("run")
        let clean = try #require(ResultStore(root: repo.root).load(commit: repo.head))
        try repo.write("model.py", Models.echo(flipping: ["q1"]))
        repo.evalguard("run")
        let dirty = try #require(ResultStore(root: repo.root).load(commit: repo.head))
        #expect(dirty.dirty)
        #expect(dirty.dirtyPaths == ["model.py"])
        #expect(dirty.key != clean.key)
        // Untracked files count too, but stored results and the baseline never do.
        try repo.write("model.py", Models.echo())
        try repo.write(".evals/baseline.json", "{}")
        repo.evalguard("run")
        #expect(ResultStore(root: repo.root).load(commit: repo.head)?.key == clean.key)
    }

    @Test func checkPassesOnAnUnchangedModelReusingTheStoredResult() throws {
        let counter = NSTemporaryDirectory() + "evalguard-counter-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: counter) }
        let repo = try evaluatedRepository(model: Models.echo(counter: counter))
        let runsBefore = (try? String(contentsOfFile: counter, encoding: .utf8))?.count ?? 0
        let check = repo.evalguard("check")
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        #expect(check.stdout.contains("Verdict: pass"))
        #expect(check.stderr.contains("reusing the stored result"))
        #expect(
            ((try? String(contentsOfFile: counter, encoding: .utf8))?.count ?? 0) == runsBefore, "the model ran again")
    }

    @Test func checkFailsOnARegressionWithTheTableAndTheFlippedCases() throws {
        let repo = try evaluatedRepository()
        // Six of twenty cases go pass → fail: one-sided exact McNemar p = 1/64.
        try repo.write("model.py", Models.echo(flipping: ["q3", "q4", "q5", "q6", "q7", "q8"]))
        let check = repo.evalguard("check")
        #expect(check.status == 1)
        let row = check.stdout.split(separator: "\n").first { $0.hasPrefix("main") && $0.contains("accuracy") }
        #expect(
            row?.split(separator: " ").map(String.init) == [
                "main", "accuracy", "1.0000", "0.7000", "-0.3000", "max", "drop", "0.01", "p", "=", "0.0156",
                "REGRESSION",
            ])
        #expect(check.stdout.contains("REGRESSION"))
        #expect(check.stdout.contains("6 case(s) regressed (pass → fail), 0 fixed"))
        #expect(
            check.stdout.contains(
                "main accuracy: 6 of 20 paired cases fell, 0 rose; one-sided paired test p = 0.0156 (alpha 0.05): significant"
            ))
        #expect(check.stdout.contains("c3  expected \"q3\"  got \"wrong\""))
        #expect(check.stdout.contains("Verdict: REGRESSION (main accuracy)"))
        let json = repo.evalguard("check", "--format", "json")
        #expect(json.status == 1)
        let doc = try JSONParser.parse(json.stdout)
        #expect(doc["verdict"] == .string("regression"))
        let accuracy = doc["suites"]?["main"]?["metrics"]?["accuracy"]
        #expect(accuracy?["baseline"] == .number(1))
        #expect(accuracy?["current"] == .number(0.7))
        #expect(accuracy?["threshold"]?["max_drop"] == .number(0.01))
        #expect(accuracy?["verdict"] == .string("regression"))
        #expect(abs((accuracy?["p_value"]?.numberValue ?? 1) - 0.015625) < 1e-15)
        #expect(accuracy?["significant"] == .bool(true))
        #expect(doc["suites"]?["main"]?["pass_to_fail"] == .array((3...8).map { .string("c\($0)") }))
    }

    @Test func improvementsAndSwitchedOffMetricsNeverFail() throws {
        let repo = try ScratchRepository()
        try repo.setUpEvals(
            model: Models.echo(flipping: ["q1", "q2"]), cases: cases,
            extraConfig: "\"thresholds\": {\"avg_cost_usd\": false, \"p95_latency_ms\": false}")
        try repo.commitAll("Add evals")
        repo.evalguard("baseline")
        try repo.commitAll("Baseline")
        try repo.write("model.py", Models.echo())
        let check = repo.evalguard("check")
        #expect(check.status == 0, "\(check.stdout)")
        #expect(check.stdout.contains("0 case(s) regressed (pass → fail), 2 fixed"))
        #expect(check.stdout.contains("avg_cost_usd") && check.stdout.contains("off"))
    }

    @Test func checkReadsTheCommittedBaselineNotTheWorkingCopy() throws {
        let repo = try evaluatedRepository()
        try repo.write("model.py", Models.echo(flipping: ["q1", "q2", "q3", "q4", "q5", "q6"]))
        repo.evalguard("baseline") // a lowered baseline, not committed
        let check = repo.evalguard("check")
        #expect(check.status == 1)
        #expect(check.stderr.contains("differs from the one committed at HEAD"))
    }

    @Test func againstComparesWithAnotherRevisionsBaseline() throws {
        let repo = try evaluatedRepository()
        try repo.write("model.py", Models.echo(flipping: ["q1", "q2", "q3", "q4", "q5", "q6"]))
        repo.evalguard("baseline")
        try repo.commitAll("Accept a lower baseline")
        #expect(repo.evalguard("check").status == 0)
        let against = repo.evalguard("check", "--against", "HEAD~1")
        #expect(against.status == 1)
        #expect(against.stdout.contains("baseline committed at HEAD~1"))
        let unknown = repo.evalguard("check", "--against", "no-such-branch")
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("unknown revision 'no-such-branch'"))
    }

    @Test func detachedHeadIsEvaluatedLikeABranch() throws {
        let repo = try evaluatedRepository()
        try repo.git("checkout", "-q", "--detach", "HEAD")
        let check = repo.evalguard("check")
        #expect(check.status == 0, "\(check.stderr)")
        #expect(check.stdout.contains("detached HEAD @ \(repo.head.prefix(7))"))
    }
}
