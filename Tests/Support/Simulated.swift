@testable import EvalGuardCompare
@testable import EvalGuardConfig
@testable import EvalGuardStatistics
@testable import EvalGuardStore
@testable import EvalGuardSupport

/// Synthetic runs of a noisy model, driven in-process through the gate.
package enum Simulated {
    /// A suite result whose case `i` passed `passes[i]` of `runs` runs.
    package static func suite(_ passes: [Int], runs: Int = 1, latencies: [Double]? = nil, name: String = "main")
        -> SuiteResult
    {
        let cases = passes.enumerated().map { i, p in
            var c = CaseResult(
                id: "c\(i)", passed: 2 * p >= runs, score: Double(p) / Double(runs),
                latencyMs: latencies?[i] ?? 10)
            if runs > 1 { (c.runs, c.passes, c.latenciesMs) = (runs, p, [c.latencyMs]) }
            return c
        }
        return SuiteResult(
            name: name, casesFile: ".evals/cases/main.jsonl", casesDigest: "", scorer: "exact",
            metrics: Metrics(cases), cases: cases)
    }

    package static func result(_ suite: SuiteResult, repeats: Int = 1, prices: JSONValue? = nil) -> RunResult {
        RunResult(
            format: RunResult.formatVersion, evalguardVersion: "test", commit: String(repeating: "0", count: 40),
            dirty: false, key: "", createdAt: "", configDigest: "",
            model: prices.map { ["prices": $0] } ?? [:], repeats: repeats > 1 ? repeats : nil,
            suites: [suite], overall: suite.metrics)
    }

    package static func baseline(_ suite: SuiteResult, repeats: Int = 1) -> BaselineSuite {
        Baseline(result: result(suite, repeats: repeats)).suites[suite.name]!
    }

    /// One run of each case: its true outcome, flipped with probability `flipRate`.
    package static func noisyRun(_ truth: [Bool], flipRate: Double, _ rng: inout SeededGenerator) -> [Int] {
        truth.map { ($0 != (rng.unitDouble() < flipRate)) ? 1 : 0 }
    }

    package static let accuracyOnly = Thresholds(
        accuracy: AccuracyThreshold(maxDrop: 0.01), p95Latency: nil, avgCost: nil)

    package static func verdict(
        _ baseline: [Int], _ current: [Int], runs: Int = 1,
        settings: VerdictSettings = .defaults
    ) -> SuiteComparison {
        Gate.compare(
            name: "main", baseline: Simulated.baseline(suite(baseline, runs: runs), repeats: runs),
            current: suite(current, runs: runs), thresholds: accuracyOnly, settings: settings)
    }
}
