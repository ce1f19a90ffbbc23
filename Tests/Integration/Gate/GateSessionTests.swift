import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardCompare
@testable import EvalGuardConfig
@testable import EvalGuardReport
@testable import EvalGuardSupport

/// What every gate (check, check --commit, ci, the pre-push hook) shares through `GateSession`:
/// one rule for keeping a verdict, per-suite `on_inconclusive`, and annotations that never let an
/// inconclusive metric pass unseen.
@Suite struct GateSessionTests {
    static func inconclusive(_ name: String, policy: InconclusivePolicy?) -> SuiteComparison {
        var m = MetricComparison(metric: .accuracy, baseline: 1, current: 0.9, threshold: nil, verdict: .inconclusive)
        m.advice = "more cases"
        var suite = SuiteComparison(name: name, metrics: [m], regressed: [], fixed: [], added: [], removed: [])
        suite.onInconclusive = policy
        return suite
    }

    @Test func aSuitesOwnOnInconclusiveDecidesForThatSuiteAlone() {
        var lenientTop = VerdictSettings.defaults
        lenientTop.onInconclusive = .pass
        #expect(Comparison(suites: [Self.inconclusive("rules", policy: .fail)], settings: lenientTop).blocks)
        #expect(!Comparison(suites: [Self.inconclusive("replies", policy: nil)], settings: lenientTop).blocks)
        var strictTop = VerdictSettings.defaults
        strictTop.onInconclusive = .fail
        #expect(!Comparison(suites: [Self.inconclusive("replies", policy: .pass)], settings: strictTop).blocks)
        #expect(
            Comparison(
                suites: [Self.inconclusive("replies", policy: .pass), Self.inconclusive("rules", policy: nil)],
                settings: strictTop
            ).blocks)
        // The JUnit report fails exactly the suite whose policy fails.
        let xml = JUnitReport.xml(
            Comparison(suites: [Self.inconclusive("replies", policy: .pass), Self.inconclusive("rules", policy: .fail)])
        )
        #expect(xml.contains("<testsuite name=\"rules\" tests=\"1\" failures=\"1\""), "\(xml)")
        #expect(xml.contains("<testsuite name=\"replies\" tests=\"1\" failures=\"0\""), "\(xml)")
        #expect(xml.contains("(warning: passing because on_inconclusive is pass); to settle it: more cases"), "\(xml)")
    }

    @Test func annotationsNameTheSuiteAndEscapeWhatTheRunnerReadsAsSyntax() {
        var suite = Self.inconclusive("a,b:c", policy: nil)
        suite.metrics[0].advice = "100% more\ncases"
        let lines = CIAnnotations.github(Comparison(suites: [suite]))
        #expect(
            lines == [
                "::warning file=.evals/baseline.json,title=evalguard%3A a%2Cb%3Ac accuracy inconclusive::"
                    + "1.0000 → 0.9000 (-0.1000; threshold off), passing as inconclusive; to settle it: 100%25 more%0Acases"
            ], "\(lines)")
    }

    @Test func aSuitesOnInconclusiveIsReadAndCheckedAtItsLine() throws {
        let repo = try ScratchRepository()
        try repo.setUpEvals(model: Models.echo(), cases: [caseLine("c1", "q1")])
        let config = try #require(repo.read(".evals/evalguard.json"))
        try repo.write(
            ".evals/evalguard.json",
            config.replacingOccurrences(
                of: #""scorer": "exact"}"#, with: #""scorer": "exact", "on_inconclusive": "maybe"}"#))
        let bad = repo.evalguard("run")
        #expect(bad.status == 2)
        #expect(
            bad.stderr.contains(".evals/evalguard.json:3: suites.main.on_inconclusive")
                && bad.stderr.contains("on_inconclusive must be \"pass\" or \"fail\", found \"maybe\""), "\(bad.stderr)"
        )
    }

    /// Two suites with the same small drop: only the one that says "fail" blocks `check`.
    @Test func checkBlocksOnlyForTheSuiteThatFailsWhenInconclusive() throws {
        let repo = try ScratchRepository()
        let cases = (1...20).map { caseLine("c\($0)", "q\($0)") }.joined(separator: "\n") + "\n"
        try repo.write("model.py", Models.echo())
        try repo.write(".evals/cases/a.jsonl", cases)
        try repo.write(".evals/cases/b.jsonl", cases)
        try repo.write(".evals/.gitignore", "results/\n")
        func config(strict: String) -> String {
            """
            {"model": {"command": ["python3", "model.py"], "timeout_s": 10},
             "suites": {"a": {"cases": "cases/a.jsonl", "scorer": "exact"\(strict == "a" ? #", "on_inconclusive": "fail""# : "")},
                        "b": {"cases": "cases/b.jsonl", "scorer": "exact"\(strict == "b" ? #", "on_inconclusive": "fail""# : "")}},
             "thresholds": {"p95_latency_ms": false}, "settle": {"max_repeats": 0}}
            """
        }
        try repo.write(".evals/evalguard.json", config(strict: "b"))
        try repo.commitAll("two suites")
        #expect(repo.evalguard("baseline").status == 0)
        try repo.commitAll("baseline")
        // One case of twenty flips in both suites: beyond the threshold, far from significant.
        try repo.write("model.py", Models.echo(flipping: ["q2"]))
        let strictB = repo.evalguard("check", "--format", "json")
        #expect(strictB.status == 1, "\(strictB.stdout)\n\(strictB.stderr)")
        let doc = try JSONParser.parse(strictB.stdout)
        #expect(doc["suites"]?["b"]?["on_inconclusive"]?.stringValue == "fail")
        #expect(doc["suites"]?["a"]?["on_inconclusive"]?.stringValue == "pass")
        try repo.write(".evals/evalguard.json", config(strict: "none"))
        let lenient = repo.evalguard("check")
        #expect(lenient.status == 0, "\(lenient.stdout)\n\(lenient.stderr)")
        #expect(lenient.stderr.contains("INCONCLUSIVE"))
    }
}
