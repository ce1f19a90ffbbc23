import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardSupport

/// `judge calibrate --format json`: figures a reader can use as printed, and each disagreement
/// with the judge's grade and reason.
@Suite(.serialized) struct CalibrationJSONTests {
    @Test func figuresAreRoundedAndDisagreementsCarryTheJudgesGradeAndReason() throws {
        // Both pass 2, both fail 2, one each way: p_o = 4/6, p_e = 0.5, kappa = 1/3.
        let f = try JudgedSuiteFixture(
            cases: [
                ("h1", "Your refund is here.", "refund"), ("h2", "Refund done.", "refund"), ("h3", "No.", "refund"),
                ("h4", "Sorry.", "refund"), ("h5", "A refund? No.", "refund"), ("h6", "Money back soon.", "refund"),
            ], scorer: JudgedSuiteFixture.rubric,
            humans: ["h1": "pass", "h2": "pass", "h3": "fail", "h4": "fail", "h5": "fail", "h6": "pass"])
        let run = f.repo.evalguard("judge", "calibrate", "--format", "json")
        #expect(run.status == 0, "\(run.stderr)")
        // No figure with more digits than a reader needs (0.33333333333333337, 0.37500000000000094).
        #expect(run.stdout.range(of: #"\d\.\d{7,}"#, options: .regularExpression) == nil, "\(run.stdout)")
        let suite = try #require(try JSONParser.parse(run.stdout).arrayValue?.first)
        #expect(suite["kappa"] == .number(0.3333))
        let disagreements = try #require(suite["disagreements"]?.arrayValue)
        let h5 = try #require(disagreements.first { $0["id"] == .string("h5") })
        #expect(h5["human"] == .string("fail"))
        #expect(h5["judge"] == .string("pass"))
        #expect(h5["grade"] == .string("pass"))
        #expect(h5["reason"]?.stringValue?.contains("It contains the expected text.") == true, "\(h5)")
        let h6 = try #require(disagreements.first { $0["id"] == .string("h6") })
        #expect(h6["grade"] == .string("fail"))
        #expect(h6["reason"]?.stringValue?.contains("It lacks the expected text.") == true, "\(h6)")
    }
}
