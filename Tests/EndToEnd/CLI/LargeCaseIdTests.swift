import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardConfig
@testable import EvalGuardSupport

/// A case id too large for an integer, given to the built binary: exit 2 naming the line, never
/// a crash (CaseIdTests reads such ids in memory).
@Suite struct LargeCaseIdTests {
    @Test func aLargeNumberIdStopsEveryCommandWithExitTwoInsteadOfACrash() throws {
        let repo = try ScratchRepository()
        try repo.setUpEvals(
            model: Models.echo(), cases: [caseLine("a", "a"), #"{"id": 1e19, "input": "b", "expected": "b"}"#])
        try repo.commitAll("Add evals")
        for command in [["run"], ["baseline"]] {
            let r = try runBinary(command, in: repo.root)
            #expect(r.status == 2, "\(command): \(r.stderr)")
            #expect(r.stderr.contains(".evals/cases/main.jsonl:2"), "\(command): \(r.stderr)")
        }
    }
}
