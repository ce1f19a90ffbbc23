import EvalGuardConfig
import EvalGuardScoring
import EvalGuardStore
import EvalGuardSupport

/// One answer for an asked scorer to decide: a case of a suite, with the output that passed the
/// scorers before it.
struct AskedItem {
    var suite: String
    var scorer: Scorer
    var judge: ResolvedJudge?
    var id: String
    var input: JSONValue
    var expected: JSONValue
    var output: JSONValue

    init(_ suite: LoadedSuite, _ c: EvalCase, output: JSONValue) {
        (self.suite, scorer, judge) = (suite.config.name, suite.config.scorer, suite.judge)
        (id, input, expected, self.output) = (c.id, c.input, c.expected, output)
    }

    /// Pairwise: the baseline's stored answer to this case.
    var reference: JSONValue? { judge?.references[id] }
}

/// Items asked together: one provider (or process pool) and one error budget.
struct AskedGroup: Hashable {
    /// Tells groups apart within one scorer.
    var key: String
    /// Who fails, in a message: "the judge 'grader'".
    var subject: String
    /// Where its settings are: "models.grader", "suites.replies.scorer".
    var settings: String
    var maxErrorRate: Double
    /// What a reply must look like, for the message that stops the run.
    var hint: String
}

/// A scorer evalguard asks rather than computes: a judge model, a scoring program, embeddings.
/// It decides, in batches, the answers that passed the scorers before it; `AskedScorers` gathers
/// the items, groups them, asks, keeps each group's error budget and applies the verdicts, the
/// same for every scorer. A new asked scorer is a conformance, its settings, and a line in
/// `Asking.init`.
protocol AskedScorer: AnyObject {
    /// Whether it decides the cases of a suite with this scorer (`Scorer` allows one asked scorer a suite).
    func decides(_ scorer: Scorer) -> Bool
    /// The group an item is asked in; throws when the item lacks what its scorer needs.
    func group(of item: AskedItem) throws -> AskedGroup
    /// The verdicts on one group's items, in order. A case it could not decide is a verdict with
    /// an error (counted against the group's budget by the caller); a throw stops the run.
    func ask(_ items: [AskedItem]) throws -> [ScoreOutcome]
    /// Marks what answers kept with their verdicts used (cache entries), so the new result
    /// carries them; asks nothing.
    func keep(_ items: [AskedItem])
    /// Adds what the suite's result records of this scorer (its cache, its cost).
    func record(_ suite: LoadedSuite, into result: inout SuiteResult)
}

extension AskedScorer {
    func keep(_ items: [AskedItem]) {}
    func record(_ suite: LoadedSuite, into result: inout SuiteResult) {}
}

/// The asked scorers of an evaluation, and the one batch loop over them.
final class AskedScorers {
    private let scorers: [any AskedScorer]

    init(_ scorers: [any AskedScorer]) {
        self.scorers = scorers
    }

    /// The scorer that decides a suite's cases, if one does.
    func scorer(of suite: LoadedSuite) -> (any AskedScorer)? { scorers.first { $0.decides(suite.config.scorer) } }

    /// Whether a suite's cases are decided by an asked scorer; throws when its scorer needs one
    /// that was not loaded (a judge whose prompt was not read).
    func decides(_ suite: LoadedSuite) throws -> Bool {
        if suite.config.scorer.judge != nil, suite.judge == nil {
            throw EvalGuardError.evaluation("suite '\(suite.config.name)': its judge was not loaded")
        }
        return scorer(of: suite) != nil
    }

    /// The verdict on each item, in order: per scorer, per group, one batch. Throws when a
    /// group fails on more of its items than its `max_error_rate` allows (exit 3), like a model.
    func decide(_ items: [AskedItem]) throws -> [ScoreOutcome] {
        var verdicts = [ScoreOutcome?](repeating: nil, count: items.count)
        for scorer in scorers {
            var groups: [AskedGroup: [Int]] = [:]
            var order: [AskedGroup] = []
            for (i, item) in items.enumerated() where scorer.decides(item.scorer) {
                let group = try scorer.group(of: item)
                if groups[group] == nil { order.append(group) }
                groups[group, default: []].append(i)
            }
            for group in order {
                let indices = groups[group, default: []]
                let outcomes = try scorer.ask(indices.map { items[$0] })
                var failures: [String] = []
                for (i, outcome) in zip(indices, outcomes) {
                    verdicts[i] = outcome
                    if let error = outcome.error {
                        failures.append("case \(items[i].id) of suite '\(items[i].suite)': \(error)")
                    }
                }
                if Double(failures.count) > group.maxErrorRate * Double(indices.count) {
                    throw EvalGuardError.evaluation(
                        "\(group.subject) failed on \(failures.count) of \(indices.count) answers, more than \(group.settings).max_error_rate (\(group.maxErrorRate)); stopping",
                        hint: group.hint + " First failure: " + failures[0])
                }
            }
        }
        return verdicts.map { $0 ?? .failed("no asked scorer decides this case") }
    }

    func keep(_ items: [AskedItem]) {
        for scorer in scorers { scorer.keep(items.filter { scorer.decides($0.scorer) }) }
    }

    func record(_ suite: LoadedSuite, into result: inout SuiteResult) {
        scorer(of: suite)?.record(suite, into: &result)
    }
}

extension Evaluation {
    /// Puts an asked scorer's verdict on a case that passed the scorers before it.
    static func apply(_ verdict: ScoreOutcome, to result: inout CaseResult) {
        (result.passed, result.score, result.reason) = (verdict.passed, verdict.score, verdict.reason)
        if let error = verdict.error { result.error = error }
    }
}
