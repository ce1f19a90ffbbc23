import Testing
@testable import EvalGuardCompare
@testable import EvalGuardReport
@testable import EvalGuardStore
@testable import EvalGuardSupport

/// How a flipped case reads in the text and markdown reports: its expected answer, its output
/// around the part that differs, and the scorer's reason when it gave one.
@Suite struct FlippedCaseLineTests {
    static func report(_ flip: CaseFlip, expected: JSONValue? = nil) -> VerdictReport {
        let suite = SuiteComparison(name: "main", metrics: [], regressed: [flip], fixed: [], added: [], removed: [])
        var report = VerdictReport(comparison: Comparison(suites: [suite]), current: MeanScoreGateTests.run([]),
                                   subject: "working tree", baselineLabel: "HEAD")
        if let expected { report.expected = ["main": [flip.id: expected]] }
        return report
    }

    @Test func anEmptyReasonSaysNothing() {
        for reason in ["", "  \n\t"] {
            let report = Self.report(CaseFlip(id: "c1", output: "\"no\"", reason: reason), expected: .string("yes"))
            #expect(!report.text().contains("because"), "\(report.text())")
            #expect(!report.markdown().contains("because"), "\(report.markdown())")
            #expect(report.text().contains("  - c1  expected \"yes\"  got \"no\"\n"), "\(report.text())")
        }
        let said = Self.report(CaseFlip(id: "c1", output: "\"no\"", reason: "says no"))
        #expect(said.text().contains("got \"no\"  because says no"))
    }

    @Test func markdownShowsTheExpectedAnswer() {
        let markdown = Self.report(CaseFlip(id: "c2", output: "\"wrong\""), expected: .string("q2")).markdown()
        #expect(markdown.contains("- ➖ `c2`: expected `\"q2\"` got `\"wrong\"`"), "\(markdown)")
        // A json-schema case expects nothing: no "expected" at all.
        let schema = Self.report(CaseFlip(id: "c3", output: "{}"), expected: .null).markdown()
        #expect(schema.contains("- ➖ `c3`: got `{}`"), "\(schema)")
    }
}
