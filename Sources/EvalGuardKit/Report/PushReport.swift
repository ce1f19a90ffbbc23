/// What the pre-push hook prints (on stderr, where git shows hook output): one line per ref that
/// passes, the full verdict for one that does not, and any baseline change, prominently.
public enum PushReport {
    public static func text(_ outcome: PrePushHook.Outcome) -> String {
        switch outcome {
        case .skipped(let ref, let reason):
            return "evalguard: \(ref.remoteRef): \(reason)\n"
        case .checked(let check):
            var out = ""
            let tip = String(check.evaluation.commit.prefix(7))
            if !check.baselineChanges.isEmpty {
                out += "evalguard: ! this push changes \(Baseline.path); it is judged against the new baseline:\n"
                for change in check.baselineChanges {
                    out += change.summary.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n") + "\n"
                }
            }
            let reuse = check.evaluation.reused
                ? " (stored result of \(check.evaluation.result.commit.prefix(7)) reused; the model did not run)" : ""
            if check.comparison.verdict == .pass {
                out += "evalguard: \(check.ref.localRef) \(tip) → \(check.ref.remoteRef): pass against the baseline at \(check.baseDescription)\(reuse)\n"
            } else {
                var report = VerdictReport(comparison: check.comparison, current: check.evaluation.result,
                                           subject: "evalguard pre-push: \(check.ref.localRef) \(tip) → \(check.ref.remoteRef)",
                                           baselineLabel: "the baseline at \(check.baseDescription)")
                report.expected = check.expected
                out += report.text()
            }
            if !check.passed {
                let inconclusive = check.comparison.blocks && check.comparison.regressions.isEmpty ? check.comparison.inconclusives : []
                let reasons = check.comparison.regressions.map { "\($0.suite) \($0.metric.metric.rawValue) regressed beyond its threshold" }
                    + inconclusive.map { "\($0.suite) \($0.metric.metric.rawValue) is inconclusive, and \(EvalConfig.path) says \"on_inconclusive\": \"fail\"" }
                    + (check.blockedByBaselineChange ? ["it changes the baseline, and \(EvalConfig.path) says \"baseline_changes\": \"block\""] : [])
                out += """
                    evalguard blocked this push: \(reasons.joined(separator: "; ")).
                      details:     evalguard check --commit \(tip) --against \(check.baselineCommit.prefix(7))
                      push anyway: git push --no-verify

                    """
            }
            return out
        }
    }
}
