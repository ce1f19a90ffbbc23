import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardCLI
@testable import EvalGuardConfig

/// `evalguard init` in a fresh `git init`: the first steps it suggests work before any commit.
@Suite struct InitBeforeFirstCommitTests {
    @Test func theFirstStepsWorkBeforeTheFirstCommit() throws {
        let repo = try ScratchRepository(initialCommit: false)
        let initRun = repo.evalguard("init")
        #expect(initRun.status == 0, "\(initRun.stderr)")
        #expect(initRun.stdout.contains("evalguard run"))

        let run = repo.evalguard("run")
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("example"))
        #expect(run.stderr.contains("main (no commits yet)"), "\(run.stderr)")
        let baseline = repo.evalguard("baseline")
        #expect(baseline.status == 0, "\(baseline.stderr)")
        #expect(baseline.stdout.contains("from the stored result"), "the run's result is reused: \(baseline.stdout)")
        #expect(repo.exists(".evals/baseline.json"))

        try repo.commitAll("Add evalguard evals and baseline")
        let check = repo.evalguard("check")
        #expect(check.status == 0, "\(check.stderr)")
        #expect(check.stderr.contains("reusing the stored result"), "nothing changed since the run: \(check.stderr)")
        let log = repo.evalguard("log")
        #expect(log.stdout.contains(String(repo.head.prefix(7))), "\(log.stdout)")
    }
}
