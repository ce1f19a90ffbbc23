/// Re-asks of a baseline's model, made to settle a comparison of this suite against that
/// baseline: the commit whose model was asked (the baseline's `from_commit`) and, by case id,
/// how many times it was asked and how many of those passed. Kept in the current result so a
/// second `check` asks nothing again; read only while the baseline still comes from `commit`.
package struct BaselineReasks: Codable, Sendable, Equatable {
    package var commit: String
    package var cases: [String: ReaskCount]

    package init(commit: String, cases: [String: ReaskCount] = [:]) {
        self.commit = commit
        self.cases = cases
    }
}

extension SuiteResult {
    /// Counts one re-ask of `commit`'s model about case `id`; re-asks kept for another commit
    /// are dropped (they settled a comparison with another baseline).
    package mutating func addBaselineReask(_ id: String, commit: String, passed: Bool) {
        var reasks = baselineReasks.flatMap { $0.commit == commit ? $0 : nil } ?? BaselineReasks(commit: commit)
        let before = reasks.cases[id]
        reasks.cases[id] = ReaskCount(runs: (before?.runs ?? 0) + 1, passes: (before?.passes ?? 0) + (passed ? 1 : 0))
        baselineReasks = reasks
    }
}

/// Re-asks of one case: how many, and how many passed.
package struct ReaskCount: Codable, Sendable, Equatable {
    package var runs: Int
    package var passes: Int

    package init(runs: Int, passes: Int) {
        precondition(runs > 0 && (0...runs).contains(passes), "re-asks are counted in whole runs")
        (self.runs, self.passes) = (runs, passes)
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        runs = try c.decode(Int.self, forKey: .runs)
        passes = try c.decode(Int.self, forKey: .passes)
        guard runs > 0, (0...runs).contains(passes) else {
            throw DecodingError.dataCorruptedError(
                forKey: .passes, in: c, debugDescription: "passes must be within 0...runs, runs at least 1")
        }
    }
}

/// The cases to ask again to settle a comparison: on the current side by suite, and of each
/// suite's baseline model (the commit to ask, and the cases).
package struct ReaskPlan: Sendable, Equatable {
    package struct BaselineAsk: Sendable, Equatable {
        package var commit: String
        package var ids: [String]
        package init(commit: String, ids: [String]) { (self.commit, self.ids) = (commit, ids) }
    }

    package var current: [String: [String]]
    package var baseline: [String: BaselineAsk]

    package init(current: [String: [String]] = [:], baseline: [String: BaselineAsk] = [:]) {
        self.current = current.filter { !$0.value.isEmpty }
        self.baseline = baseline.filter { !$0.value.ids.isEmpty }
    }

    package var isEmpty: Bool { current.isEmpty && baseline.isEmpty }
}
