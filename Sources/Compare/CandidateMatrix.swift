import EvalGuardConfig
import EvalGuardStatistics
import EvalGuardStore
import EvalGuardSupport
import FoundationEssentials

/// One configuration's figures in one suite: what `compare` sets side by side.
package struct CandidateFigures: Sendable {
    package var cases: Int
    package var accuracy: Double
    package var meanScore: Double?
    package var p95LatencyMs: Double
    package var avgCostUSD: Double?
    /// Total cost over the cases passed; nil without prices or without a pass.
    package var costPerCorrectUSD: Double?
    /// Mean tokens a case (prompt + completion), when the model reported them.
    package var avgTokens: Double?
    /// Cases that failed with an error or timed out.
    package var errors: Int

    package init(cases: Int, accuracy: Double, p95LatencyMs: Double, avgCostUSD: Double?) {
        (self.cases, self.accuracy, self.p95LatencyMs, self.avgCostUSD, errors) = (
            cases, accuracy, p95LatencyMs, avgCostUSD, 0
        )
    }

    package init(_ suite: SuiteResult) {
        let m = Metrics(suite.cases.map(\.firstStage))
        (cases, accuracy, meanScore, p95LatencyMs, avgCostUSD, errors) = (
            m.cases, m.accuracy, m.meanScore, m.p95LatencyMs, m.avgCostUSD, m.errors + m.timeouts
        )
        costPerCorrectUSD = m.totalCostUSD.flatMap { m.passed > 0 ? $0 / Double(m.passed) : nil }
        let tokens = suite.cases.compactMap { c in
            c.usage.flatMap(PriceTable.BilledTokens.total)
        }
        avgTokens = tokens.isEmpty ? nil : tokens.reduce(0, +) / Double(tokens.count)
    }
}

/// A case the candidate answered otherwise than the current configuration: both answers.
package struct FlippedAnswer: Sendable {
    package var id: String
    /// True when the candidate passes a case the current configuration fails.
    package var fixed: Bool
    package var current: String?
    package var candidate: String?
}

/// A candidate against the current configuration in one suite.
package struct CandidateComparison: Sendable {
    package var name: String
    package var figures: CandidateFigures
    /// Accuracy over the cases both ran, paired by id (candidate − current).
    package var accuracy: PairedDifference
    /// Two-sided exact McNemar p-value, and Holm's adjustment across the suite's candidates.
    package var pValue: Double
    package var adjustedPValue: Double
    /// The paired sign-flip test on scores, where the suite gates `mean_score`.
    package var meanScore: PairedScore?
    /// p95 latency against the current one, with bootstrap intervals.
    package var latency: QuantileShift?
    package var flipped: [FlippedAnswer]
    package var pareto = false
    package var nonInferiority: NonInferiority?
    /// The accuracy rule as `check` would decide it with the current result as the baseline:
    /// the suite's `max_drop`, the one-sided paired test, and settling's re-asks of the variant.
    package var verdict: MetricComparison?
}

/// "Not worse than the current configuration by more than `margin`": Tango's score test,
/// Holm-adjusted across the suite's candidates.
package struct NonInferiority: Sendable {
    package var margin: Double
    package var pValue: Double
    package var adjustedPValue: Double
    package var holds: Bool
}

/// One suite: the current configuration's figures and every candidate's.
package struct SuiteMatrix: Sendable {
    package var name: String
    package var current: CandidateFigures
    package var currentPareto = false
    package var candidates: [CandidateComparison]
}

/// `evalguard compare`'s data: per suite, each candidate against the current configuration.
package struct CandidateMatrix: Sendable {
    package var currentLabel: String
    package var suites: [SuiteMatrix]
    package var margin: Double?
    package var alpha: Double

    /// `scoreGated`: the suites whose `mean_score` is gated (their score is compared too).
    /// `gates`: per candidate, `Gate.compare` of its result against the current one as baseline.
    package init(
        current: RunResult, currentLabel: String, candidates: [(name: String, result: RunResult)],
        suites only: Set<String>?,
        scoreGated: Set<String>, margin: Double?, alpha: Double, gates: [String: Comparison] = [:]
    ) {
        (self.currentLabel, self.margin, self.alpha) = (currentLabel, margin, alpha)
        suites = current.suites.filter { only?.contains($0.name) ?? true }.map { suite in
            var row = SuiteMatrix(
                name: suite.name, current: CandidateFigures(suite),
                candidates: candidates.compactMap { name, result in
                    result.suite(suite.name).map {
                        Self.compare(
                            name: name, current: suite, candidate: $0, scoreGated: scoreGated.contains(suite.name))
                    }
                })
            for i in row.candidates.indices {
                row.candidates[i].verdict = gates[row.candidates[i].name]?.suites.first { $0.name == suite.name }?
                    .metrics.first { $0.metric == .accuracy }
            }
            let adjusted = Holm.adjusted(row.candidates.map(\.pValue))
            for i in row.candidates.indices { row.candidates[i].adjustedPValue = adjusted[i] }
            if let margin {
                let raw = row.candidates.map { $0.accuracy.nonInferiorityPValue(margin: margin) }
                for (i, p) in Holm.adjusted(raw).enumerated() {
                    row.candidates[i].nonInferiority = NonInferiority(
                        margin: margin, pValue: raw[i], adjustedPValue: p, holds: p < alpha)
                }
            }
            let front = Pareto.front([row.current] + row.candidates.map(\.figures))
            row.currentPareto = front[0]
            for i in row.candidates.indices { row.candidates[i].pareto = front[i + 1] }
            return row
        }
    }

    static func compare(name: String, current: SuiteResult, candidate: SuiteResult, scoreGated: Bool)
        -> CandidateComparison
    {
        let theirs = Dictionary(candidate.cases.map { ($0.id, $0.firstStage) }, uniquingKeysWith: { first, _ in first })
        var (paired, worse, better) = (0, 0, 0)
        var scores: [(baseline: Double, current: Double)] = []
        var flipped: [FlippedAnswer] = []
        for mine in current.cases.map(\.firstStage) {
            guard let other = theirs[mine.id] else { continue }
            paired += 1
            scores.append((mine.score, other.score))
            guard mine.passRate != other.passRate else { continue }
            let fixed = other.passRate > mine.passRate
            if fixed { better += 1 } else { worse += 1 }
            flipped.append(
                FlippedAnswer(id: mine.id, fixed: fixed, current: Self.shown(mine), candidate: Self.shown(other)))
        }
        let difference = PairedDifference(cases: paired, worse: worse, better: better)
        let latency = Bootstrap.quantileShift(
            baseline: Metrics.timedLatencies(current.cases), current: Metrics.timedLatencies(candidate.cases))
        return CandidateComparison(
            name: name, figures: CandidateFigures(candidate), accuracy: difference, pValue: difference.pValue,
            adjustedPValue: difference.pValue, meanScore: scoreGated ? PairedScore(scores, confidence: 0.95) : nil,
            latency: latency, flipped: flipped)
    }
}

extension CandidateMatrix {
    /// An answer as text: a stored output is JSON, and a string answer is shown as the string.
    static func shown(_ c: CaseResult) -> String? {
        guard let output = c.output else { return c.error }
        if output.hasPrefix("\""), let value = try? JSONDecoder().decode(JSONValue.self, from: Data(output.utf8)),
            case .string(let s) = value
        {
            return s
        }
        return output
    }
}

/// The configurations no other beats on accuracy, p95 latency and cost at once.
package enum Pareto {
    /// Per entry, whether it is on the front: no other is at least as good on all three (higher
    /// accuracy, lower p95, lower cost) and better on one. A cost unknown on either side is left
    /// out of that pair's comparison.
    package static func front(_ entries: [CandidateFigures]) -> [Bool] {
        entries.map { a in
            !entries.contains { b in
                var criteria = [(b.accuracy, a.accuracy), (-b.p95LatencyMs, -a.p95LatencyMs)]
                if let bc = b.avgCostUSD, let ac = a.avgCostUSD { criteria.append((-bc, -ac)) }
                let atLeast = criteria.allSatisfy { $0.0 >= $0.1 - 1e-12 }
                let better = criteria.contains { $0.0 > $0.1 + 1e-12 }
                return atLeast && better
            }
        }
    }
}
