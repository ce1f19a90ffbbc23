import EvalGuardStatistics
import EvalGuardStore
import EvalGuardSupport

/// Folding a case's repeated runs into one `CaseResult`.
///
/// A repeated case keeps its pass rate (passes / runs), which is what accuracy and the paired
/// accuracy test use. `passed` is "at least half of the runs passed" (a majority, with a tie
/// counted as a pass), for the places that need one yes or no: the case lists in reports.
enum Repeats {
    static func fold(_ runs: [CaseResult]) -> CaseResult {
        precondition(!runs.isEmpty, "a case runs at least once")
        if runs.count == 1 { return runs[0] }
        let passes = runs.count { $0.passed }
        let passed = 2 * passes >= runs.count
        // Show an output that matches the verdict: a failing run's for a case that mostly fails.
        var folded = runs.first { $0.passed == passed } ?? runs[0]
        let answered = runs.filter { $0.error == nil }
        let warm = answered.filter { $0.coldStart != true }
        let timed = (warm.isEmpty ? answered : warm).map(\.latencyMs).sorted()
        folded.passed = passed
        folded.score = runs.reduce(0) { $0 + $1.score } / Double(runs.count)
        folded.runs = runs.count
        folded.passes = passes
        folded.latenciesMs = timed
        folded.latencyMs = Quantile.sorted(timed, 0.5) ?? runs[0].latencyMs
        folded.coldStart = !answered.isEmpty && warm.isEmpty ? true : nil
        // A case counts as errored (or timed out) when any of its runs did; the first error is kept.
        let failed = runs.first { $0.error != nil }
        folded.error = failed?.error
        folded.timedOut = runs.contains { $0.timedOut == true } ? true : nil
        let outputs = runs.compactMap(\.output)
        if outputs.count == runs.count, runs.allSatisfy({ $0.error == nil && $0.outputTruncated != true }) {
            var distinct: [RunOutput] = []
            for output in outputs {
                if let i = distinct.firstIndex(where: { $0.output == output }) {
                    distinct[i].runs += 1
                } else {
                    distinct.append(RunOutput(output: output, runs: 1))
                }
            }
            folded.runOutputs = distinct
        }
        let costs = runs.compactMap(\.costUSD)
        folded.costUSD = costs.isEmpty ? nil : Money.sum(costs) / Double(costs.count)
        // Every key of every run, over the runs with usage, a key a run lacks counting 0 for it:
        // cached tokens or a batch mark of some runs only are priced as the runs were.
        let usages = runs.compactMap(\.usage)
        if folded.usage != nil {
            var mean: [String: Double] = [:]
            for key in Set(usages.flatMap(\.keys)) {
                mean[key] = usages.reduce(0) { $0 + ($1[key] ?? 0) } / Double(usages.count)
            }
            folded.usage = mean
        }
        return folded
    }
}
