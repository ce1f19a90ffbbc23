import Foundation
import EvalGuardConfig
import EvalGuardGit
import EvalGuardRunner
import EvalGuardScoring
import EvalGuardStore
import EvalGuardSupport

/// Answers already paid for, found in stored results: whole suites by suite key, single cases
/// by (model fingerprint, input digest), with the same runs per case. The first result listed
/// wins, so the caller lists the nearest first.
struct StoredAnswers {
    private var suites: [String: (SuiteResult, String)] = [:]
    private var cases: [String: (CaseResult, String)] = [:]

    init(_ results: [RunResult], repeats: Int) {
        for result in results where (result.repeats ?? 1) == repeats {
            for suite in result.suites {
                guard let fingerprint = suite.modelFingerprint else { continue }
                if let key = suite.key, suites[key] == nil { suites[key] = (suite, result.commit) }
                for c in suite.cases where c.error == nil {
                    guard let input = c.inputDigest else { continue }
                    let id = fingerprint + " " + input
                    if cases[id] == nil { cases[id] = (c, result.commit) }
                }
            }
        }
    }

    func suite(_ key: String) -> (SuiteResult, String)? { suites[key] }
    func answer(fingerprint: String, input: String) -> (CaseResult, String)? { cases[fingerprint + " " + input] }
}

extension Evaluation {
    /// One suite's plan: what is taken from stored answers (by case index) and what runs.
    struct SuitePlan {
        var suite: LoadedSuite
        var key: SuiteKey
        var modelID: String
        var kept: [Int: CaseResult] = [:]
        var reuse = SuiteReuse()
        var pending: [EvalCase] { suite.cases.indices.filter { kept[$0] == nil }.map { suite.cases[$0] } }
    }

    /// Takes what it can from `stored`, re-scored with the current scorer and expected answers
    /// and re-priced with the current price table; a case whose stored output was cut at the cap
    /// (or that ran several times) is re-scored only by running it again.
    static func plan(_ config: EvalConfig, _ suites: [LoadedSuite], files: [FileVersion], stored: StoredAnswers,
                     repeats: Int, prices: [String: PriceTable.Price]) -> [SuitePlan] {
        let scoring = ScoringSession()
        return suites.map { suite in
            let id = config.modelID(of: suite.config)
            var plan = SuitePlan(suite: suite, key: SuiteKey(suite: suite, config: config, files: files, repeats: repeats), modelID: id)
            let whole = stored.suite(plan.key.key)
            for (i, c) in suite.cases.enumerated() {
                let found: (CaseResult, String)?
                if let (s, commit) = whole, let match = s.cases.first(where: { $0.id == c.id && $0.error == nil }) {
                    found = (match, commit)
                } else {
                    found = stored.answer(fingerprint: plan.key.modelFingerprint, input: plan.key.inputDigests[i])
                }
                guard var (answer, commit) = found else { continue }
                answer.id = c.id
                if answer.scoringDigest != plan.key.scoringDigests[i] {
                    guard rescore(&answer, suite.config.scorer, expected: c.expected, scoring) else { continue }
                    plan.reuse.rescored += 1
                }
                if let price = prices[id], let cost = reprice(answer, price) {
                    if cost != answer.costUSD { plan.reuse.repriced += 1 }
                    answer.costUSD = cost
                }
                answer.inputDigest = plan.key.inputDigests[i]
                answer.scoringDigest = plan.key.scoringDigests[i]
                answer.reusedFrom = commit
                answer.coldStart = nil
                plan.kept[i] = answer
                plan.reuse.reused += 1
                if !plan.reuse.from.contains(commit) { plan.reuse.from.append(commit) }
            }
            plan.reuse.wholeSuite = whole != nil && plan.kept.count == suite.cases.count
            return plan
        }
    }

    /// Scores a stored answer anew: a case run once from its output, a repeated case from its
    /// runs' distinct outputs (its pass count, majority and mean score as `Repeats.fold` makes
    /// them). False when the outputs needed were not kept (cut at the cap, or a run failed).
    static func rescore(_ answer: inout CaseResult, _ scorer: Scorer, expected: JSONValue, _ scoring: ScoringSession) -> Bool {
        func outcome(_ text: String) -> ScoreOutcome? {
            (try? JSONParser.parse(text)).map { scoring.score(scorer, output: $0, expected: expected) }
        }
        guard let runs = answer.runs else {
            guard answer.outputTruncated != true, let text = answer.output, let scored = outcome(text) else { return false }
            (answer.passed, answer.score, answer.reason) = (scored.passed, scored.score, scored.reason)
            return true
        }
        guard let outputs = answer.runOutputs, outputs.reduce(0, { $0 + $1.runs }) == runs else { return false }
        var passCount = 0
        var scoreSum = 0.0
        var verdicts: [(String, ScoreOutcome)] = []
        for o in outputs {
            guard let scored = outcome(o.output) else { return false }
            if scored.passed { passCount += o.runs }
            scoreSum += scored.score * Double(o.runs)
            verdicts.append((o.output, scored))
        }
        answer.passes = passCount
        answer.passed = 2 * passCount >= runs
        answer.score = scoreSum / Double(runs)
        // Show an output (and its reason) that matches the verdict, as a fresh run does.
        if let shown = verdicts.first(where: { $0.1.passed == answer.passed }) { (answer.output, answer.reason) = (shown.0, shown.1.reason) }
        return true
    }

    /// The cost of a stored answer at `price`, from its recorded token usage: for a repeated case
    /// (whose usage is the mean over its runs) the cost of the runs' tokens over the runs. Nil
    /// when the answer recorded no usage.
    static func reprice(_ answer: CaseResult, _ price: PriceTable.Price) -> Double? {
        guard let usage = answer.usage, let prompt = usage["prompt_tokens"], let completion = usage["completion_tokens"] else { return nil }
        let runs = Double(answer.runCount)
        return price.cost(promptTokens: (prompt * runs).rounded(), completionTokens: (completion * runs).rounded()).map { $0 / runs }
    }

    /// The price of each openai model the suites use, read through `read` (nil when it has
    /// none: no table, or no entry for the model, which a run then reports).
    static func prices(_ config: EvalConfig, read: (String) throws -> [UInt8]?) -> [String: PriceTable.Price] {
        var prices: [String: PriceTable.Price] = [:]
        for suite in config.suites {
            guard let openAI = config.model(of: suite).openAI else { continue }
            let path = EvalConfig.directory + "/" + openAI.prices
            guard let bytes = try? read(path), let table = try? PriceTable.parse(bytes, displayPath: path) else { continue }
            prices[config.modelID(of: suite)] = table.models[openAI.model]
        }
        return prices
    }

    /// What the result records about a model that did not run (all its cases reused).
    static func describe(_ model: ModelConfig, price: PriceTable.Price?) -> [String: JSONValue] {
        guard let openAI = model.openAI else {
            return ["provider": .string(model.provider), "command": .array(model.command.map(JSONValue.string))]
        }
        return openAI.description(price: price)
    }
}
