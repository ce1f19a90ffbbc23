import EvalGuardConfig
import EvalGuardEvaluation
import EvalGuardStatistics
import EvalGuardStore
import EvalGuardSupport
import FoundationEssentials

/// Probes that pay for the cases that changed. Once both ends are known, only the cases whose
/// outcome differs between them can side a probe (`Siding`); the others agree at both ends. So
/// an accuracy probe asks the model about those cases alone, plus a seeded control sample of the
/// rest: `controlSize` cases (10, or a quarter of the deciding cases when that is more). When more
/// controls than noise allows disagree with the ends (more than 2 and more than a fifth of them),
/// the probe is not like either end in the cases assumed settled, and it is evaluated in full.
/// Partial results are stored apart and marked (`RunResult.partial`); nothing takes them for a
/// commit's result.
extension Blame {
    static func controlSize(deciding: Int, rest: Int) -> Int { min(rest, max(10, deciding / 4)) }

    func probe(_ sha: String, key: String, fresh: Bool, siding: Siding, good: RunResult, bad: RunResult) throws
        -> RunResult
    {
        guard options.partialProbes, siding.metric == .accuracy else {
            return try evaluate(sha, key: key, fresh: fresh)
        }
        var deciding: [String: Set<String>] = [:]
        var rest: [(String, String)] = []
        for suite in good.suites where siding.suites?.contains(suite.name) ?? true {
            guard let atBad = bad.suite(suite.name) else { continue }
            let b = Dictionary(atBad.cases.map { ($0.id, $0.passed) }, uniquingKeysWith: { _, last in last })
            for c in suite.cases {
                guard let other = b[c.id] else { continue }
                if other != c.passed {
                    deciding[suite.name, default: []].insert(c.id)
                } else {
                    rest.append((suite.name, c.id))
                }
            }
        }
        let flipped = deciding.values.reduce(0) { $0 + $1.count }
        guard flipped > 0 else { return try evaluate(sha, key: key, fresh: fresh) }
        // Seeded by the probed commit: the same search asks the same controls.
        var rng = SeededGenerator(seed: UInt64(sha.prefix(16), radix: 16) ?? 0)
        var controls: [(String, String)] = []
        var pool = rest
        for _ in 0..<Self.controlSize(deciding: flipped, rest: rest.count) {
            controls.append(pool.remove(at: rng.index(below: pool.count)))
        }
        var cases = deciding
        for (suite, id) in controls { cases[suite, default: []].insert(id) }
        let result = try evaluator.evaluateCases(sha, cases: cases, why: "blame probe", fresh: fresh)
        // A probe whose answers were all stored (a second search) cost no evaluation.
        if result.suites.contains(where: { !($0.reuse?.ran.isEmpty ?? true) }) { evaluations += 1 }
        let expected = Dictionary(
            good.suites.flatMap { s in s.cases.map { (s.name + "\u{0}" + $0.id, $0.passed) } },
            uniquingKeysWith: { a, _ in a })
        let disagree = controls.count { suite, id in
            guard let now = result.suite(suite)?.cases.first(where: { $0.id == id }) else { return false }
            return expected[suite + "\u{0}" + id] != now.passed
        }
        if disagree > 2 && 5 * disagree > controls.count {
            log(
                "\(sha.prefix(7)): \(disagree) of \(controls.count) control cases differ from both ends: evaluating every case"
            )
            return try evaluate(sha, key: key, fresh: fresh)
        }
        partials[key] = result
        return result
    }
}

extension RunResult {
    /// A partial probe completed with `end`'s outcomes for the cases it did not ask (they agree
    /// at both ends, which is why they were not asked), for the culprit's figures before and after.
    func completed(with end: RunResult) -> RunResult {
        guard partial != nil else { return self }
        var full = self
        full.suites = end.suites.map { endSuite in
            guard let asked = suite(endSuite.name) else { return endSuite }
            let answers = Dictionary(asked.cases.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
            var merged = endSuite
            merged.cases = endSuite.cases.map { answers[$0.id] ?? $0 }
            merged.metrics = Metrics(merged.cases)
            return merged
        }
        full.overall = Metrics(suites: full.suites)
        return full
    }
}
