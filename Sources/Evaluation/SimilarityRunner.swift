import EvalGuardConfig
import EvalGuardGit
import EvalGuardRunner
import EvalGuardScoring
import EvalGuardStore
import EvalGuardSupport

/// Scores answers by the cosine similarity of their embeddings with the expected text's, asked
/// of an openai-compatible `/embeddings` endpoint through the openai provider (its transport,
/// key, retries, proxies and error budget), texts in batches.
///
/// Embeddings are cached by the embedder's id (its base URL and model name) and the text's blob
/// id: from the stored results first, then what this run asked. A suite's result carries the
/// embeddings its cases used, so a re-run or a re-score (a new threshold) asks nothing.
final class SimilarityRunner: AskedScorer {
    /// Texts per embeddings request.
    static let batchSize = 64

    private let config: EvalConfig
    private let providers: Providers
    private var cache: [String: [Double]] = [:]
    private var used: [String: Set<String>] = [:]

    /// `stored`: results whose embeddings are the cache (nearest first).
    init(config: EvalConfig, stored: [RunResult], providers: Providers) {
        self.config = config
        self.providers = providers
        for result in stored {
            for suite in result.suites {
                for (key, vector) in suite.embeddings ?? [:] where cache[key] == nil { cache[key] = vector }
            }
        }
    }

    func decides(_ scorer: Scorer) -> Bool { scorer.similarity != nil }

    func group(of item: AskedItem) throws -> AskedGroup {
        let (_, name, model) = try embedder(of: item)
        return AskedGroup(
            key: name, subject: "the embeddings model '\(name)'", settings: "models.\(name)",
            maxErrorRate: model.maxErrorRate, hint: "Check that models.\(name) serves <base_url>/embeddings.")
    }

    /// The item's similarity settings and the model they name. `EvalConfig` refuses a similarity
    /// scorer whose model is not in "models"; a configuration that got here without that check is
    /// refused the same way (exit 2), never trapped on.
    private func embedder(of item: AskedItem) throws -> (settings: SimilaritySettings, name: String, model: ModelConfig)
    {
        guard let settings = item.scorer.similarity else {
            throw EvalGuardError.evaluation("suite '\(item.suite)': its scorer is not the similarity scorer")
        }
        guard let model = config.models[settings.model] else {
            throw EvalGuardError(
                "suite '\(item.suite)': the similarity scorer's model '\(settings.model)' is not a model in \"models\"",
                file: EvalConfig.path, hint: "Add it under \"models\".")
        }
        return (settings, settings.model, model)
    }

    /// The embedder's part of a cache key: what decides the vectors a text gets.
    static func embedderID(_ model: ModelConfig) -> String {
        guard let openAI = model.openAI else { return "none" }
        return GitHash.blobID(of: "evalguard embedder\n" + openAI.baseURL + "\n" + openAI.model)
    }

    static func text(_ value: JSONValue) -> String { value.stringValue ?? value.canonicalText }

    /// The verdict on each item (all of one embeddings model), in order; a text the endpoint
    /// did not embed is its item's error.
    func ask(_ items: [AskedItem]) throws -> [ScoreOutcome] {
        guard let first = items.first else { return [] }
        let (_, name, model) = try embedder(of: first)
        let id = Self.embedderID(model)
        var keys: [(String, String)] = []
        var thresholds: [Double] = []
        var missing: [(key: String, text: String, item: String)] = []
        var queued: Set<String> = []
        for item in items {
            thresholds.append(try embedder(of: item).settings.threshold)
            let pair = [item.output, item.expected].map { value -> String in
                let text = Self.text(value)
                let key = id + ":" + GitHash.blobID(of: text)
                used[item.suite, default: []].insert(key)
                if cache[key] == nil, queued.insert(key).inserted {
                    missing.append((key, text, "case \(item.id) of suite '\(item.suite)'"))
                }
                return key
            }
            keys.append((pair[0], pair[1]))
        }
        var failures: [String: String] = [:]
        if !missing.isEmpty {
            let batches = stride(from: 0, to: missing.count, by: Self.batchSize).map {
                Array(missing[$0..<min($0 + Self.batchSize, missing.count)])
            }
            let requests = batches.enumerated().map { n, batch in
                ModelRequest(id: "embeddings-\(n)", input: .array(batch.map { .string($0.text) }))
            }
            let firstCase = Dictionary(uniqueKeysWithValues: zip(requests.map(\.id), batches.map { $0[0].item }))
            var wording = ProviderWording(subject: "the embeddings model '\(name)'", settings: "models.\(name)")
            wording.request = { firstCase[$0].map { "the texts from \($0) on" } ?? "request " + $0 }
            let provider = try providers.make(model, wording: wording, endpoint: .embeddings).provider
            let responses = try providers.answer(provider, requests)
            for (batch, response) in zip(batches, responses) {
                guard response.error == nil, case .array(let vectors)? = response.output, vectors.count == batch.count
                else {
                    let why =
                        response.error
                        ?? "the endpoint returned \(response.output?.arrayValue?.count ?? 0) embeddings for \(batch.count) texts"
                    for entry in batch { failures[entry.key] = why }
                    continue
                }
                for (entry, vector) in zip(batch, vectors) {
                    // The provider nulls a vector that is not all numbers; checked again here,
                    // since a vector that is not is this text's error, never a trap.
                    guard case .array(let numbers) = vector, case let values = numbers.compactMap(\.numberValue),
                        values.count == numbers.count
                    else {
                        failures[entry.key] = "the endpoint's embedding for this text is not an array of numbers"
                        continue
                    }
                    cache[entry.key] = values
                }
            }
        }
        return zip(thresholds, keys).map { threshold, pair in
            guard let a = cache[pair.0], let b = cache[pair.1] else {
                return .failed("similarity: " + (failures[pair.0] ?? failures[pair.1] ?? "no embedding"))
            }
            guard let cosine = Self.cosine(a, b) else {
                return .failed(
                    "similarity: the embeddings differ in length (\(a.count) and \(b.count)) or one is all zeros")
            }
            return ScoreOutcome(passed: cosine >= threshold, score: max(0, cosine))
        }
    }

    /// Marks the embeddings of answers kept without re-scoring as used, so the new result
    /// carries them too; asks nothing.
    func keep(_ items: [AskedItem]) {
        for item in items {
            guard let model = try? embedder(of: item).model else { continue }
            let id = Self.embedderID(model)
            for value in [item.output, item.expected] {
                let key = id + ":" + GitHash.blobID(of: Self.text(value))
                if cache[key] != nil { used[item.suite, default: []].insert(key) }
            }
        }
    }

    func record(_ suite: LoadedSuite, into result: inout SuiteResult) {
        result.embeddings = record(suite: suite.config.name)
    }

    /// The embeddings a suite's cases used, for its result.
    func record(suite: String) -> [String: [Double]]? {
        guard let keys = used[suite], !keys.isEmpty else { return nil }
        var out: [String: [Double]] = [:]
        for key in keys { if let v = cache[key] { out[key] = v } }
        return out
    }

    /// Cosine similarity; nil when the lengths differ or a vector is all zeros (or not finite).
    /// Each vector is divided by its largest magnitude first: the cosine does not change, and
    /// squares of components as large as 1e200 no longer overflow to infinity (nor tiny ones
    /// underflow to zero).
    static func cosine(_ a: [Double], _ b: [Double]) -> Double? {
        guard a.count == b.count, !a.isEmpty else { return nil }
        let sa = a.reduce(0) { max($0, abs($1)) }
        let sb = b.reduce(0) { max($0, abs($1)) }
        guard sa > 0, sb > 0, sa.isFinite, sb.isFinite else { return nil }
        var dot = 0.0
        var na = 0.0
        var nb = 0.0
        for i in a.indices {
            let x = a[i] / sa
            let y = b[i] / sb
            dot += x * y
            na += x * x
            nb += y * y
        }
        return min(1, max(-1, dot / (na.squareRoot() * nb.squareRoot())))
    }
}
