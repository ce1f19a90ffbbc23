import EvalGuardCompare
import EvalGuardStore

extension VerdictReport {
    /// How many added or removed case ids a report lists before "… and N more".
    static let caseListLimit = 20

    /// The cases on one side only, and which accuracy is which: the table's accuracy is over the
    /// cases paired with the baseline, while `run` reports it over every case it ran. Empty when
    /// the suite's cases are the baseline's. `code` formats an id (plain text, or markdown code).
    func caseChangeLines(_ suite: SuiteComparison, code: (String) -> String = { $0 }) -> [String] {
        guard !suite.added.isEmpty || !suite.removed.isEmpty else { return [] }
        func list(_ ids: [String]) -> String {
            ids.prefix(Self.caseListLimit).map(code).joined(separator: ", ")
                + (ids.count > Self.caseListLimit ? ", … and \(ids.count - Self.caseListLimit) more" : "")
        }
        var lines: [String] = []
        if !suite.added.isEmpty {
            lines.append(
                "\(suite.name): \(suite.added.count) case(s) added since the baseline (not paired, so not in the accuracy test): \(list(suite.added))"
            )
        }
        if !suite.removed.isEmpty {
            lines.append(
                "\(suite.name): \(suite.removed.count) case(s) removed since the baseline: \(list(suite.removed))")
        }
        if let accuracy = suite.metrics.first(where: { $0.metric == .accuracy }), accuracy.threshold != nil,
            let paired = accuracy.statistics?.pairedCases, let all = current.suite(suite.name)?.metrics
        {
            lines.append(
                "\(suite.name): accuracy above is over the \(paired) cases paired with the baseline; "
                    + "over all \(all.cases) cases now it is \(Format.accuracy(all.accuracy)) (what 'run' reports)")
        }
        return lines
    }
}
