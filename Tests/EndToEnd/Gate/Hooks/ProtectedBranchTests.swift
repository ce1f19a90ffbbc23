import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardConfig

/// `"baseline_changes": "block"` blocks a baseline change pushed to a protected branch only, so
/// the change can still reach review on a feature branch.
@Suite struct ProtectedBranchTests {
    typealias Setup = PrePushTests.Setup

    func lowerTheBaseline(_ s: Setup) throws {
        try s.repo.write("model.py", Models.echo(flipping: ["q1", "q2"]))
        #expect(s.repo.evalguard("baseline").status == 0)
        try s.repo.commitAll("Accept two failing cases")
    }

    @Test func aBaselineChangeOnAFeatureBranchPassesWithTheWarning() throws {
        let s = try Setup(extraConfig: ",\n\"baseline_changes\": \"block\"")
        try s.repo.git("checkout", "-q", "-b", "feature/accept")
        try lowerTheBaseline(s)
        let push = try s.push("origin", "feature/accept")
        #expect(push.status == 0, "\(push.stderr)")
        #expect(push.stderr.contains("this push changes .evals/baseline.json"))
        #expect(push.stderr.contains("not blocked: feature/accept is not a protected branch"), "\(push.stderr)")

        // The same commit pushed to the remote's default branch is blocked.
        let main = try s.push("origin", "feature/accept:main")
        #expect(main.status != 0)
        #expect(
            main.stderr.contains(
                "it changes the baseline, and .evals/evalguard.json says \"baseline_changes\": \"block\" (main is a protected branch)"
            ), "\(main.stderr)")
    }

    @Test func configuredProtectedBranchesAreMatchedAsPatterns() throws {
        let s = try Setup(
            extraConfig: ",\n\"baseline_changes\": \"block\",\n\"protected_branches\": [\"main\", \"release/*\"]")
        try lowerTheBaseline(s)
        #expect(try s.push("origin", "main:release/2.1").status != 0)
        #expect(try s.push("origin", "main:topic").status == 0)
        #expect(try s.push("origin", "main").status != 0)
    }
}
