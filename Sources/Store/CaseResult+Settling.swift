/// A case re-asked to settle an inconclusive verdict keeps every answer: its first runs and the
/// re-asks together in `runs`/`passes` (so accuracy pools them), with `settledRuns` and
/// `settledPasses` saying how many of those were re-asks. The paired test's first stage reads
/// the first runs alone; the settled test reads the re-asks (`Compare/SettledVerdict.swift`).
extension CaseResult {
    /// The case as its first runs left it, before any re-ask.
    package var firstStage: CaseResult {
        guard let extra = settledRuns, extra > 0 else { return self }
        var first = self
        let runs = runCount - extra
        let passes = passCount - (settledPasses ?? 0)
        first.runs = runs > 1 ? runs : nil
        first.passes = runs > 1 ? passes : nil
        first.passed = runs > 1 ? 2 * passes >= runs : passes == 1
        first.score = Double(passes) / Double(runs)
        (first.settledRuns, first.settledPasses) = (nil, nil)
        return first
    }

    /// Adds `passes` passing re-asks out of `runs`, as extra runs of the case.
    package mutating func addSettled(runs extraRuns: Int, passes extraPasses: Int) {
        precondition(extraRuns > 0 && (0...extraRuns).contains(extraPasses), "re-asks are counted in whole runs")
        let runs = runCount + extraRuns
        let passes = passCount + extraPasses
        self.runs = runs
        self.passes = passes
        passed = 2 * passes >= runs
        score = Double(passes) / Double(runs)
        settledRuns = (settledRuns ?? 0) + extraRuns
        settledPasses = (settledPasses ?? 0) + extraPasses
    }
}
