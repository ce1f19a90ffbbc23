import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardCompare
@testable import EvalGuardConfig
@testable import EvalGuardStatistics
@testable import EvalGuardStore
@testable import EvalGuardSupport

/// Settling an inconclusive accuracy verdict by re-asking the cases that differ from the baseline.
@Suite struct SettleTests {

    /// Planted five-point drops on 400 cases with 5% of answers flipping: settling catches what the
    /// first stage leaves inconclusive, re-asking only the flipped cases. Observed: first stage
    /// 164 of 200, settled 198 of 200, 3,743 extra calls over 80,000 (4.7%).
    @Test func plantedDropsAreCaughtWithFewExtraCalls() {
        var first = 0
        var settled = 0
        var calls = 0
        let runs = 200
        for seed in 0..<UInt64(runs) {
            var rng = SeededGenerator(seed: 50_000 + seed)
            let (b, c) = SettleSimulation.workload(n: 400, accuracy: 0.8, flip: 0.05, dropped: 20, &rng)
            let out = SettleSimulation.run(baseline: b, current: c, maxRepeats: 5, &rng)
            if out.firstVerdict == .regression { first += 1 }
            if out.verdict == .regression { settled += 1 }
            calls += out.extraCalls
        }
        print(
            "planted: first stage \(first)/\(runs), settled \(settled)/\(runs), extra calls \(calls) over \(runs * 400)"
        )
        #expect(settled > first)
        #expect(Double(settled) / Double(runs) >= 0.9)
        #expect(Double(calls) / Double(runs * 400) < 0.25)
    }

    @Test func aCaseIsReaskedUntilItsWeightIsSettled() {
        func c(_ runs: Int, _ passes: Int) -> CaseResult {
            var r = CaseResult(id: "a", passed: false, score: 0, latencyMs: 1)
            if runs > 0 { r.addSettled(runs: runs, passes: passes) }
            return r
        }
        #expect(Gate.needsReask(c(0, 0), maxRepeats: 5))
        #expect(!Gate.needsReask(c(0, 0), maxRepeats: 0))
        #expect(!Gate.needsReask(c(1, 1), maxRepeats: 5), "a passing re-ask weighs nothing: done")
        #expect(Gate.needsReask(c(1, 0), maxRepeats: 5))
        #expect(!Gate.needsReask(c(1, 0), maxRepeats: 1))
        #expect(!Gate.needsReask(c(2, 0), maxRepeats: 5), "two failures agree")
        #expect(Gate.needsReask(c(2, 1), maxRepeats: 5))
        #expect(!Gate.needsReask(c(3, 2), maxRepeats: 5))
    }

    /// A suite too small for any outcome of settling to be significant asks nothing again.
    @Test func aSettleThatCannotSucceedAsksNothing() {
        let cmp = Gate.compare(
            name: "main", baseline: Simulated.baseline(Simulated.suite([1, 1, 1, 0, 1, 1])),
            current: Simulated.suite([0, 0, 0, 1, 1, 1]), thresholds: Simulated.accuracyOnly,
            settle: SettleSettings(maxRepeats: 5))
        #expect(cmp.metrics[0].verdict == .inconclusive)
        #expect(cmp.settlePending.isEmpty, "even three persisting falls (p 1/8) cannot beat what is left of alpha")
    }

    @Test func settledRunsAreExtraRunsAndTheFirstStageIsKept() {
        var r = CaseResult(id: "a", passed: false, score: 0, latencyMs: 1)
        r.addSettled(runs: 1, passes: 1)
        r.addSettled(runs: 1, passes: 1)
        #expect(r.runs == 3 && r.passes == 2 && r.settledRuns == 2 && r.settledPasses == 2 && r.passed)
        let first = r.firstStage
        #expect(first.runs == nil && first.passes == nil && !first.passed && first.settledRuns == nil)
    }

    /// A deterministic regression: the flips persist, and the settled verdict is a regression;
    /// the extra calls are counted.
    @Test func persistentFlipsSettleAsARegression() {
        // 100 cases; 8 fell and 3 rose: beyond 0.01 but not significant in one run (p 0.11).
        var before = [Int](repeating: 1, count: 100)
        var after = before
        for i in 0..<8 { after[i] = 0 }
        for i in 10..<13 { before[i] = 0 }
        let base = Simulated.baseline(Simulated.suite(before))
        var suite = Simulated.suite(after)
        let settle = SettleSettings(maxRepeats: 5)
        var cmp = Gate.compare(
            name: "main", baseline: base, current: suite, thresholds: Simulated.accuracyOnly, settle: settle)
        #expect(cmp.metrics[0].verdict == .inconclusive)
        #expect(Set(cmp.settlePending) == Set((0..<8).map { "c\($0)" } + ["c10", "c11", "c12"]))
        var calls = 0
        while !cmp.settlePending.isEmpty {
            for i in suite.cases.indices where cmp.settlePending.contains(suite.cases[i].id) {
                suite.cases[i].addSettled(runs: 1, passes: after[i])
                calls += 1
            }
            cmp = Gate.compare(
                name: "main", baseline: base, current: suite, thresholds: Simulated.accuracyOnly, settle: settle)
        }
        let m = cmp.metrics[0]
        #expect(m.verdict == .regression)
        #expect(m.settle?.cases == 11)
        #expect(m.settle?.extraCalls == calls)
        #expect(calls == 8 * 2 + 3, "falls re-asked until two failures agree; the rises once")
        #expect(m.settle?.persistedWorse == 8 && m.settle?.persistedBetter == 3)
        // Current side only: the falls weigh 1, the rises (passing again) 0. The joint test over
        // the 2^11 sign patterns, counted by hand, gives the same p-value and level.
        let brute = BruteForceSignFlip(
            first: [Int](repeating: 1, count: 11), settled: [Int](repeating: 1, count: 8) + [0, 0, 0], alpha: 0.05)
        #expect(abs((m.settle?.pValue ?? 1) - brute.pValue(observed: 8)) < 1e-12)
        #expect(abs((m.settle?.level ?? 0) - brute.criticalTail) < 1e-12)
        #expect(abs((m.settle?.pValue ?? 1) - 1.0 / 256) < 1e-12)
        // With settling off, the stored re-asks are not read: the first stage stands.
        let off = Gate.compare(
            name: "main", baseline: base, current: suite, thresholds: Simulated.accuracyOnly, settle: .off)
        #expect(off.metrics[0].verdict == .inconclusive && off.metrics[0].settle == nil)
    }
}

@Suite struct SettleConfigTests {
    static func parse(_ text: String) throws -> EvalConfig {
        try EvalConfig.parse(ConfigSource(displayPath: ".evals/evalguard.json", text: text))
    }

    @Test func settleIsOnByDefaultAndASuiteOverridesTheTopLevel() throws {
        let config = try Self.parse(
            """
            {"model": {"command": ["m"]}, "settle": {"max_repeats": 3},
             "suites": {"a": {"cases": "a.jsonl"}, "b": {"cases": "b.jsonl", "settle": {"max_repeats": 0}}}}
            """)
        #expect(config.settle.maxRepeats == 3)
        #expect(config.suites.map(\.settle.maxRepeats) == [3, 0])
        let plain = try Self.parse(#"{"model": {"command": ["m"]}, "suites": {"a": {"cases": "a.jsonl"}}}"#)
        #expect(plain.suites[0].settle == .defaults && SettleSettings.defaults.maxRepeats == 5)
        #expect(plain.withoutSettling().suites[0].settle == .off)
    }

    @Test func aBadMaxRepeatsNamesTheFileLineAndFix() {
        do {
            _ = try Self.parse(
                "{\"model\": {\"command\": [\"m\"]},\n \"settle\": {\"max_repeats\": 2.5},\n \"suites\": {\"a\": {\"cases\": \"a.jsonl\"}}}"
            )
            Issue.record("accepted max_repeats 2.5")
        } catch let error as EvalGuardError {
            let text = error.description
            #expect(
                text.contains(".evals/evalguard.json:2") && text.contains("max_repeats")
                    && text.contains("0 switches settling off"), "\(text)")
        } catch {
            Issue.record("\(error)")
        }
    }
}

/// The figures Benchmarks/fewer_calls.py prints: the issue's workload (400 cases, 80% right, 5% of
/// answers flipped at random per run, planted drops of 20 right cases), 40 unchanged pairs and 40
/// planted drops, with settling and without.
@Suite struct SettleWorkloadFigures {
    @Test func issueWorkload() {
        var plain = (alarms: 0, caught: 0)
        var settled = (alarms: 0, caught: 0)
        var calls = (unchanged: 0, planted: 0)
        var passedByThreshold = 0
        for seed in 0..<UInt64(40) {
            var rng = SeededGenerator(seed: 90_000 + seed)
            let (b, c) = SettleSimulation.workload(n: 400, accuracy: 0.8, flip: 0.05, dropped: 20, &rng)
            let same = SettleSimulation.run(baseline: b, current: b, maxRepeats: 5, &rng)
            let worse = SettleSimulation.run(baseline: b, current: c, maxRepeats: 5, &rng)
            if same.firstVerdict == .regression { plain.alarms += 1 }
            if same.verdict == .regression { settled.alarms += 1 }
            if worse.firstVerdict == .regression { plain.caught += 1 }
            if worse.verdict == .regression { settled.caught += 1 }
            if worse.firstVerdict == .pass { passedByThreshold += 1 }
            calls.unchanged += same.extraCalls
            calls.planted += worse.extraCalls
        }
        print(
            "settle-figures: no-settle: \(plain.caught)/40 drops caught, \(plain.alarms)/40 false alarms, 0 extra model calls"
        )
        func percent(_ part: Int, _ whole: Int) -> String {
            String(format: "%.1f%%", 100 * Double(part) / Double(whole))
        }
        print(
            "settle-figures: settle:    \(settled.caught)/40 drops caught, \(settled.alarms)/40 false alarms, "
                + "\(calls.planted + calls.unchanged) extra model calls over \(80 * 400) (\(percent(calls.planted + calls.unchanged, 32_000))): "
                + "\(calls.planted) on the drops (\(percent(calls.planted, 16_000)) of their 16,000 first-stage calls), \(calls.unchanged) on the unchanged runs"
        )
        print(
            "settle-figures: drops whose first run measured a drop within max_drop (settled only because the model is noisy and the baseline's model could be asked): \(passedByThreshold)/40"
        )
        #expect(settled.alarms <= 2)
        #expect(settled.caught >= 39)
        #expect(settled.caught >= plain.caught)
        #expect(Double(calls.planted) < 0.25 * 16_000)
    }
}
