@testable import EvalGuardConfig
@testable import EvalGuardStore

/// Results and configurations made in memory, for driving the gate without a run.
package enum GateInputs {
    /// A suite whose case i scored `scores[i]` (passing at 0.5 or more).
    package static func graded(_ scores: [Double], name: String = "main") -> SuiteResult {
        let cases = scores.enumerated().map { i, s in CaseResult(id: "c\(i)", passed: s >= 0.5, score: s, latencyMs: 10)
        }
        return SuiteResult(
            name: name, casesFile: ".evals/cases/\(name).jsonl", casesDigest: "", scorer: "judge",
            metrics: Metrics(cases), cases: cases)
    }

    package static func config(_ json: String) throws -> EvalConfig {
        try EvalConfig.parse(ConfigSource(displayPath: ".evals/evalguard.json", text: json))
    }

    package static func run(_ suites: [SuiteResult]) -> RunResult {
        RunResult(
            format: RunResult.formatVersion, evalguardVersion: "test", commit: String(repeating: "0", count: 40),
            dirty: false, key: "", createdAt: "", configDigest: "", model: [:], suites: suites,
            overall: Metrics(suites.flatMap(\.cases)))
    }
}
