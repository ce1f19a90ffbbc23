import EvalGuardConfig
import EvalGuardGate
import EvalGuardStore
import EvalGuardSupport

/// What the pre-push hook prints (on stderr, where git shows hook output): one line per ref that
/// passes, the full verdict for one that does not, and any baseline change, prominently.
package enum PushReport {
    /// `bypass` is how to push anyway where the hook runs (`git push --no-verify`, or under the
    /// pre-commit framework `SKIP=evalguard` too).
    package static func text(_ outcome: PrePushHook.Outcome, bypass: String = plainBypass) -> String {
        switch outcome {
        case .skipped(let ref, let reason):
            return "evalguard: \(ref.remoteRef): \(reason)\n"
        case .passedBefore(let ref, let resultCommit, let baseDescription):
            return
                "evalguard: \(ref.localRef) \(ref.localSHA.prefix(7)) → \(ref.remoteRef): pass against the baseline at \(baseDescription)"
                + " (stored result of \(resultCommit.prefix(7)) reused; the model did not run)\n"
        case .checked(let check):
            var out = ""
            let tip = String(check.ref.localSHA.prefix(7))
            if !check.baselineChanges.isEmpty {
                out += "evalguard: ! this push changes \(Baseline.path); it is judged against the new baseline:\n"
                for change in check.baselineChanges {
                    out += summary(change).split(separator: "\n").map { "  " + $0 }.joined(separator: "\n") + "\n"
                }
                if !check.protectedBranch && check.run.config.baselineChanges == .block {
                    out +=
                        "evalguard: not blocked: \(check.ref.remoteBranch) is not a protected branch; \"baseline_changes\": \"block\" applies where it lands (see \"protected_branches\")\n"
                }
            }
            let run = check.run
            let reuse =
                run.reused ? " (stored result of \(run.result.commit.prefix(7)) reused; the model did not run)" : ""
            if run.comparison.verdict == .pass {
                out +=
                    "evalguard: \(check.ref.localRef) \(tip) → \(check.ref.remoteRef): pass against the baseline at \(check.baseDescription)\(reuse)\n"
            } else {
                var report = VerdictReport(
                    comparison: run.comparison, current: run.result,
                    subject: "evalguard pre-push: \(check.ref.localRef) \(tip) → \(check.ref.remoteRef)",
                    baselineLabel: "the baseline at \(check.baseDescription)")
                report.expected = run.expected
                out += report.text()
            }
            if !check.passed {
                let inconclusive =
                    run.comparison.blocks && run.comparison.regressions.isEmpty ? run.comparison.inconclusives : []
                let reasons =
                    run.comparison.regressions.map {
                        "\($0.suite) \($0.metric.metric.rawValue) regressed beyond its threshold"
                    }
                    + inconclusive.map {
                        "\($0.suite) \($0.metric.metric.rawValue) is inconclusive, and \(EvalConfig.path) says \"on_inconclusive\": \"fail\""
                    }
                    + (check.blockedByBaselineChange
                        ? [
                            "it changes the baseline, and \(EvalConfig.path) says \"baseline_changes\": \"block\" (\(check.ref.remoteBranch) is a protected branch)"
                        ] : [])
                out += """
                    evalguard blocked this push: \(reasons.joined(separator: "; ")).
                      details:     evalguard check --commit \(tip) --against \(run.baselineCommit.prefix(7))
                      push anyway: \(bypass)

                    """
            }
            return out
        }
    }

    package static let plainBypass = "git push --no-verify"
    /// Under the pre-commit framework, which skips a hook by its id.
    package static let preCommitBypass = "SKIP=evalguard git push (or git push --no-verify)"

    /// "abc1234 by Alice <a@example.com>: "Accept …"" and, per suite, the metrics before → after.
    static func summary(_ change: BaselineChange) -> String {
        let commit = change.commit
        var lines = ["\(commit.shortSHA) by \(commit.author) <\(commit.email)>: \"\(commit.subject)\""]
        let names = Set(change.before?.suites.keys.map { $0 } ?? []).union(change.after?.suites.keys.map { $0 } ?? [])
            .sorted()
        for name in names {
            let old = change.before?.suites[name]?.metrics
            let new = change.after?.suites[name]?.metrics
            let figures = GatedMetric.allCases.compactMap { metric -> String? in
                let a = old?.value(of: metric)
                let b = new?.value(of: metric)
                guard a != b else { return nil }
                return "\(metric.rawValue) \(Format.value(a, of: metric)) → \(Format.value(b, of: metric))"
            }
            if !figures.isEmpty { lines.append("    \(name): " + figures.joined(separator: ", ")) }
        }
        return lines.joined(separator: "\n")
    }
}
