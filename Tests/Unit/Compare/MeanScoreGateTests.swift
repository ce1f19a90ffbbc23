import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardCompare
@testable import EvalGuardConfig
@testable import EvalGuardReport
@testable import EvalGuardStatistics
@testable import EvalGuardStore
@testable import EvalGuardSupport

/// The mean_score gate and Holm's correction, driven in-process through the gate.
@Suite struct MeanScoreGateTests {
    static func graded(_ scores: [Double], name: String = "main") -> SuiteResult {
        GateInputs.graded(scores, name: name)
    }
    static func config(_ json: String) throws -> EvalConfig { try GateInputs.config(json) }
    static func run(_ suites: [SuiteResult]) -> RunResult { GateInputs.run(suites) }

    static let meanScoreOnly = """
        {"model": {"command": ["true"]}, "suites": {"main": {"cases": "cases/main.jsonl"}},
         "thresholds": {"accuracy": false, "p95_latency_ms": false, "avg_cost_usd": false, "mean_score": {"max_drop": 0.02}}}
        """

    func compare(_ before: [Double], _ after: [Double], config: String = meanScoreOnly) throws -> MetricComparison? {
        let baseline = Baseline(result: Self.run([Self.graded(before)]))
        let comparison = Gate.compare(
            baseline: baseline, current: Self.run([Self.graded(after)]), config: try Self.config(config))
        return comparison.suites.first?.metrics.first { $0.metric == .meanScore }
    }

    @Test func baselineKeepsGradedScoresOnly() throws {
        let baseline = Baseline(result: Self.run([Self.graded([0.7, 1, 0])]))
        let cases = baseline.suites["main"]!.cases
        #expect(cases["c0"]?.score == 0.7 && cases["c0"]?.scoreValue == 0.7)
        // A score that is just the outcome is not written: pass/fail baselines keep their layout.
        #expect(cases["c1"]?.score == nil && cases["c1"]?.scoreValue == 1)
        #expect(cases["c2"]?.score == nil && cases["c2"]?.scoreValue == 0)
        #expect(baseline.suites["main"]!.metrics.meanScore.map { abs($0 - 1.7 / 3) < 1e-12 } == true)
        #expect(try baseline.rendered().contains("\"score\":0.7"))
    }

    @Test func regressionInconclusiveAndPass() throws {
        // Data set A of StatisticsPairedScoreTests: a 0.125 drop, exact p = 0.009765625.
        let drop = try #require(try compare(StatisticsPairedScoreTests.bA, StatisticsPairedScoreTests.cA))
        #expect(drop.verdict == .regression)
        #expect(drop.statistics?.pValue.map { abs($0 - 0.009765625) < 1e-12 } == true)
        #expect(drop.statistics?.differenceInterval.map { $0.upper < 0 } == true)
        // Data set D: a drop of 0.018, within max_drop 0.02: pass whatever its p-value.
        let small = try #require(try compare(StatisticsPairedScoreTests.bD, StatisticsPairedScoreTests.cD))
        #expect(small.verdict == .pass)
        // Beyond the threshold but noise could explain it: three cases, two fell a lot, one rose.
        let noisy = try #require(try compare([0.9, 0.9, 0.2], [0.5, 0.6, 0.4]))
        #expect(noisy.verdict == .inconclusive)
        #expect(noisy.advice?.contains("more cases") == true)
        // Improvements never fail.
        #expect(try compare([0.2, 0.3], [0.9, 0.9])?.verdict == .pass)
    }

    @Test func switchedOffUnlessConfigured() throws {
        let off = try compare(
            [1, 0.2], [0, 0.1],
            config: """
                {"model": {"command": ["true"]}, "suites": {"main": {"cases": "cases/main.jsonl"}}}
                """)
        #expect(off == nil)
    }

    @Test func reportShowsTheMetric() throws {
        let baseline = Baseline(result: Self.run([Self.graded(StatisticsPairedScoreTests.bA)]))
        var suite = Self.graded(StatisticsPairedScoreTests.cA)
        suite.cases[5].reason = "/name: maxLength: 6 characters, more than 3 <b>|"
        let current = Self.run([suite])
        let comparison = Gate.compare(baseline: baseline, current: current, config: try Self.config(Self.meanScoreOnly))
        let report = VerdictReport(
            comparison: comparison, current: current, subject: "working tree", baselineLabel: "HEAD")
        let text = report.text()
        #expect(text.contains("mean_score"))
        #expect(
            text.contains(
                "mean_score: 8 of 12 paired cases scored lower, 1 higher; one-sided paired sign-flip test p = 0.00977 (exact)"
            ), "\(text)")
        #expect(text.contains("Verdict: REGRESSION (main mean_score)"))
        // The scorer's reason beside the case that flipped, as text and as a markdown code span.
        #expect(text.contains("- c5  because /name: maxLength: 6 characters, more than 3 <b>|"))
        #expect(report.markdown().contains("because `/name: maxLength: 6 characters, more than 3 <b>|`"))
        let json = report.json()
        let metric = json["suites"]?["main"]?["metrics"]?["mean_score"]
        #expect(metric?["verdict"] == .string("regression"))
        #expect(metric?["paired_cases"] == .number(12))
        #expect(report.markdown().contains("| main | mean_score |"))
    }

    /// Two suites, each with 5 of 20 cases failing that passed before and none fixed: alone, each
    /// is McNemar p = 1/32 = 0.03125 < 0.05, a regression. Gated together, Holm adjusts both to
    /// 2 × 0.03125 = 0.0625 >= 0.05: inconclusive, not a false alarm on two fronts.
    @Test func holmKeepsTwoBorderlineSuitesFromBlocking() throws {
        let config = try Self.config(
            """
            {"model": {"command": ["true"]},
             "suites": {"a": {"cases": "cases/a.jsonl"}, "b": {"cases": "cases/b.jsonl"}},
             "thresholds": {"p95_latency_ms": false, "avg_cost_usd": false}}
            """)
        let before = [Double](repeating: 1, count: 20)
        let after = [Double](repeating: 0, count: 5) + [Double](repeating: 1, count: 15)
        let baseline = Baseline(result: Self.run([Self.graded(before, name: "a"), Self.graded(before, name: "b")]))
        let current = Self.run([Self.graded(after, name: "a"), Self.graded(after, name: "b")])

        // Each suite alone (as before the correction): a regression.
        let alone = Gate.compare(
            name: "a", baseline: baseline.suites["a"]!, current: current.suites[0],
            thresholds: config.thresholds, settings: config.verdict)
        #expect(alone.metrics.first { $0.metric == .accuracy }?.verdict == .regression)
        #expect(alone.metrics.first { $0.metric == .accuracy }?.statistics?.pValue == 0.03125)

        let together = Gate.compare(baseline: baseline, current: current, config: config)
        for suite in together.suites {
            let accuracy = try #require(suite.metrics.first { $0.metric == .accuracy })
            #expect(accuracy.verdict == .inconclusive)
            #expect(accuracy.statistics?.adjustedPValue == 0.0625)
            #expect(accuracy.statistics?.familySize == 2)
            #expect(accuracy.advice?.contains("Holm") == true)
        }
        #expect(!together.blocks)
        let text = VerdictReport(comparison: together, current: current, subject: "s", baselineLabel: "b").text()
        #expect(text.contains("Holm over the 2 paired tests of this check: adjusted p = 0.0625"), "\(text)")
    }

    /// A clear regression survives the correction: p far below alpha / m.
    @Test func holmStillBlocksAClearRegression() throws {
        let config = try Self.config(
            """
            {"model": {"command": ["true"]},
             "suites": {"a": {"cases": "cases/a.jsonl"}, "b": {"cases": "cases/b.jsonl"}},
             "thresholds": {"p95_latency_ms": false, "avg_cost_usd": false}}
            """)
        let before = [Double](repeating: 1, count: 20)
        let worse = [Double](repeating: 0, count: 10) + [Double](repeating: 1, count: 10)
        let baseline = Baseline(result: Self.run([Self.graded(before, name: "a"), Self.graded(before, name: "b")]))
        let current = Self.run([Self.graded(worse, name: "a"), Self.graded(before, name: "b")])
        let together = Gate.compare(baseline: baseline, current: current, config: config)
        #expect(
            together.suites.first { $0.name == "a" }?.metrics.first { $0.metric == .accuracy }?.verdict == .regression)
        #expect(together.blocks)
    }
}
