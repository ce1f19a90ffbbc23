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
final class JudgeRunner {
    struct Item {
        var suite: String
        var judge: ResolvedJudge
        var input: JSONValue
        var expected: JSONValue
        var output: JSONValue
        /// Pairwise: the baseline's answer for the case, when stored.
        var reference: JSONValue? = nil
    }

    struct Verdict: Equatable {
        var passed: Bool
        var score: Double
        var error: String?
        /// The end of the judge's reply (its reasons and grade line), for a grade asked in this run.
        var reason: String?
    }

    private let directory: () throws -> String
    private let environment: [String: String]
    /// Grades by full key: `<fingerprint>:<prompt digest>:<sample>`.
    private var cache: [String: String] = [:]
    private var providers: [String: ModelProvider] = [:]
    /// Per suite: the cache keys its cases used this run, and what judging them cost.
    private var used: [String: Set<String>] = [:]
    private var stats: [String: Stats] = [:]
    /// Requests sent to judges by this runner (for tests and the benchmark).
    private(set) var requestsMade = 0

    private struct Stats {
        var requests = 0, cached = 0, errors = 0
        var better = 0, ties = 0, worse = 0, unpaired = 0
        var costs: [Double] = [], tokens: [Double] = [], latencies: [Double] = [], agreements: [Double] = []
    }

    /// `stored`: results whose judge answers are the cache (nearest first: the first answer
    /// under a key wins). `directory` is where a judge's provider runs (called only when a
    /// judge is asked).
    init(stored: [RunResult], directory: @escaping () throws -> String, environment: [String: String]) {
        self.directory = directory
        self.environment = environment
        for result in stored {
            for suite in result.suites {
                guard let judge = suite.judge else { continue }
                for (key, grade) in judge.cache where cache[judge.fingerprint + ":" + key] == nil { cache[judge.fingerprint + ":" + key] = grade }
            }
        }
    }

    /// The verdict on each item, in order. Throws when a judge fails on more of the items than
    /// its `max_error_rate` allows (exit 3), like a model.
    func grade(_ items: [Item]) throws -> [Verdict] {
        // Per item, per order shown to the judge (one; two when pairwise), per sample: a cache key.
        var keys: [[[String]]] = []
        var pending: [String: (modelID: String, request: ModelRequest, suite: String)] = [:]
        var order: [String] = []
        for item in items {
            var itemKeys: [[String]] = []
            for (output, other) in Self.orders(item) {
                let prompt = item.judge.prompt.render(input: item.input, expected: item.expected, output: output, other: other)
                let digest = GitHash.blobID(of: prompt)
                var orderKeys: [String] = []
                for sample in 0..<item.judge.settings.samples {
                    let key = item.judge.fingerprint + ":" + digest + ":\(sample)"
                    orderKeys.append(key)
                    used[item.suite, default: []].insert(key)
                    if let grade = cache[key], JudgeGrade(Substring(grade), item.judge.settings.grades) != nil {
                        stats[item.suite, default: Stats()].cached += 1
                    } else if pending[key] == nil {
                        pending[key] = (item.judge.modelID, ModelRequest(id: key, input: .string(prompt)), item.suite)
                        order.append(key)
                    }
                }
                itemKeys.append(orderKeys)
            }
            keys.append(itemKeys)
        }
        var failures: [String: String] = [:]
        var replies: [String: String] = [:]
        var byModel: [String: [String]] = [:]
        var modelOrder: [String] = []
        for key in order {
            let id = pending[key]!.modelID
            if byModel[id] == nil { modelOrder.append(id) }
            byModel[id, default: []].append(key)
        }
        for id in modelOrder {
            let batch = byModel[id]!
            let judge = items.first { $0.judge.modelID == id }!.judge
            let provider = try provider(for: judge)
            let responses = try provider.answer(batch.map { pending[$0]!.request }, progress: { _ in })
            requestsMade += batch.count
            for (key, r) in zip(batch, responses) {
                let suite = pending[key]!.suite
                stats[suite, default: Stats()].requests += 1
                if let c = r.costUSD { stats[suite]!.costs.append(c) }
                if let u = r.usage, let t = u["total_tokens"] ?? u["prompt_tokens"].map({ $0 + (u["completion_tokens"] ?? 0) }) {
                    stats[suite]!.tokens.append(t)
                }
                if r.error == nil { stats[suite]!.latencies.append(r.latencyMs) }
                guard r.error == nil, let output = r.output else {
                    failures[key] = "judge: " + (r.error ?? "no answer")
                    continue
                }
                let reply = output.stringValue ?? output.canonicalText
                guard let g = JudgeGrade.last(in: reply, grades: judge.settings.grades) else {
                    failures[key] = "judge: no valid grade in the reply (its last grade line must be 'GRADE: <\(judge.settings.grades.described)>')"
                    continue
                }
                cache[key] = g.grade
                replies[key] = reply.count > CommandScorerRunner.reasonLimit ? "…" + reply.suffix(CommandScorerRunner.reasonLimit) : reply
            }
        }
        var verdicts: [Verdict] = []
        var errored: [String: Int] = [:]
        for (item, itemKeys) in zip(items, keys) {
            if let failure = itemKeys.joined().lazy.compactMap({ failures[$0] }).first {
                verdicts.append(Verdict(passed: false, score: 0, error: failure))
                stats[item.suite, default: Stats()].errors += 1
                errored[item.judge.modelID, default: 0] += 1
                continue
            }
            let grades = itemKeys.map { $0.map { key in JudgeGrade(Substring(cache[key]!), item.judge.settings.grades)! } }
            if item.judge.settings.mode == .pairwise {
                verdicts.append(pairwise(item, grades))
                continue
            }
            let majority = JudgeMajority(grades[0])
            if item.judge.settings.samples > 1 { stats[item.suite, default: Stats()].agreements.append(majority.agreement) }
            let shown = zip(itemKeys[0], grades[0]).first { replies[$0.0] != nil && $0.1.passed == majority.passed }
            verdicts.append(Verdict(passed: majority.passed, score: majority.score, reason: shown.flatMap { replies[$0.0] }))
        }
        for (id, count) in errored {
            let judge = items.first { $0.judge.modelID == id }!.judge
            let total = items.count { $0.judge.modelID == id }
            if Double(count) > judge.model.maxErrorRate * Double(total) {
                throw EvalGuardError.evaluation(
                    "the judge '\(judge.settings.judge)' failed on \(count) of \(total) answers, more than its max_error_rate (\(judge.model.maxErrorRate)); stopping",
                    hint: "A reply must end with a line 'GRADE: <grade>'. Last failure: " + (failures.values.sorted().first ?? "unknown"))
            }
        }
        return verdicts
    }

    /// What the judge is shown, in order: the answer; pairwise, the answer as A against the
    /// baseline's as B, then the other way round. None when there is nothing to compare: no
    /// stored baseline answer, or the same answer (a tie without asking).
    static func orders(_ item: Item) -> [(JSONValue, JSONValue)] {
        guard item.judge.settings.mode == .pairwise else { return [(item.output, .null)] }
        guard let reference = item.reference, reference != item.output else { return [] }
        return [(item.output, reference), (reference, item.output)]
    }

    /// Pairwise: each order's majority grade seen from the current answer (better, worse or a
    /// tie); orders that disagree, as a judge that prefers a position does, are a tie. Passes
    /// when not worse; scores 1, 0.5 or 0.
    private func pairwise(_ item: Item, _ grades: [[JudgeGrade]]) -> Verdict {
        guard grades.count == 2 else {
            if item.reference == nil { stats[item.suite, default: Stats()].unpaired += 1 } else { stats[item.suite, default: Stats()].ties += 1 }
            return Verdict(passed: true, score: 0.5)
        }
        var seen: [Int] = []
        for (index, samples) in grades.enumerated() {
            var counts: [String: Int] = [:]
            for g in samples { counts[g.grade, default: 0] += 1 }
            let top = counts.values.max()!
            let leaders = counts.filter { $0.value == top }.map(\.key)
            let label = leaders.count == 1 ? leaders[0] : "tie"
            if samples.count > 1 { stats[item.suite, default: Stats()].agreements.append(Double(counts[label] ?? 0) / Double(samples.count)) }
            // +1: the current answer is better; -1: the baseline's is.
            let current = index == 0 ? "A" : "B", baseline = index == 0 ? "B" : "A"
            seen.append(label == current ? 1 : label == baseline ? -1 : 0)
        }
        let outcome = seen[0] == seen[1] ? seen[0] : 0
        switch outcome {
        case 1: stats[item.suite, default: Stats()].better += 1
        case -1: stats[item.suite, default: Stats()].worse += 1
        default: stats[item.suite, default: Stats()].ties += 1
        }
        return Verdict(passed: outcome >= 0, score: Double(outcome + 1) / 2)
    }

    /// Marks the cache entries of answers judged earlier (kept with their verdicts) as used, so
    /// the new result carries them too; asks nothing.
    func keep(_ items: [Item]) {
        for item in items {
            for (output, other) in Self.orders(item) {
                let digest = GitHash.blobID(of: item.judge.prompt.render(input: item.input, expected: item.expected, output: output, other: other))
                for sample in 0..<item.judge.settings.samples {
                    let key = item.judge.fingerprint + ":" + digest + ":\(sample)"
                    if cache[key] != nil { used[item.suite, default: []].insert(key) }
                }
            }
        }
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
        if let known = providers[judge.modelID] { return known }
        let made = try Evaluation.makeProvider(judge.model, directory: try directory(), environment: environment).provider
        providers[judge.modelID] = made
        return made
    }
}
