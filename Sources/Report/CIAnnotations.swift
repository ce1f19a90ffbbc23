import EvalGuardCompare
import EvalGuardStore

/// GitHub Actions workflow commands for a comparison: an `::error` for every regression and a
/// `::warning` for every inconclusive gated metric, naming the suite and what would settle it,
/// so that neither passes unseen in the pull request's checks.
package enum CIAnnotations {
    package static func github(_ comparison: Comparison) -> [String] {
        func figures(_ m: MetricComparison) -> String {
            "\(Format.value(m.baseline, of: m.metric)) → \(Format.value(m.current, of: m.metric)) (\(Format.delta(m)); threshold \(Format.threshold(m.threshold)))"
        }
        let errors = comparison.regressions.map { suite, m in
            command("error", title: "evalguard: \(suite) \(m.metric.rawValue) regressed", message: figures(m))
        }
        let warnings = comparison.inconclusives.map { suite, m in
            let outcome =
                comparison.failsOnInconclusive(suite: suite)
                ? "failing because on_inconclusive is \"fail\"" : "passing as inconclusive"
            return command(
                "warning", title: "evalguard: \(suite) \(m.metric.rawValue) inconclusive",
                message: figures(m) + ", \(outcome)" + (m.advice.map { "; to settle it: " + $0 } ?? ""))
        }
        return errors + warnings
    }

    /// `::kind file=…,title=…::message`, with the characters the runner reads as syntax escaped
    /// (suite names and advice are data).
    static func command(_ kind: String, title: String, message: String) -> String {
        "::\(kind) file=\(property(Baseline.path)),title=\(property(title))::\(data(message))"
    }

    static func data(_ s: String) -> String {
        s.replacingText("%", with: "%25").replacingText("\r", with: "%0D").replacingText("\n", with: "%0A")
    }

    static func property(_ s: String) -> String {
        data(s).replacingText(":", with: "%3A").replacingText(",", with: "%2C")
    }
}
