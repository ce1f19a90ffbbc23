import EvalGuardConfig
import EvalGuardStatistics
import EvalGuardStore
import EvalGuardSupport

/// What settling an inconclusive accuracy verdict found (see `SettledAccuracy` for the test).
package struct SettleStatistics: Sendable {
    /// Cases asked again (those whose outcome differed from the baseline), and the extra model
    /// calls made for them.
    package var cases: Int
    package var extraCalls: Int
    /// Flips that persisted when asked again (fell, rose); the rest reverted.
    package var persistedWorse: Int
    package var persistedBetter: Int
    package var pValue: Double
    /// The alpha left for the settled test after the first stage's share.
    package var level: Double
    package var exact: Bool
    /// Mean pass rates over the paired cases with every run pooled: what the threshold is held to.
    package var baselineAccuracy: Double
    package var currentAccuracy: Double
    /// The first stage's verdict, before settling (inconclusive).
    package var firstVerdict: Verdict

    package var significant: Bool { pValue < level }
}

extension Gate {
    /// A case re-asked to settle a verdict needs another re-ask while its re-asks so far leave
    /// its weight open: never asked again; or some failed and no outcome has come up twice yet.
    /// A case whose re-asks all passed has weight 0 and is done. The rule reads the case's
    /// re-asks alone, never which way it flipped, so the settled test stays exact.
    package static func needsReask(_ c: CaseResult, maxRepeats: Int) -> Bool {
        let runs = c.settledRuns ?? 0, passes = c.settledPasses ?? 0
        if runs == 0 { return maxRepeats > 0 }
        guard runs < maxRepeats else { return false }
        let fails = runs - passes
        return fails > 0 && passes < 2 && fails < 2
    }

    /// Turns an inconclusive accuracy verdict into a settled one when every case whose first
    /// stage differed from the baseline has been asked again. `settled` holds those cases with
    /// their re-asks (nil re-asks for a case not yet asked), `pooled` every paired case with all
    /// its runs.
    static func settle(_ m: MetricComparison, settled: [(first: PairedOutcome, reasks: Int, reaskPasses: Int)],
                       pooled: [PairedOutcome], threshold: AccuracyThreshold?, alpha: Double) -> MetricComparison {
        guard m.verdict == .inconclusive, let t = threshold, !settled.isEmpty,
              settled.allSatisfy({ $0.reasks > 0 && $0.first.baselineRuns == $0.first.currentRuns }) else { return m }
        let cases = settled.map { s in
            SettledCase(baselinePasses: s.first.baselinePasses, currentPasses: s.first.currentPasses, runs: s.first.currentRuns,
                        reasks: s.reasks, reaskPasses: s.reaskPasses)
        }
        guard let test = SettledAccuracy(cases, alpha: alpha) else { return m }
        let baseline = pooled.reduce(0) { $0 + $1.baselineRate } / Double(pooled.count)
        let current = pooled.reduce(0) { $0 + $1.currentRate } / Double(pooled.count)
        var out = m
        out.settle = SettleStatistics(cases: test.cases, extraCalls: test.reasks, persistedWorse: test.persistedWorse,
                                      persistedBetter: test.persistedBetter, pValue: test.pValue, level: test.level,
                                      exact: test.exact, baselineAccuracy: baseline, currentAccuracy: current, firstVerdict: m.verdict)
        (out.baseline, out.current) = (baseline, current)
        let beyond = baseline - current > t.maxDrop + 1e-12
        out.verdict = !beyond ? .pass : test.significant ? .regression : .inconclusive
        if out.verdict != .inconclusive { out.advice = nil }
        return out
    }
}

extension Comparison {
    /// The cases to ask the model about again, by suite, to settle inconclusive accuracy verdicts.
    package var settlePending: [String: [String]] {
        Dictionary(uniqueKeysWithValues: suites.filter { !$0.settlePending.isEmpty }.map { ($0.name, $0.settlePending) })
    }

    /// Settled accuracy verdicts, with their suites.
    package var settled: [(suite: String, settle: SettleStatistics)] {
        suites.flatMap { s in s.metrics.compactMap { m in m.settle.map { (s.name, $0) } } }
    }
}
