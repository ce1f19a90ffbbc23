import EvalGuardTestSupport
import Testing

@testable import EvalGuardCompare
@testable import EvalGuardStatistics
@testable import EvalGuardStore

/// The figures `compare` rests on, against reference values computed independently: the
/// restricted maximum-likelihood cells found by maximising the trinomial likelihood numerically
/// (scipy.optimize.minimize_scalar), the interval's ends by brentq on |z| = 1.959964, the
/// p-values by scipy.stats.norm.sf and scipy.stats.binomtest.
@Suite struct CandidateStatisticsTests {
    @Test(arguments: [
        // (cases, worse, better, interval lower, upper, p for H0: Δ <= -0.02, McNemar two-sided)
        (200, 6, 2, -0.055327, 0.009687, 0.5, 0.289062),
        (100, 3, 12, 0.015977, 0.173743, 0.00306279, 0.0351562),
        (40, 0, 0, -0.087622, 0.087622, 0.183128, 1.0),
        (1000, 0, 0, -0.003827, 0.003827, 3.12812e-06, 1.0),
        (60, 5, 5, -0.114218, 0.114218, 0.35283, 1.0),
    ])
    func tangoIntervalAndNonInferiorityMatchTheReference(_ row: (Int, Int, Int, Double, Double, Double, Double)) {
        let d = PairedDifference(cases: row.0, worse: row.1, better: row.2)
        #expect(abs(d.interval.lower - row.3) < 2e-6)
        #expect(abs(d.interval.upper - row.4) < 2e-6)
        #expect(abs(d.nonInferiorityPValue(margin: 0.02) - row.5) < 1e-5 * max(1, row.5 * 10))
        #expect(abs(d.pValue - row.6) < 1e-6)
        #expect(d.difference == Double(row.2 - row.1) / Double(row.0))
    }

    @Test func atMarginZeroTheScoreIsMcNemarsZ() {
        // (c - b) / sqrt(b + c) = (3 - 9) / sqrt(12)
        #expect(
            abs(PairedDifference.score(worse: 9, better: 3, cases: 80, difference: 0) - (-6 / 12.0.squareRoot()))
                < 1e-12)
    }

    @Test func paretoMarksTheConfigurationsNoOtherBeatsOnAllThree() {
        let figures = [
            CandidateFigures(cases: 100, accuracy: 0.94, p95LatencyMs: 4000, avgCostUSD: 0.01), // most accurate
            CandidateFigures(cases: 100, accuracy: 0.91, p95LatencyMs: 200, avgCostUSD: 0.002), // fast and cheap
            // Beaten by the one above.
            CandidateFigures(cases: 100, accuracy: 0.90, p95LatencyMs: 250, avgCostUSD: 0.002),
            CandidateFigures(cases: 100, accuracy: 0.91, p95LatencyMs: 200, avgCostUSD: 0.002), // a tie is not beaten
            CandidateFigures(cases: 100, accuracy: 0.80, p95LatencyMs: 150, avgCostUSD: nil), // fastest; cost unknown
            CandidateFigures(cases: 100, accuracy: 0.94, p95LatencyMs: 4000, avgCostUSD: 0.02), // as good, dearer
        ]
        #expect(Pareto.front(figures) == [true, true, false, true, true, false])
    }
}

/// The matrix `compare` builds from two results in memory: pairing by id, the mean score where
/// the suite gates it, Holm across candidates, flipped answers shown as text.
@Suite struct CandidateMatrixTests {
    static func result(_ scores: [Double], output: (Int) -> String = { "\"answer \($0)\"" }) -> RunResult {
        let cases = scores.enumerated().map { i, s in
            CaseResult(
                id: "c\(i)", passed: s >= 0.5, score: s, latencyMs: 10 + Double(i), costUSD: 0.001, output: output(i))
        }
        let suite = SuiteResult(
            name: "replies", casesFile: "cases/replies.jsonl", casesDigest: "", scorer: "judge",
            metrics: Metrics(cases), cases: cases)
        return RunResult(
            format: RunResult.formatVersion, evalguardVersion: "test", commit: String(repeating: "a", count: 40),
            dirty: false,
            key: String(repeating: "b", count: 40), createdAt: "", configDigest: "", model: [:], suites: [suite],
            overall: Metrics(cases))
    }

    @Test func pairsByIdComparesGatedScoresAndAdjustsAcrossCandidates() {
        let current = Self.result([1, 1, 1, 1, 0.2, 1, 1, 1])
        // "a" loses c0 and c1; "b" fixes c4 and loses nothing; "a"'s c0 answer is a JSON object.
        let a = Self.result([0.2, 0.3, 1, 1, 0.2, 1, 1, 1], output: { $0 == 0 ? #"{"text": "<b>"}"# : "\"no \($0)\"" })
        let b = Self.result([1, 1, 1, 1, 0.9, 1, 1, 1])
        let matrix = CandidateMatrix(
            current: current, currentLabel: "current", candidates: [("a", a), ("b", b)], suites: nil,
            scoreGated: ["replies"], margin: nil, alpha: 0.05)
        let row = matrix.suites[0]
        #expect(row.candidates.map(\.accuracy.worse) == [2, 0])
        #expect(row.candidates.map(\.accuracy.better) == [0, 1])
        // McNemar two-sided: binomtest(2, 2) = 0.5, binomtest(0, 1) = 1; Holm over [0.5, 1]: [1, 1].
        #expect(row.candidates.map(\.pValue) == [0.5, 1])
        #expect(row.candidates.map(\.adjustedPValue) == [1, 1])
        #expect(row.candidates[0].meanScore?.worse == 2)
        #expect(row.candidates[1].meanScore?.better == 1)
        #expect(row.candidates[0].flipped.map(\.id) == ["c0", "c1"])
        #expect(row.candidates[0].flipped[0].candidate == #"{"text": "<b>"}"#, "a JSON answer is shown as JSON")
        #expect(row.candidates[0].flipped[1].current == "answer 1", "a string answer is shown as the string")
        #expect(row.candidates[1].flipped.map(\.fixed) == [true])
        let ungated = CandidateMatrix(
            current: current, currentLabel: "current", candidates: [("a", a)], suites: nil, scoreGated: [], margin: nil,
            alpha: 0.05)
        #expect(ungated.suites[0].candidates[0].meanScore == nil)
    }
}
