import EvalGuardCompare
import EvalGuardConfig
import EvalGuardEvaluation
import EvalGuardGit
import EvalGuardStore
import FoundationEssentials

/// The notes a gate says on stderr, in one place for every command that gates (and for those
/// that evaluate and say how: `run`, `baseline`, `report`, `judge`).
package enum GateNotes {
    /// The run's warnings, then that a stored result was reused whole, or per suite what ran
    /// and what was reused, re-scored or re-priced; then the judges' lines.
    package static func evaluated(_ result: RunResult, reused: Bool, warnings: [String]) -> [String] {
        warnings.map { "warning: " + $0 }
            + (reused ? [reusedWhole(result.commit)] : result.reuseLines)
            + result.judgeLines
    }

    /// What a verdict kept from an earlier gate says again: the reuse note and the judges' lines.
    static func replayed(_ hit: CachedVerdict) -> [String] {
        [reusedWhole(hit.resultCommit)] + (hit.notes ?? [])
    }

    static func reusedWhole(_ commit: String) -> String {
        "note: reusing the stored result of \(commit.prefix(7)): nothing the model depends on changed since"
    }

    package static func workingCopyDiffers(revision: String) -> String {
        "note: \(Baseline.path) in the working tree differs from the one committed at \(revision); checking against the committed one"
    }

    /// What settling cost, when it asked anything.
    package static func settled(_ settled: Settled) -> String? {
        guard settled.calls > 0 else { return nil }
        let baseline = settled.baselineCalls > 0 ? " (\(settled.baselineCalls) of them of the baseline's model)" : ""
        return "note: settled by re-asking \(settled.cases) case(s), \(settled.calls) extra model call(s)\(baseline): "
            + "the cases whose outcome differs from the baseline, asked again"
    }

    /// A judged suite whose judge agrees poorly with the human verdicts its cases carry.
    package static func poorAgreement(_ result: RunResult, config: EvalConfig, repository: Repository) -> [String] {
        // Only judged suites have an agreement to measure; without one, no case file need be read.
        guard config.suites.contains(where: { $0.scorer.judge != nil }) else { return [] }
        let cases = Evaluation.cases(config, repository: repository, commit: result.dirty ? nil : result.commit)
        return JudgeCalibration.of(result, config: config, cases: cases).filter(\.agreesPoorly).map { c in
            let kappa = c.agreement.kappa.map { String(cFormat: "%.2f", $0) } ?? "undefined"
            return
                "warning: \(c.suite): the judge agrees poorly with the human verdicts (kappa \(kappa) over \(c.agreement.n) case(s), below its kappa_floor "
                + String(cFormat: "%.2f", c.kappaFloor)
                + "); its grades may not mean what the rubric says. See 'evalguard judge calibrate --suite \(c.suite)'."
        }
    }
}

/// What `check` and `ci` say on stderr whatever the output format: an inconclusive result
/// must never pass quietly, and flaky cases left out of a gate are named.
package enum NoiseWarning {
    /// The lines, in order; empty when there is nothing to warn about.
    package static func lines(_ comparison: Comparison) -> [String] {
        var lines: [String] = []
        for suite in comparison.suites where suite.flakyExcluded {
            lines.append(
                "warning: \(suite.name): \(suite.flaky.count) flaky case(s) left out of the accuracy gate (flaky: exclude)"
            )
        }
        let inconclusive = comparison.inconclusives
        guard !inconclusive.isEmpty else { return lines }
        let outcome =
            comparison.verdict == .regression
            ? ""
            : !comparison.blocks
                ? " PASSING anyway because on_inconclusive is \"pass\"."
                : " FAILING because on_inconclusive is \"fail\"."
        // A cost moved by a new price table is not noise, and is not called so.
        let noisy = inconclusive.filter { !$0.metric.pricesChanged }
        let priced = inconclusive.filter(\.metric.pricesChanged)
        let list = { (items: [(suite: String, metric: MetricComparison)]) in
            items.map { "\($0.suite) \($0.metric.metric.rawValue)" }.joined(separator: ", ")
        }
        if !noisy.isEmpty {
            lines.append(
                "warning: INCONCLUSIVE: \(list(noisy)) beyond the threshold but not distinguishable from noise.\(outcome)"
            )
        }
        if !priced.isEmpty {
            let why = PriceChange.reasons(priced.map(\.metric.priceChange))
            lines.append(
                "warning: INCONCLUSIVE: \(list(priced)) beyond the threshold, but \(why); cost moved because prices changed.\(outcome)"
            )
        }
        for (suite, metric) in inconclusive {
            if let advice = metric.advice { lines.append("  \(suite) \(metric.metric.rawValue): \(advice)") }
        }
        return lines
    }
}
