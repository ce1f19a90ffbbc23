@testable import EvalGuardCompare
@testable import EvalGuardConfig
@testable import EvalGuardStatistics
@testable import EvalGuardStore

/// A noisy model run through the real gate and the real settling rule, without processes: case
/// i passes each time it is asked with probability `p[i]`. `settle` re-asks as `check` does
/// (the cases `Gate` lists as pending, one answer each per round, added as settled runs).
package enum SettleSimulation {
    package struct Outcome {
        package var firstVerdict: Verdict
        package var verdict: Verdict
        package var extraCalls: Int
    }

    /// Per-case pass probabilities: `n` cases, `accuracy` of them right, each answer flipped with
    /// probability `flip`; `dropped` of the right ones made wrong in `current`.
    package static func workload(n: Int, accuracy: Double, flip: Double, dropped: Int, _ rng: inout SeededGenerator)
        -> (baseline: [Double], current: [Double])
    {
        let right = (0..<n).map { _ in rng.unitDouble() < accuracy }
        let base = right.map { $0 ? 1 - flip : flip }
        var current = base
        for i in right.indices.filter({ right[$0] }).prefix(dropped) { current[i] = flip }
        return (base, current)
    }

    package static func ask(_ p: [Double], _ rng: inout SeededGenerator) -> [Int] {
        p.map { rng.unitDouble() < $0 ? 1 : 0 }
    }

    /// `bothSides`: the baseline's model can be asked (as in a repository that has its commit);
    /// `noisy`: the model is declared noisy.
    package static func run(
        baseline: [Double], current: [Double], maxRepeats: Int, alpha: Double = 0.05, bothSides: Bool = true,
        noisy: Bool = true, _ rng: inout SeededGenerator
    ) -> Outcome {
        let settings = VerdictSettings(repeats: 1, alpha: alpha, onInconclusive: .pass, flaky: .include)
        let settle = SettleSettings(maxRepeats: maxRepeats)
        let base = Simulated.baseline(Simulated.suite(ask(baseline, &rng)))
        var suite = Simulated.suite(ask(current, &rng))
        let model = bothSides ? "b" : nil
        var comparison = Gate.compare(
            name: "main", baseline: base, current: suite, thresholds: Simulated.accuracyOnly,
            settings: settings, settle: settle, baselineModel: model, noisy: noisy)
        let first = comparison.metrics[0].verdict
        var calls = 0
        while !comparison.settlePending.isEmpty || comparison.settlePendingBaseline != nil {
            let pending = Set(comparison.settlePending)
            for i in suite.cases.indices where pending.contains(suite.cases[i].id) {
                let index = Int(suite.cases[i].id.dropFirst())!
                suite.cases[i].addSettled(runs: 1, passes: rng.unitDouble() < current[index] ? 1 : 0)
                calls += 1
            }
            for id in comparison.settlePendingBaseline?.ids ?? [] {
                suite.addBaselineReask(id, commit: "b", passed: rng.unitDouble() < baseline[Int(id.dropFirst())!])
                calls += 1
            }
            suite.metrics = Metrics(suite.cases)
            comparison = Gate.compare(
                name: "main", baseline: base, current: suite, thresholds: Simulated.accuracyOnly,
                settings: settings, settle: settle, baselineModel: model, noisy: noisy)
        }
        return Outcome(firstVerdict: first, verdict: comparison.metrics[0].verdict, extraCalls: calls)
    }
}
