import EvalGuardConfig
import EvalGuardStatistics
import EvalGuardStore
import EvalGuardSupport

/// What settling an accuracy verdict found (see `SettledAccuracy` for the test).
package struct SettleStatistics: Sendable {
    /// Cases asked again (those whose outcome differed from the baseline), and the extra model
    /// calls made for them (both sides).
    package var cases: Int
    package var extraCalls: Int
    /// Whether the baseline's model was asked too (each flip re-asked on the side that failed it).
    package var bothSides: Bool
    /// Flips that persisted when asked again (fell, rose); the rest reverted.
    package var persistedWorse: Int
    package var persistedBetter: Int
    /// With both sides asked: the drop that persisted (Σ change × weight over the paired cases),
    /// as a share of the cases, held to `max_drop` like the first run's drop.
    package var persistingDrop: Double?
    package var pValue: Double
    /// The settled statistic's critical tail probability: what alpha leaves it with the first stage.
    package var level: Double
    package var significant: Bool
    package var exact: Bool
    /// The first stage's verdict, before settling.
    package var firstVerdict: Verdict
}

/// One case whose first-stage outcome differed from the baseline, with each side's re-asks.
struct Discordant {
    var id: String
    var first: PairedOutcome
    var current: SettledCase.Side?
    var baseline: SettledCase.Side?
}

/// Settling one suite's accuracy verdict: when it starts, what to ask next, and the verdict.
///
/// It starts when the first stage is inconclusive (the drop is beyond `max_drop` but not
/// significant), and, for a noisy model whose baseline's model can be asked, also when the first
/// stage passed with a measured drop that the cases which fell could carry beyond `max_drop` if
/// they persisted (a noisy baseline can hide a real drop). It never starts when no outcome of
/// the re-asks could make the test significant.
///
/// With the baseline's model available (`bothSides`), each flipped case is asked again on the
/// side that failed it (the current model for a fall, the baseline's for a rise) and, when that
/// side fails again, once on the side that passed it; the weight is `SettledCase.weight`. Without it,
/// only the current model is asked and the weight is the share of its re-asks that failed.
///
/// The verdict becomes a regression when the settled test is significant and the drop is beyond
/// `max_drop`: measured by the first run, or (both sides) as the drop that persisted. Otherwise
/// the first stage's verdict stands: settling only adds evidence for a regression.
struct Settlement {
    var verdict: MetricComparison?
    var pendingCurrent: [String] = []
    var pendingBaseline: [String] = []

    init(
        _ discordant: [Discordant], first: MetricComparison, paired: Int, threshold: AccuracyThreshold?,
        settle: SettleSettings, bothSides: Bool, noisy: Bool, alpha: Double
    ) {
        guard settle.enabled, let t = threshold, first.statistics != nil, !discordant.isEmpty,
            discordant.allSatisfy({ $0.first.baselineRuns == $0.first.currentRuns })
        else { return }
        let firstVerdict = first.verdict
        let fell = discordant.filter { $0.first.baselinePasses > $0.first.currentPasses }
        let firstDrop = (first.baseline ?? 0) - (first.current ?? 0)
        let hiddenDrop =
            bothSides && noisy && firstVerdict == .pass && firstDrop > 0
            && Double(fell.count) / Double(paired) > t.maxDrop + 1e-12
        guard firstVerdict == .inconclusive || hiddenDrop,
            SettledAccuracy.canSucceed(discordant.map(\.first), alpha: alpha)
        else { return }
        var cases: [SettledCase] = []
        for d in discordant {
            let fall = d.first.baselinePasses > d.first.currentPasses
            let failing = bothSides ? (fall ? d.current : d.baseline) : d.current
            let passing = bothSides ? (fall ? d.baseline : d.current) : nil
            if Gate.needsReask(runs: failing?.runs ?? 0, passes: failing?.passes ?? 0, maxRepeats: settle.maxRepeats) {
                if bothSides && !fall { pendingBaseline.append(d.id) } else { pendingCurrent.append(d.id) }
                continue
            }
            guard let failing else { continue }
            if bothSides, failing.passes < failing.runs, passing == nil {
                if fall { pendingBaseline.append(d.id) } else { pendingCurrent.append(d.id) }
                continue
            }
            cases.append(
                SettledCase(
                    baselinePasses: d.first.baselinePasses, currentPasses: d.first.currentPasses,
                    runs: d.first.currentRuns,
                    weight: SettledCase.weight(failing: failing, passing: passing),
                    reasks: failing.runs + (bothSides ? passing?.runs ?? 0 : 0),
                    // Without the baseline's model, a rise persists when the current model passes it again.
                    persisted: bothSides || fall ? nil : 2 * failing.passes > failing.runs))
        }
        guard pendingCurrent.isEmpty, pendingBaseline.isEmpty, let test = SettledAccuracy(cases, alpha: alpha) else {
            return
        }
        let persisting = bothSides ? test.persistingDrop / Double(paired) : nil
        var out = first
        out.settle = SettleStatistics(
            cases: test.cases, extraCalls: test.reasks, bothSides: bothSides,
            persistedWorse: test.persistedWorse, persistedBetter: test.persistedBetter,
            persistingDrop: persisting, pValue: test.pValue, level: test.level,
            significant: test.significant, exact: test.exact, firstVerdict: firstVerdict)
        let beyond = firstDrop > t.maxDrop + 1e-12 || (persisting ?? 0) > t.maxDrop + 1e-12
        if test.significant && beyond {
            out.verdict = .regression
            out.advice = nil
        }
        verdict = out
    }
}

extension Gate {
    /// The side that failed a flipped case needs another re-ask while its re-asks leave its
    /// weight open: never asked; or some re-asks failed and no outcome has come up twice yet (a
    /// passing re-ask alone: weight 0, done). The side that passed it is asked once, when the
    /// failing side failed again: it only screens out cases the model usually gets wrong. The
    /// rules read a side's re-asks alone, never which way the case flipped, so the test stays exact.
    package static func needsReask(runs: Int, passes: Int, maxRepeats: Int) -> Bool {
        if runs == 0 { return maxRepeats > 0 }
        guard runs < maxRepeats else { return false }
        let fails = runs - passes
        return fails > 0 && passes < 2 && fails < 2
    }

    package static func needsReask(_ c: CaseResult, maxRepeats: Int) -> Bool {
        needsReask(runs: c.settledRuns ?? 0, passes: c.settledPasses ?? 0, maxRepeats: maxRepeats)
    }
}

extension Comparison {
    /// What to ask again to settle accuracy verdicts: current-side cases and baseline-model cases, by suite.
    package var settlePending: ReaskPlan {
        ReaskPlan(
            current: Dictionary(
                uniqueKeysWithValues: suites.filter { !$0.settlePending.isEmpty }.map { ($0.name, $0.settlePending) }),
            baseline: Dictionary(
                uniqueKeysWithValues: suites.compactMap { s in s.settlePendingBaseline.map { (s.name, $0) } }))
    }

    /// Settled accuracy verdicts, with their suites.
    package var settled: [(suite: String, settle: SettleStatistics)] {
        suites.flatMap { s in s.metrics.compactMap { m in m.settle.map { (s.name, $0) } } }
    }
}
