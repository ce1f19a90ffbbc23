import EvalGuardCompare

/// What `check` and `ci` say on stderr whatever the output format: an inconclusive result
/// must never pass quietly, and flaky cases left out of a gate are named.
package enum NoiseWarning {
    /// The lines, in order; empty when there is nothing to warn about.
    package static func lines(_ comparison: Comparison) -> [String] {
        var lines: [String] = []
        for suite in comparison.suites where suite.flakyExcluded {
            lines.append("warning: \(suite.name): \(suite.flaky.count) flaky case(s) left out of the accuracy gate (flaky: exclude)")
        }
        let inconclusive = comparison.inconclusives
        guard !inconclusive.isEmpty else { return lines }
        let outcome = comparison.verdict == .regression ? "" : comparison.settings.onInconclusive == .pass
            ? " PASSING anyway because on_inconclusive is \"pass\"."
            : " FAILING because on_inconclusive is \"fail\"."
        // A cost moved by a new price table is not noise, and is not called so.
        let noisy = inconclusive.filter { !$0.metric.pricesChanged }, priced = inconclusive.filter(\.metric.pricesChanged)
        let list = { (items: [(suite: String, metric: MetricComparison)]) in
            items.map { "\($0.suite) \($0.metric.metric.rawValue)" }.joined(separator: ", ")
        }
        if !noisy.isEmpty {
            lines.append("warning: INCONCLUSIVE: \(list(noisy)) beyond the threshold but not distinguishable from noise.\(outcome)")
        }
        if !priced.isEmpty {
            lines.append("warning: INCONCLUSIVE: \(list(priced)) beyond the threshold, but the price table changed; cost moved because prices changed.\(outcome)")
        }
        for (suite, metric) in inconclusive {
            if let advice = metric.advice { lines.append("  \(suite) \(metric.metric.rawValue): \(advice)") }
        }
        return lines
    }
}
