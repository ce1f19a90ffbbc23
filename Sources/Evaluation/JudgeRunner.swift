import EvalGuardConfig
import EvalGuardGit
import EvalGuardRunner
import EvalGuardScoring
import EvalGuardStatistics
import EvalGuardStore
import EvalGuardSupport

/// Asks judges about answers in batches, through the same providers as the models (their
/// `jobs`, time-outs, retries and error budget), with a cache of judge answers.
///
/// A judge answer is cached under the judge's fingerprint, the blob id of the rendered prompt
/// and the sample's index: the same judge shown the same texts answers from the cache, so a
/// re-run whose outputs did not change, a second `blame` or a re-score asks nothing. A judge
/// change (model, settings, template, rubric, grades, samples) changes the fingerprint, and
/// nothing cached under the old one is used. Only valid grades are cached: a failed request or
/// a reply without a grade is asked again next time.
final class JudgeRunner: AskedScorer {
    private let providers: Providers
    /// Grades by full key: `<fingerprint>:<prompt digest>:<sample>`.
    private var cache: [String: String] = [:]
    private var made: [String: ModelProvider] = [:]
    /// The case that first needed each requested key, for messages about that request.
    private var caseOf: [String: String] = [:]
    /// Per suite: the cache keys its cases used this run, and what judging them cost.
    private var used: [String: Set<String>] = [:]
    private var stats: [String: Stats] = [:]

    private struct Stats {
        var requests = 0, cached = 0, errors = 0
        var better = 0, ties = 0, worse = 0, unpaired = 0
        var costs: [Double] = [], tokens: [Double] = [], latencies: [Double] = [], agreements: [Double] = []
    }

    /// `stored`: results whose judge answers are the cache (nearest first: the first answer
    /// under a key wins). `providers` makes a judge's provider when one is first asked.
    init(stored: [RunResult], providers: Providers) {
        self.providers = providers
        for result in stored {
            for suite in result.suites {
                guard let judge = suite.judge else { continue }
                for (key, grade) in judge.cache where cache[judge.fingerprint + ":" + key] == nil {
                    cache[judge.fingerprint + ":" + key] = grade
                }
            }
        }
    }

    func decides(_ scorer: Scorer) -> Bool { scorer.judge != nil }

    func group(of item: AskedItem) throws -> AskedGroup {
        let judge = try Self.judge(of: item)
        return AskedGroup(
            key: judge.modelID, subject: "the judge '\(judge.settings.judge)'", settings: judge.modelID,
            maxErrorRate: judge.model.maxErrorRate, hint: "A reply must end with a line 'GRADE: <grade>'.")
    }

    /// The suite's resolved judge; a suite whose judge was not resolved (Evaluation.loadSuites
    /// resolves one for every judged suite) cannot be judged.
    private static func judge(of item: AskedItem) throws -> ResolvedJudge {
        guard let judge = item.judge else {
            throw EvalGuardError.evaluation("suite '\(item.suite)': its judge was not loaded")
        }
        return judge
    }

    /// The verdict on each item (all asked of one judge model), in order; a failed request or a
    /// reply without a grade is that item's error.
    func ask(_ items: [AskedItem]) throws -> [ScoreOutcome] {
        // Per item, per order shown to the judge (one; two when pairwise), per sample: a cache key.
        var keys: [[[String]]] = []
        var pending: Set<String> = []
        var order: [(key: String, request: ModelRequest, suite: String, judge: ResolvedJudge)] = []
        for item in items {
            let judge = try Self.judge(of: item)
            var itemKeys: [[String]] = []
            for (output, other) in Self.orders(item, judge) {
                let prompt = judge.prompt.render(
                    input: item.input, expected: item.expected, output: output, other: other)
                let digest = GitHash.blobID(of: prompt)
                var orderKeys: [String] = []
                for sample in 0..<judge.settings.samples {
                    let key = judge.fingerprint + ":" + digest + ":\(sample)"
                    orderKeys.append(key)
                    used[item.suite, default: []].insert(key)
                    if let grade = cache[key], JudgeGrade(Substring(grade), judge.settings.grades) != nil {
                        stats[item.suite, default: Stats()].cached += 1
                    } else if pending.insert(key).inserted {
                        if caseOf[key] == nil { caseOf[key] = "case \(item.id) of suite '\(item.suite)'" }
                        order.append((key, ModelRequest(id: key, input: .string(prompt)), item.suite, judge))
                    }
                }
                itemKeys.append(orderKeys)
            }
            keys.append(itemKeys)
        }
        var failures: [String: String] = [:]
        var replies: [String: String] = [:]
        if let first = order.first {
            let provider = try provider(for: first.judge)
            let responses = try providers.answer(provider, order.map(\.request))
            for ((key, _, suite, judge), r) in zip(order, responses) {
                stats[suite, default: Stats()].requests += 1
                if let c = r.costUSD { stats[suite, default: Stats()].costs.append(c) }
                if let u = r.usage, let t = PriceTable.BilledTokens.total(usage: u) {
                    stats[suite, default: Stats()].tokens.append(t)
                }
                if r.error == nil { stats[suite, default: Stats()].latencies.append(r.latencyMs) }
                guard r.error == nil, let output = r.output else {
                    failures[key] = "judge: " + (r.error ?? "no answer")
                    continue
                }
                let reply = output.stringValue ?? output.canonicalText
                guard let g = JudgeGrade.last(in: reply, grades: judge.settings.grades) else {
                    failures[key] =
                        "judge: no valid grade in the reply (its last grade line must be 'GRADE: <\(judge.settings.grades.described)>')"
                    continue
                }
                cache[key] = g.grade
                replies[key] =
                    reply.count > CommandScorerRunner.reasonLimit
                    ? "…" + reply.suffix(CommandScorerRunner.reasonLimit) : reply
            }
        }
        var verdicts: [ScoreOutcome] = []
        for (item, itemKeys) in zip(items, keys) {
            let judge = try Self.judge(of: item)
            // A grade is cached only once checked (asked now, or a stored one read above), so
            // every key has one; a key without one fails its case rather than stopping the run.
            let parsed = itemKeys.map {
                $0.map { key in cache[key].flatMap { JudgeGrade(Substring($0), judge.settings.grades) } }
            }
            let missing = parsed.joined().contains { $0 == nil } ? "judge: no valid grade for this answer" : nil
            if let failure = itemKeys.joined().lazy.compactMap({ failures[$0] }).first ?? missing {
                verdicts.append(.failed(failure))
                stats[item.suite, default: Stats()].errors += 1
                continue
            }
            let grades = parsed.map { $0.compactMap { $0 } }
            if judge.settings.mode == .pairwise {
                verdicts.append(pairwise(item, grades))
                continue
            }
            let majority = JudgeMajority(grades[0])
            if judge.settings.samples > 1 { stats[item.suite, default: Stats()].agreements.append(majority.agreement) }
            // The reply of a sample that agrees with the verdict, when one was asked in this run
            // (the cache keeps grades only).
            let shown = zip(itemKeys[0], grades[0]).first { replies[$0.0] != nil && $0.1.passed == majority.passed }
            verdicts.append(
                ScoreOutcome(passed: majority.passed, score: majority.score, reason: shown.flatMap { replies[$0.0] }))
        }
        return verdicts
    }

    /// What the judge is shown, in order: the answer; pairwise, the answer as A against the
    /// baseline's as B, then the other way round. None when there is nothing to compare: no
    /// stored baseline answer, or the same answer (a tie without asking).
    static func orders(_ item: AskedItem, _ judge: ResolvedJudge) -> [(JSONValue, JSONValue)] {
        guard judge.settings.mode == .pairwise else { return [(item.output, .null)] }
        guard let reference = item.reference, reference != item.output else { return [] }
        return [(item.output, reference), (reference, item.output)]
    }

    /// Pairwise: each order's majority grade seen from the current answer (better, worse or a
    /// tie); orders that disagree, as a judge that prefers a position does, are a tie. Passes
    /// when not worse; scores 1, 0.5 or 0.
    private func pairwise(_ item: AskedItem, _ grades: [[JudgeGrade]]) -> ScoreOutcome {
        guard grades.count == 2 else {
            if item.reference == nil {
                stats[item.suite, default: Stats()].unpaired += 1
            } else {
                stats[item.suite, default: Stats()].ties += 1
            }
            return ScoreOutcome(passed: true, score: 0.5)
        }
        var seen: [Int] = []
        for (index, samples) in grades.enumerated() {
            var counts: [String: Int] = [:]
            for g in samples { counts[g.grade, default: 0] += 1 }
            let top = counts.values.max() ?? 0
            let leaders = counts.filter { $0.value == top }.map(\.key)
            let label = leaders.count == 1 ? leaders[0] : "tie"
            if samples.count > 1 {
                stats[item.suite, default: Stats()].agreements.append(
                    Double(counts[label] ?? 0) / Double(samples.count))
            }
            // +1: the current answer is better; -1: the baseline's is.
            let current = index == 0 ? "A" : "B"
            let baseline = index == 0 ? "B" : "A"
            seen.append(label == current ? 1 : label == baseline ? -1 : 0)
        }
        let outcome = seen[0] == seen[1] ? seen[0] : 0
        switch outcome {
        case 1: stats[item.suite, default: Stats()].better += 1
        case -1: stats[item.suite, default: Stats()].worse += 1
        default: stats[item.suite, default: Stats()].ties += 1
        }
        return ScoreOutcome(passed: outcome >= 0, score: Double(outcome + 1) / 2)
    }

    /// Marks the cache entries of answers judged earlier (kept with their verdicts) as used, so
    /// the new result carries them too; asks nothing.
    func keep(_ items: [AskedItem]) {
        for item in items {
            guard let judge = item.judge else { continue }
            for (output, other) in Self.orders(item, judge) {
                let digest = GitHash.blobID(
                    of: judge.prompt.render(input: item.input, expected: item.expected, output: output, other: other))
                for sample in 0..<judge.settings.samples {
                    let key = judge.fingerprint + ":" + digest + ":\(sample)"
                    if cache[key] != nil { used[item.suite, default: []].insert(key) }
                }
            }
        }
    }

    func record(_ suite: LoadedSuite, into result: inout SuiteResult) {
        result.judge = suite.judge.map { record(suite: suite.config.name, judge: $0) }
    }

    /// The record a judged suite's result carries: fingerprint, cost of this run's judging, and
    /// the answers its cases used.
    func record(suite: String, judge: ResolvedJudge) -> JudgeRecord {
        var record = JudgeRecord(fingerprint: judge.fingerprint, settings: judge.stamp)
        let s = stats[suite] ?? Stats()
        (record.requests, record.cached, record.errors) = (s.requests, s.cached, s.errors)
        if !s.costs.isEmpty { record.costUSD = Money.sum(s.costs) }
        if !s.tokens.isEmpty { record.tokens = s.tokens.reduce(0, +) }
        let sorted = s.latencies.sorted()
        record.latencyP50Ms = Quantile.sorted(sorted, 0.5).map { ($0 * 1000).rounded() / 1000 }
        record.latencyP95Ms = Quantile.sorted(sorted, 0.95).map { ($0 * 1000).rounded() / 1000 }
        if !s.agreements.isEmpty { record.selfAgreement = s.agreements.reduce(0, +) / Double(s.agreements.count) }
        if judge.settings.mode == .pairwise {
            record.pairwise = PairwiseCounts(better: s.better, ties: s.ties, worse: s.worse, unpaired: s.unpaired)
            record.reference = judge.referenceCommit
        }
        let prefix = judge.fingerprint.count + 1
        for key in used[suite] ?? [] { record.cache[String(key.dropFirst(prefix))] = cache[key] }
        return record
    }

    private func provider(for judge: ResolvedJudge) throws -> ModelProvider {
        if let known = made[judge.modelID] { return known }
        // Its requests are cache keys: a message names the case that needed one.
        let wording = ProviderWording(subject: "the judge '\(judge.settings.judge)'", settings: judge.modelID) {
            [weak self] key in
            self?.caseOf[key] ?? "request \(key)"
        }
        let provider = try providers.make(judge.model, wording: wording).provider
        made[judge.modelID] = provider
        return provider
    }
}
