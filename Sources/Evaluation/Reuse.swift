import EvalGuardConfig
import EvalGuardGit
import EvalGuardRunner
import EvalGuardScoring
import EvalGuardStore
import EvalGuardSupport
import FoundationEssentials

/// Answers already paid for, found in stored results: whole suites by suite key, single cases
/// by (model fingerprint, input digest), with the same runs per case. The first result listed
/// wins, so the caller lists the nearest first.
struct StoredAnswers {
    private var suites: [String: (SuiteResult, String)] = [:]
    private let results: [RunResult]
    /// By model fingerprint, then input digest, made the first time a suite asks for its
    /// fingerprint: a suite taken whole needs no index of single answers. A suite looks its
    /// fingerprint up once and each case by its 20 bytes, with no text made per case.
    private let cases = CaseIndex()

    private final class CaseIndex {
        var byFingerprint: [String: [ObjectID: (CaseResult, String)]] = [:]
    }

    init(_ results: [RunResult], repeats: Int) {
        self.results = results.filter { ($0.repeats ?? 1) == repeats }
        for result in self.results {
            for suite in result.suites where suite.modelFingerprint != nil {
                if let key = suite.key, suites[key] == nil { suites[key] = (suite, result.commit) }
            }
        }
    }

    func suite(_ key: String) -> (SuiteResult, String)? { suites[key] }

    /// The stored answers of one model, by input digest.
    func answers(fingerprint: String) -> [ObjectID: (CaseResult, String)] {
        if let known = cases.byFingerprint[fingerprint] { return known }
        var answers: [ObjectID: (CaseResult, String)] = [:]
        for result in results {
            for suite in result.suites where suite.modelFingerprint == fingerprint {
                answers.reserveCapacity(answers.count + suite.cases.count)
                // A digest held as text is not a blob id, so no current case's input can match it.
                for c in suite.cases where c.error == nil {
                    guard let input = c.inputBlob, answers[input] == nil else { continue }
                    answers[input] = (c, result.commit)
                }
            }
        }
        cases.byFingerprint[fingerprint] = answers
        return answers
    }
}

extension Evaluation {
    /// One suite's plan: what is taken from stored answers (by case index) and what runs.
    struct SuitePlan {
        var suite: LoadedSuite
        var key: SuiteKey
        var modelID: String
        var kept: [Int: CaseResult] = [:]
        /// Kept answers to re-score whose scorers before the judge (or scoring program) pass:
        /// their outputs, for it.
        var judging: [Int: JSONValue] = [:]
        var reuse = SuiteReuse()
        /// The stored suite taken as it is (`takingWhole`), and the commit whose result holds it:
        /// then nothing is kept case by case and nothing is pending.
        var whole: (suite: SuiteResult, commit: String)?
        /// The cases left to ask: the suite's own array when none was kept, not a copy.
        var pending: [EvalCase] {
            if whole != nil { return [] }
            return kept.isEmpty
                ? suite.cases : suite.cases.indices.filter { kept[$0] == nil }.map { suite.cases[$0] }
        }

        /// Keeps the share's cases (and their digests); the suite key stays the whole suite's.
        mutating func restrict(to shard: Shard) {
            let mine = suite.cases.indices.filter {
                shard.contains(suite: suite.config.name, caseID: suite.cases[$0].id)
            }
            suite.cases = mine.map { suite.cases[$0] }
            key.inputDigests = mine.map { key.inputDigests[$0] }
            key.scoringDigests = mine.map { key.scoringDigests[$0] }
        }
    }

    /// Takes what it can from `stored`, re-scored with the current scorer and expected answers
    /// and re-priced with the current price table; a case whose stored output was cut at the cap
    /// (or that ran several times) is re-scored only by running it again. With `shard`, each
    /// plan holds that share of the suite's cases alone, under the whole suite's key.
    ///
    /// With `takingWhole`, a stored suite that nothing would change (`unchanged`: same key, every
    /// case scored as it would be now and priced as it is) is taken as it is, its cases neither
    /// planned nor copied: what a configuration edit that only re-gates (a threshold, a comment)
    /// costs. Its callers that read the kept answers case by case (an audit, a share) plan them.
    static func plan(
        _ config: EvalConfig, _ suites: [LoadedSuite], files: [FileVersion], stored: StoredAnswers,
        repeats: Int, prices: [String: PriceTable.Price], shard: Shard? = nil, takingWhole: Bool = false
    ) -> [SuitePlan] {
        let scoring = ScoringSession()
        return suites.map { suite in
            let id = config.modelID(of: suite.config)
            var plan = SuitePlan(
                suite: suite, key: SuiteKey(suite: suite, config: config, files: files, repeats: repeats), modelID: id)
            if let shard { plan.restrict(to: shard) }
            let whole = stored.suite(plan.key.key)
            if takingWhole, shard == nil, let (s, commit) = whole, unchanged(s, plan, price: prices[id]) {
                plan.whole = (s, commit)
                (plan.reuse.reused, plan.reuse.from, plan.reuse.wholeSuite) = (s.cases.count, [commit], true)
                DecodeTrace.tookWholeSuite()
                return plan
            }
            // Lookups by id and by input digest: planning stays linear in the cases.
            var byID: [String: CaseResult] = [:]
            if let (s, _) = whole {
                byID.reserveCapacity(s.cases.count)
                for c in s.cases where c.error == nil && byID[c.id] == nil { byID[c.id] = c }
            }
            let answers = stored.answers(fingerprint: plan.key.modelFingerprint)
            DecodeTrace.plannedCases(plan.suite.cases.count)
            for (i, c) in plan.suite.cases.enumerated() {
                let found: (CaseResult, String)?
                if let (_, commit) = whole, let match = byID[c.id] {
                    found = (match, commit)
                } else {
                    found = answers[plan.key.inputDigests[i]]
                }
                guard let (storedAnswer, commit) = found else { continue }
                var answer = storedAnswer
                // Re-asks made to settle another comparison belong to that one.
                answer = answer.firstStage
                answer.id = c.id
                if answer.scoringBlob != plan.key.scoringDigests[i] {
                    if suite.config.scorer.isExternal {
                        // Judged or program-scored: the scorers before it here, it in one batch after.
                        guard answer.runs == nil, answer.outputTruncated != true, let text = answer.output,
                            let output = try? JSONParser.parse(text)
                        else { continue }
                        let before = scoring.scoreBeforeJudge(suite.config.scorer, output: output, expected: c.expected)
                        // Undecided here (a regular expression out of time): asked again.
                        guard before.error == nil else { continue }
                        (answer.passed, answer.score, answer.reason) = (before.passed, before.score, before.reason)
                        if answer.passed { plan.judging[i] = output }
                    } else {
                        guard rescore(&answer, suite.config.scorer, expected: c.expected, scoring) else { continue }
                    }
                    plan.reuse.rescored += 1
                }
                if let price = prices[id], let cost = reprice(answer, price) {
                    if cost != answer.costUSD { plan.reuse.repriced += 1 }
                    answer.costUSD = cost
                }
                answer.inputBlob = plan.key.inputDigests[i]
                answer.scoringBlob = plan.key.scoringDigests[i]
                // The cold_start mark stays: the latency kept is the one measured, start-up included,
                // and it stays out of the percentiles here as it did where it was measured.
                answer.reusedFrom = commit
                plan.kept[i] = answer
                plan.reuse.reused += 1
                if !plan.reuse.from.contains(commit) { plan.reuse.from.append(commit) }
            }
            plan.reuse.wholeSuite = whole != nil && plan.kept.count == plan.suite.cases.count
            return plan
        }
    }

    /// Whether planning `stored` case by case would leave every answer as it is: the same cases in
    /// the same order, none failed or settled further, each with this plan's input and scoring
    /// digests and the cost `price` gives it, and no judge comparing with a baseline's answers
    /// (its record names the baseline's commit). A comparison of 20-byte digests per case, no copy.
    static func unchanged(_ stored: SuiteResult, _ plan: SuitePlan, price: PriceTable.Price?) -> Bool {
        let cases = plan.suite.cases
        guard stored.cases.count == cases.count, plan.suite.judge?.settings.mode != .pairwise,
            stored.judge?.fingerprint == plan.suite.judge?.fingerprint
        else { return false }
        for i in cases.indices {
            let answer = stored.cases[i]
            guard answer.error == nil, answer.settledRuns == nil, answer.id == cases[i].id,
                answer.inputBlob == plan.key.inputDigests[i], answer.scoringBlob == plan.key.scoringDigests[i]
            else { return false }
            if let price, let cost = reprice(answer, price), cost != answer.costUSD { return false }
        }
        return true
    }

    /// Scores a stored answer anew: a case run once from its output, a repeated case from its
    /// runs' distinct outputs (its pass count, majority and mean score as `Repeats.fold` makes
    /// them). False when the outputs needed were not kept (cut at the cap, or a run failed).
    static func rescore(_ answer: inout CaseResult, _ scorer: Scorer, expected: JSONValue, _ scoring: ScoringSession)
        -> Bool
    {
        func outcome(_ text: String) -> ScoreOutcome? {
            // Undecided (a regular expression out of time) is not kept: the case is asked again.
            (try? JSONParser.parse(text)).map { scoring.score(scorer, output: $0, expected: expected) }
                .flatMap { $0.error == nil ? $0 : nil }
        }
        guard let runs = answer.runs else {
            guard answer.outputTruncated != true, let text = answer.output, let scored = outcome(text) else {
                return false
            }
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
        if let shown = verdicts.first(where: { $0.1.passed == answer.passed }) {
            (answer.output, answer.reason) = (shown.0, shown.1.reason)
        }
        return true
    }

    /// The cost of a stored answer at `price`, from its recorded token usage: for a repeated case
    /// (whose usage is the mean over its runs) the cost of the runs' tokens over the runs; an
    /// answer that came through a batch, at the batch price. Nil
    /// when the answer recorded no usage.
    static func reprice(_ answer: CaseResult, _ price: PriceTable.Price) -> Double? {
        guard let usage = answer.usage, let tokens = PriceTable.BilledTokens(usage: usage) else { return nil }
        let runs = Double(answer.runCount)
        return price.forUsage(usage).cost(tokens.summed(over: runs)).map { $0 / runs }
    }

    /// Asks the asked scorers about kept answers being re-scored (one batch, as a run's are),
    /// and marks what the other kept ones used (judge grades, embeddings) as used, so the new
    /// result carries its caches whole.
    static func decideKept(_ plans: inout [SuitePlan], _ scorers: AskedScorers) throws {
        var asked: [AskedItem] = []
        var at: [(plan: Int, index: Int)] = []
        var kept: [AskedItem] = []
        for (p, plan) in plans.enumerated() where try scorers.decides(plan.suite) {
            for i in plan.kept.keys.sorted() {
                let c = plan.suite.cases[i]
                if let output = plan.judging[i] {
                    asked.append(AskedItem(plan.suite, c, output: output))
                    at.append((p, i))
                } else if let answer = plan.kept[i], answer.runs == nil, answer.outputTruncated != true,
                    let text = answer.output, let output = try? JSONParser.parse(text)
                {
                    kept.append(AskedItem(plan.suite, c, output: output))
                }
            }
        }
        scorers.keep(kept)
        guard !asked.isEmpty else { return }
        // `at` lists only kept indices (the loop above), so each place holds a stored answer.
        for (place, verdict) in zip(at, try scorers.decide(asked)) {
            apply(verdict, to: &plans[place.plan].kept[place.index]!)
        }
    }

    /// The price of each openai model the suites use, read through `read` (nil when it has
    /// none: no table, or no entry for the model, which a run then reports).
    static func prices(_ config: EvalConfig, read: (String) throws -> [UInt8]?) throws -> [String: PriceTable.Price] {
        var prices: [String: PriceTable.Price] = [:]
        for suite in config.suites {
            guard let openAI = config.model(of: suite).openAI else { continue }
            let path = EvalConfig.directory + "/" + openAI.prices
            // A table that cannot be read (a link) is an error; one that does not parse is left
            // to the provider, which says so when the model runs.
            guard let bytes = try read(path), let table = try? PriceTable.parse(bytes, displayPath: path) else {
                continue
            }
            prices[config.modelID(of: suite)] = table.models[openAI.model]
        }
        return prices
    }

    /// One warning per model whose answers here report cached prompt tokens (read from or, for
    /// Anthropic, written to the cache) that its price entry has no rate for: they were priced
    /// at the full input rate.
    static func cachedRateWarnings(
        _ config: EvalConfig, plans: [SuitePlan], results: [SuiteResult],
        prices: [String: PriceTable.Price]
    ) -> [String] {
        var warned: Set<String> = []
        var warnings: [String] = []
        for (plan, suite) in zip(plans, results) where !warned.contains(plan.modelID) {
            guard let price = prices[plan.modelID], let openAI = config.model(of: plan.suite.config).openAI else {
                continue
            }
            let missing = Set(
                suite.cases.flatMap { c in
                    // Checked against the rates the answer was billed at: a batched one's are the batch rates.
                    c.usage.flatMap(PriceTable.BilledTokens.init).map(price.forUsage(c.usage).missingRates) ?? []
                }
            )
            guard !missing.isEmpty else { continue }
            warned.insert(plan.modelID)
            let keys = ["cached_input_per_million", "cache_write_per_million"].filter(missing.contains).map {
                "\"\($0)\""
            }
            let what =
                missing.contains("cached_input_per_million")
                ? "cached prompt tokens" : "tokens written to the prompt cache"
            warnings.append(
                "model \"\(openAI.model)\" reported \(what), but its entry in \(EvalConfig.directory)/\(openAI.prices) "
                    + "has no \(keys.joined(separator: " or ")): they were priced at the full input rate; add \(keys.joined(separator: " and ")) to its entry"
            )
        }
        return warnings
    }

    /// What the result records about a model that did not run (all its cases reused).
    static func describe(_ model: ModelConfig, price: PriceTable.Price?) -> [String: JSONValue] {
        guard let openAI = model.openAI else {
            return ["provider": .string(model.provider), "command": .array(model.command.map(JSONValue.string))]
        }
        return openAI.description(price: price)
    }
}
