import EvalGuardTestSupport
import Testing

@testable import EvalGuardEvaluation
@testable import EvalGuardStore

/// A repeated case's usage is the mean of its runs' usage, key by key, a key a run did not
/// report counting 0 for it: what a re-pricing multiplies by the rates.
@Suite struct RepeatedUsageTests {
    func run(_ passed: Bool, _ usage: [String: Double]?, error: String? = nil) -> CaseResult {
        CaseResult(
            id: "a", passed: passed, score: passed ? 1 : 0, latencyMs: 10, costUSD: usage == nil ? nil : 1,
            usage: usage, error: error)
    }

    @Test func everyKeyIsAveragedOverTheRunsWithUsage() {
        // The run shown (the first passing one) lacks the cached tokens and the batch mark of another.
        let folded = Repeats.fold([
            run(true, ["prompt_tokens": 4, "completion_tokens": 2]),
            run(false, ["prompt_tokens": 4, "completion_tokens": 4, "cached_tokens": 2, "batch": 1]),
        ])
        #expect(folded.usage == ["prompt_tokens": 4, "completion_tokens": 3, "cached_tokens": 1, "batch": 0.5])
    }

    @Test func aRunWithoutUsageDoesNotLowerTheMean() {
        let folded = Repeats.fold([
            run(true, ["prompt_tokens": 4, "completion_tokens": 2]),
            run(false, nil, error: "timed out"),
            run(true, ["prompt_tokens": 6, "completion_tokens": 2]),
        ])
        #expect(folded.usage == ["prompt_tokens": 5, "completion_tokens": 2])
    }
}
