import EvalGuardConfig
import EvalGuardGit
import EvalGuardRunner
import EvalGuardScoring
import EvalGuardStore
import EvalGuardSupport
import FoundationEssentials

/// A suite with its cases loaded and checked.
package struct LoadedSuite: Sendable {
    package var config: SuiteConfig
    package var cases: [EvalCase]
    /// Blob id of the case file.
    package var digest: String
    /// The suite's judge, when its scorer has one (no default: a suite is made with its judge,
    /// by `Evaluator.loadSuites`, or cut from one by `restricted`).
    package var judge: ResolvedJudge?

    /// The suite with only the cases `keep` selects: its configuration, digest and judge (with
    /// its pairwise references) stay, so a part of a suite is scored as the whole is.
    func restricted(_ keep: (EvalCase) -> Bool) -> LoadedSuite {
        var copy = self
        copy.cases = cases.filter(keep)
        return copy
    }
}

/// Runs the model over every case of every suite and scores the answers.
package enum Evaluation {
    /// Loads and checks every suite's cases. `read` returns a file's bytes by path from the
    /// repository root (from the working tree or from a commit), or nil when it does not exist.
    package static func loadSuites(_ config: EvalConfig, read: (String) throws -> [UInt8]?) throws -> [LoadedSuite] {
        try config.suites.map { suite in
            guard let bytes = try read(suite.casesPath) else {
                throw suite.node.child("cases", .string(suite.cases))
                    .error(
                        "the case file \(suite.casesPath) does not exist",
                        hint: "Paths in \"cases\" are relative to .evals/.")
            }
            var suite = suite
            suite.scorer = try loadingTools(
                loadingSchema(suite, read: read), model: config.model(of: suite), read: read)
            let cases = try CaseFile.parse(bytes, displayPath: suite.casesPath, scorer: suite.scorer)
            try checkConversations(cases, of: suite, model: config.model(of: suite))
            let judge = try suite.scorer.judge.map { try ResolvedJudge($0, config: config, read: read) }
            return LoadedSuite(config: suite, cases: cases, digest: GitHash.blobID(of: bytes), judge: judge)
        }
    }

    /// A model that splices the case's messages into its own (`"{{input.messages}}"`) gets a
    /// conversation from every case: checked here, so a bad one stops the run before the model
    /// starts, naming its case's line.
    static func checkConversations(_ cases: [EvalCase], of suite: SuiteConfig, model: ModelConfig) throws {
        guard let splices = model.openAI?.conversation, !splices.isEmpty else { return }
        for c in cases {
            for splice in splices {
                if case .failure(let problem) = splice.messages(in: c.input) {
                    throw EvalGuardError(
                        "case \(c.id): \(problem.text)", file: suite.casesPath, line: c.line,
                        hint:
                            "The model's messages take this case's conversation from \(splice.slot): an array of {\"role\", \"content\"} messages (roles \(ConversationSplice.roles.joined(separator: ", ")))."
                    )
                }
            }
        }
    }

    /// The suite's scorer with its JSON Schema read (`schema_file`) and checked, so that a
    /// missing or invalid schema stops the run before the model starts, naming its file and line.
    static func loadingSchema(_ suite: SuiteConfig, read: (String) throws -> [UInt8]?) throws -> Scorer {
        guard case .jsonSchema(var source) = suite.scorer else { return suite.scorer }
        let scorerNode = suite.node.child("scorer", suite.node.value["scorer"] ?? .null)
        if let path = source.file {
            guard let bytes = try read(path) else {
                throw scorerNode.child("schema_file", .string(path))
                    .error(
                        "the schema file \(path) does not exist",
                        hint: "Paths in \"schema_file\" are relative to the repository root.")
            }
            let text = try TextBytes.decode(bytes, displayPath: path)
            let node = try ConfigNode.parse(ConfigSource(displayPath: path, text: text))
            _ = try JSONSchema(node: node)
            source.schema = node.value
            source.fileDigest = GitHash.blobID(of: bytes)
        } else if let inline = source.schema {
            _ = try JSONSchema(node: scorerNode.child("schema", inline))
        }
        return .jsonSchema(source)
    }

    /// Asks the provider about every case (all suites share one queue, so the model's processes
    /// stay busy) and scores the answers. With `repeats` > 1 every case is asked that many
    /// times, in rounds over all cases (so the runs of one case are spread over the run rather
    /// than sent back to back to one process), and its runs are folded into one result.
    /// Answers that pass the scorers before a suite's asked scorer (judge, scoring program,
    /// embeddings) go to it after, in one batch (`AskedScorers.decide`).
    static func run(
        _ suites: [LoadedSuite], provider: ModelProvider, asking: Asking, repeats: Int = 1,
        progress: (Int, Int) -> Void = { _, _ in }
    ) throws -> [SuiteResult] {
        precondition(repeats >= 1, "a case runs at least once")
        let asked = try suites.map(asking.scorers.decides)
        let round = RequestRound(suites)
        let total = round.width * repeats
        let started = monotonicNanoseconds()
        let scoring = ScoringSession()
        // Per suite, run r of case i at i * repeats + r: one array per suite, which is the suite's
        // result as it stands when each case ran once. Each answer is scored as it arrives and
        // only its CaseResult is kept (see `ModelProvider.answer`).
        let unanswered = CaseResult(id: "", passed: false, score: 0, latencyMs: 0)
        var runs = suites.map { Array(repeating: unanswered, count: $0.cases.count * repeats) }
        // Outputs that passed the scorers before an asked scorer, by request index: it decides
        // after, in one batch, in the cases' order.
        var deciding: [Int: JSONValue] = [:]
        try answers(
            suites, provider: provider, providers: asking.providers, repeats: repeats, progress: { progress($0, total) }
        ) { index, response in
            let (r, s, i) = round.locate(index)
            let suite = suites[s]
            let result = score(suite.cases[i], response, suite.config.scorer, scoring, runStart: started)
            if result.passed, asked[s], let output = response.output { deciding[index] = output }
            runs[s][i * repeats + r] = result
        }
        var items: [AskedItem] = []
        var at: [(suite: Int, run: Int)] = []
        for (s, suite) in suites.enumerated() where asked[s] && !deciding.isEmpty {
            for (i, c) in suite.cases.enumerated() {
                for r in 0..<repeats {
                    guard let output = deciding[round.index(run: r, suite: s, case: i)] else { continue }
                    items.append(AskedItem(suite, c, output: output))
                    at.append((s, i * repeats + r))
                }
            }
        }
        deciding = [:]
        for (place, verdict) in zip(at, try asking.scorers.decide(items)) {
            apply(verdict, to: &runs[place.suite][place.run])
        }
        return suites.enumerated().map { s, suite in
            let results =
                repeats == 1
                ? runs[s]
                : suite.cases.indices.map { i in Repeats.fold(Array(runs[s][i * repeats..<(i + 1) * repeats])) }
            return SuiteResult(
                name: suite.config.name, casesFile: suite.config.casesPath, casesDigest: suite.digest,
                scorer: suite.config.scorer.name, metrics: Metrics(results), cases: results)
        }
    }

    /// Asks the provider about every case, `repeats` rounds over all of them (run r of case i
    /// of the whole list at r * cases + i), handing each answer to `receive` as it arrives.
    private static func answers(
        _ suites: [LoadedSuite], provider: ModelProvider, providers: Providers, repeats: Int,
        progress: (Int) -> Void, receive: (Int, ModelResponse) -> Void
    ) throws {
        let round = RequestRound(suites)
        // Made from the cases as the provider reads them: no array of requests beside the cases.
        let requests = ModelRequests(count: round.width * repeats) { index in
            let (_, s, i) = round.locate(index)
            let c = suites[s].cases[i]
            return ModelRequest(id: c.id, input: c.input, toolResults: c.toolResults)
        }
        try providers.answer(provider, requests, progress: progress, receive: receive)
    }

    /// Runs what `plans` leave pending, each suite with its model, in the directory `asking`
    /// makes (only when something runs: a commit's checkout is made only then), and
    /// builds the result of `commit` from the answers kept and the new ones (not stored: the
    /// caller decides where it goes). `asking` holds the models' providers and the asked scorers
    /// (its directory, environment and cost limit).
    static func evaluate(
        _ config: EvalConfig, plans: consuming [SuitePlan], asking: Asking, commit: String, key: String,
        dirtyPaths: [String], repeats runs: Int, prices: [String: PriceTable.Price],
        progress: @escaping (Int, Int) -> Void
    ) throws -> Outcome {
        var plans = consume plans
        try decideKept(&plans, asking.scorers)
        var pending = plans.map { plan in
            var suite = plan.suite
            suite.cases = plan.pending
            return suite
        }.filter { !$0.cases.isEmpty }
        var descriptions: [String: [String: JSONValue]] = [:]
        var warnings: [String] = []
        var ran: [String: SuiteResult] = [:]
        if !pending.isEmpty {
            let out = try runByModel(config, pending, asking: asking, repeats: runs, progress: progress)
            (descriptions, warnings) = (out.descriptions, out.warnings)
            for r in out.results { ran[r.name] = r }
        }
        pending = []
        var results: [SuiteResult] = []
        for p in plans.indices {
            if let whole = plans[p].whole {
                results.append(taken(whole.suite, plans[p]))
                plans[p].whole = nil
                continue
            }
            var plan = plans[p]
            (plans[p].suite.cases, plans[p].key.inputDigests, plans[p].key.scoringDigests, plans[p].kept) = (
                [], [], [], [:]
            )
            // Taken out of `ran`, so that a suite whose every case ran is completed in place
            // rather than copied (a copy of 100,000 cases is tens of megabytes).
            var fresh = ran.removeValue(forKey: plan.suite.config.name)?.cases ?? []
            let cases: [CaseResult]
            if plan.kept.isEmpty, fresh.lazy.map(\.id).elementsEqual(plan.suite.cases.lazy.map(\.id)) {
                for i in fresh.indices {
                    (fresh[i].inputBlob, fresh[i].scoringBlob) = (plan.key.inputDigests[i], plan.key.scoringDigests[i])
                }
                cases = fresh
            } else {
                let position = Dictionary(uniqueKeysWithValues: fresh.enumerated().map { ($1.id, $0) })
                cases = try plan.suite.cases.enumerated().map { i, c in
                    if let kept = plan.kept[i] { return kept }
                    guard let at = position[c.id] else {
                        throw EvalGuardError.evaluation(
                            "suite '\(plan.suite.config.name)': case \(c.id) was asked, but no answer came back for it")
                    }
                    var r = fresh[at]
                    (r.inputBlob, r.scoringBlob) = (plan.key.inputDigests[i], plan.key.scoringDigests[i])
                    return r
                }
            }
            fresh = []
            // The plan's cases and digests are in `cases` now: released before the ids, the metrics
            // and the writing, the peak of a large run (at 100,000 cases they are 10 MB).
            let kept = plan.kept
            (plan.suite.cases, plan.key.inputDigests, plan.key.scoringDigests, plan.kept) = ([], [], [], [:])
            var ran: [String] = []
            ran.reserveCapacity(cases.count - kept.count)
            for (i, c) in cases.enumerated() where kept[i] == nil { ran.append(c.id) }
            var reuse = plan.reuse
            reuse.ran = ran
            var suite = SuiteResult(
                name: plan.suite.config.name, casesFile: plan.suite.config.casesPath, casesDigest: plan.suite.digest,
                scorer: plan.suite.config.scorer.name, metrics: Metrics(cases), cases: cases)
            suite.model = plan.modelID == "model" ? nil : plan.modelID
            (suite.key, suite.modelFingerprint, suite.reuse) = (plan.key.key, plan.key.modelFingerprint, reuse)
            asking.scorers.record(plan.suite, into: &suite)
            results.append(suite)
        }
        // The result names one model: the first priced one (its prices tell a price change
        // from a code change in reports), else the first suite's.
        let described = plans.map {
            descriptions[$0.modelID] ?? describe(config.model(of: $0.suite.config), price: prices[$0.modelID])
        }
        let model = described.first { ($0["prices"] ?? .null) != .null } ?? described.first ?? [:]
        var models: [String: [String: JSONValue]] = [:]
        for (plan, description) in zip(plans, described) { models[plan.modelID] = description }
        var result = RunResult(
            format: RunResult.formatVersion, evalguardVersion: EvalGuardVersion.current, commit: commit,
            dirty: !dirtyPaths.isEmpty, dirtyPaths: dirtyPaths.isEmpty ? nil : dirtyPaths,
            key: key, createdAt: utcTimestamp(),
            configDigest: GitHash.blobID(of: config.source.text), model: model,
            repeats: runs > 1 ? runs : nil, suites: results, overall: Metrics(suites: results))
        if models.count > 1 { result.models = models }
        warnings += cachedRateWarnings(config, plans: plans, results: results, prices: prices)
        return Outcome(result: result, warnings: warnings)
    }

    /// A stored suite taken whole (`SuitePlan.whole`): its cases, metrics, judge grades and
    /// embeddings as stored (the cases' array shared, not copied), under this evaluation's suite
    /// configuration and key, saying where its answers came from as a result reused whole does.
    static func taken(_ stored: SuiteResult, _ plan: SuitePlan) -> SuiteResult {
        var suite = stored
        (suite.name, suite.casesFile, suite.casesDigest, suite.scorer) = (
            plan.suite.config.name, plan.suite.config.casesPath, plan.suite.digest, plan.suite.config.scorer.name
        )
        suite.model = plan.modelID == "model" ? nil : plan.modelID
        (suite.key, suite.modelFingerprint, suite.reuse) = (plan.key.key, plan.key.modelFingerprint, plan.reuse)
        suite.judge = stored.judge.map(\.reused)
        // Re-asks made to settle another comparison belong to that one, as a planned case's do.
        suite.baselineReasks = nil
        return suite
    }

    /// A run's result and what else the command may want to say about it.
    package struct Outcome {
        package var result: RunResult
        /// Things worth saying that did not stop the run (no price table, for instance).
        package var warnings: [String]
    }

    /// Expected answers by suite and case id, to print beside flipped cases: from `commit`, or
    /// from the working tree when nil. Empty when the cases cannot be read (the report then
    /// shows outputs alone).
    package static func expectedAnswers(_ config: EvalConfig, repository: Repository, commit: String?) -> [String:
        [String: JSONValue]]
    {
        cases(config, repository: repository, commit: commit).mapValues { $0.mapValues(\.expected) }
    }

    static func score(
        _ c: EvalCase, _ r: ModelResponse, _ scorer: Scorer, _ scoring: ScoringSession,
        runStart: UInt64? = nil
    ) -> CaseResult {
        var outcome = ScoreOutcome(passed: false)
        var digest: ObjectID?
        var text: String?
        if let output = r.output {
            let canonical = output.canonicalText
            digest = GitHash.blobDigest(of: canonical)
            text =
                canonical.count > CaseResult.outputCap
                ? String(canonical.prefix(CaseResult.outputLimit)) + "…" : canonical
            if r.error == nil {
                // A judged (or program-scored) scorer passes here when the scorers before the judge
                // (program) do; it decides after, in one batch.
                outcome =
                    !scorer.isExternal
                    ? scoring.score(scorer, output: output, expected: c.expected)
                    : scoring.scoreBeforeJudge(scorer, output: output, expected: c.expected)
            }
        }
        var result = CaseResult(
            id: c.id, passed: outcome.passed, score: outcome.score, latencyMs: (r.latencyMs * 1000).rounded() / 1000,
            costUSD: r.costUSD, usage: r.usage, error: r.error, timedOut: r.timedOut ? true : nil,
            coldStart: r.coldStart ? true : nil,
            output: text, retries: r.retries > 0 ? r.retries : nil,
            retryMs: r.retries > 0 ? (r.retryMs * 1000).rounded() / 1000 : nil)
        result.reason = outcome.reason
        if let error = outcome.error { result.error = error }
        result.outputBlob = digest
        result.requestLatenciesMs = r.requestLatenciesMs?.map { ($0 * 1000).rounded() / 1000 }
        if let output = r.output, output.canonicalText.count > CaseResult.outputCap { result.outputTruncated = true }
        if let output = r.output, r.error == nil {
            let counts = AgentOutput.counts(output)
            (result.toolCallCount, result.stepCount) = (
                counts.toolCalls > 0 ? counts.toolCalls : nil, counts.steps > 0 ? counts.steps : nil
            )
        }
        if r.retries > 0, let runStart {
            result.retryFromMs =
                (Double(r.retryStartNs > runStart ? r.retryStartNs - runStart : 0) / 1e3).rounded() / 1000
        }
        return result
    }
}

/// Where a request sits in `repeats` rounds over every case of the suites: run r of case i of
/// suite s is request r × width + (the cases of the suites before s) + i.
private struct RequestRound {
    /// Where each suite's cases start in a round, and where the round ends.
    let starts: [Int]
    let width: Int

    init(_ suites: [LoadedSuite]) {
        var end = 0
        starts =
            [0]
            + suites.map {
                end += $0.cases.count
                return end
            }
        width = end
    }

    func index(run r: Int, suite s: Int, case i: Int) -> Int { r * width + starts[s] + i }

    /// The run, suite and case of request `index`.
    func locate(_ index: Int) -> (run: Int, suite: Int, case: Int) {
        let (r, k) = index.quotientAndRemainder(dividingBy: width)
        var s = 0
        while starts[s + 1] <= k { s += 1 }
        return (r, s, k - starts[s])
    }
}
