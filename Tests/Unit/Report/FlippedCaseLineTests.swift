import EvalGuardTestSupport
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
        var report = VerdictReport(
            comparison: Comparison(suites: [suite]), current: GateInputs.run([]),
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

    @Test func aLongOutputIsShownWhereItDiffers() {
        let opening = "We're sorry for the trouble. We have looked into your order and your account carefully. "
        let expected = opening + "Your refund of $40 was sent on Monday."
        let output = opening + "Your refund of $40 will be sent on Friday."
        let text = Self.report(
            CaseFlip(id: "c1", output: JSONValue.string(output).canonicalText),
            expected: .string(expected)
        ).text()
        #expect(text.contains("will be sent on Friday."), "\(text)")
        #expect(text.contains("was sent on Monday."), "\(text)")
        #expect(text.contains("got …"), "\(text)")
        // The shared window: both sides cut at the same place, a little before the first difference.
        #expect(Format.clip(output, 30, against: expected) == "…f $40 will be sent on Friday.")
        #expect(Format.clip(expected, 30, against: output) == "…f $40 was sent on Monday.")
        #expect(Format.clip("\"short\"", 30, against: "\"other\"") == "\"short\"")
        // A difference within the first half: cut at the end only, as without the other text.
        #expect(Format.clip("No. " + opening, 30, against: opening) == String(("No. " + opening).prefix(29)) + "…")
        let long = String(repeating: "a", count: 40) + "b" + String(repeating: "c", count: 40)
        #expect(
            Format.clip(long, 30, against: String(repeating: "a", count: 80)) == "…aaaaaaab"
                + String(repeating: "c", count: 20) + "…")
    }
}
