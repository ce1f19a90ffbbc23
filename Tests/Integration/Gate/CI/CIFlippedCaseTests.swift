import Testing
import EvalGuardTestSupport

/// `ci` shows a flipped case's expected answer, as `check` does.
@Suite struct TrialCIExpectedTests {
    @Test func flippedCasesShowTheirExpectedAnswer() throws {
        let s = try CITests.Setup()
        let run = s.ci(["--base", "main"])
        #expect(run.status == 1, "\(run.stderr)")
        #expect(run.stdout.contains("  - c2  expected \"q2\"  got \"wrong\""), "\(run.stdout)")
    }
}
