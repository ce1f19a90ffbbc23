import EvalGuardTestSupport
import Testing

@testable import EvalGuardCompare
@testable import EvalGuardConfig
@testable import EvalGuardStatistics
@testable import EvalGuardStore

@Suite struct SettleBothSidesTests {

    /// 400 cases, 20 broken for good; the baseline's own run had failed 18 right cases by noise,
    /// so the first run measured a drop of 0.005, within max_drop 0.01. For a noisy model whose
    /// baseline's model can be asked, settling re-asks each flip on the side that failed it: the
    /// 18 rises revert on the baseline's model, the 20 falls persist on both, and the verdict is
    /// a regression with the drop that persisted (0.05). A model declared deterministic, or a
    /// baseline whose model cannot be asked, keeps the pass and asks nothing.
    @Test func aDropHiddenByBaselineNoiseIsFound() {
        var before = [Int](repeating: 1, count: 400)
        var after = before
        for i in 0..<20 { after[i] = 0 }
        for i in 100..<118 { before[i] = 0 }
        let base = Simulated.baseline(Simulated.suite(before))
        var suite = Simulated.suite(after)
        let settle = SettleSettings(maxRepeats: 5)
        func compare(_ model: String? = "b", noisy: Bool = true) -> SuiteComparison {
            Gate.compare(
                name: "main", baseline: base, current: suite, thresholds: Simulated.accuracyOnly, settle: settle,
                baselineModel: model, noisy: noisy)
        }
        #expect(compare().metrics[0].verdict == .pass)
        #expect(compare(noisy: false).settlePending.isEmpty && compare(noisy: false).settlePendingBaseline == nil)
        #expect(compare(nil).settlePending.isEmpty && compare(nil).settlePendingBaseline == nil)
        var calls = (current: 0, baseline: 0)
        var cmp = compare()
        while !cmp.settlePending.isEmpty || cmp.settlePendingBaseline != nil {
            // The current model fails the broken cases and passes the rest; the baseline's passes all.
            for i in suite.cases.indices where cmp.settlePending.contains(suite.cases[i].id) {
                suite.cases[i].addSettled(runs: 1, passes: after[i])
                calls.current += 1
            }
            for id in cmp.settlePendingBaseline?.ids ?? [] {
                suite.addBaselineReask(id, commit: "b", passed: true)
                calls.baseline += 1
            }
            cmp = compare()
        }
        let m = cmp.metrics[0]
        #expect(m.verdict == .regression)
        #expect(m.settle?.firstVerdict == .pass && m.settle?.bothSides == true)
        #expect(abs((m.settle?.persistingDrop ?? 0) - 0.05) < 1e-12)
        #expect(m.settle?.persistedWorse == 20 && m.settle?.persistedBetter == 0)
        // Falls: two failures on the current model, one pass on the baseline's; rises: one pass on the baseline's.
        #expect(calls.current == 40 && calls.baseline == 20 + 18)
        #expect(m.settle?.extraCalls == calls.current + calls.baseline)
        // Re-asks kept for another baseline commit are not read as this baseline's.
        suite.baselineReasks?.commit = "other"
        #expect(compare().metrics[0].settle == nil && compare().settlePendingBaseline?.commit == "b")
    }

    /// Real changes both ways that net out within max_drop: 10 cases broken and 7 fixed for good
    /// (0.0075 of 400). Re-asked on both sides every change persists, and the persisting drop is
    /// the same 0.0075: a pass, not a regression of the 10 falls alone.
    @Test func persistingRisesOffsetPersistingFalls() {
        var before = [Int](repeating: 1, count: 400)
        var after = before
        for i in 0..<10 { after[i] = 0 }
        for i in 100..<107 { before[i] = 0 }
        let base = Simulated.baseline(Simulated.suite(before))
        var suite = Simulated.suite(after)
        let settle = SettleSettings(maxRepeats: 5)
        func compare() -> SuiteComparison {
            Gate.compare(
                name: "main", baseline: base, current: suite, thresholds: Simulated.accuracyOnly, settle: settle,
                baselineModel: "b", noisy: true)
        }
        var cmp = compare()
        #expect(!cmp.settlePending.isEmpty, "a noisy model's measured drop with ten falls is looked at again")
        while !cmp.settlePending.isEmpty || cmp.settlePendingBaseline != nil {
            for i in suite.cases.indices where cmp.settlePending.contains(suite.cases[i].id) {
                suite.cases[i].addSettled(runs: 1, passes: after[i])
            }
            for id in cmp.settlePendingBaseline?.ids ?? [] {
                suite.addBaselineReask(id, commit: "b", passed: before[Int(id.dropFirst())!] == 1)
            }
            cmp = compare()
        }
        let m = cmp.metrics[0]
        #expect(m.verdict == .pass)
        #expect(abs((m.settle?.persistingDrop ?? 1) - 3.0 / 400) < 1e-12)
        #expect(m.settle?.persistedWorse == 10 && m.settle?.persistedBetter == 7)
    }
}
