import EvalGuardConfig
import EvalGuardGit
import EvalGuardRunner
import EvalGuardStore
import EvalGuardSupport

/// Scores answers by the cosine similarity of their embeddings with the expected text's, asked
/// of an openai-compatible `/embeddings` endpoint through the openai provider (its transport,
/// key, retries, proxies and error budget), texts in batches.
///
/// Embeddings are cached by the embedder's id (its base URL and model name) and the text's blob
/// id: from the stored results first, then what this run asked. A suite's result carries the
/// embeddings its cases used, so a re-run or a re-score (a new threshold) asks nothing.
final class SimilarityRunner {
    struct Item {
        var suite: String
        var settings: SimilaritySettings
        var output: JSONValue
        var expected: JSONValue
    }

    struct Verdict: Equatable {
        var passed: Bool
        var score: Double
        var error: String?
    }

    /// Texts per embeddings request.
    static let batchSize = 64

    private let config: EvalConfig
    private let environment: [String: String]
    private var cache: [String: [Double]] = [:]
    private var used: [String: Set<String>] = [:]
    /// Embeddings requests sent by this runner (for tests).
    private(set) var requestsMade = 0

    init(config: EvalConfig, stored: [RunResult], environment: [String: String]) {
        self.config = config
        self.environment = environment
        for result in stored {
            for suite in result.suites {
                for (key, vector) in suite.embeddings ?? [:] where cache[key] == nil { cache[key] = vector }
            }
        }
    }

    /// The embedder's part of a cache key: what decides the vectors a text gets.
    static func embedderID(_ model: ModelConfig) -> String {
        guard let openAI = model.openAI else { return "none" }
        return GitHash.blobID(of: "evalguard embedder\n" + openAI.baseURL + "\n" + openAI.model)
    }

    static func text(_ value: JSONValue) -> String { value.stringValue ?? value.canonicalText }

    /// The verdict on each item, in order. Throws when the endpoint fails on more of the texts
    /// than the embedder's `max_error_rate` allows (exit 3), like a model.
    func score(_ items: [Item]) throws -> [Verdict] {
        var keys: [(String, String)] = []
        var missing: [String: [(key: String, text: String)]] = [:]
        var queued: Set<String> = []
        for item in items {
            let model = config.models[item.settings.model]!
            let id = Self.embedderID(model)
            let pair = [item.output, item.expected].map { value -> String in
                let text = Self.text(value)
                let key = id + ":" + GitHash.blobID(of: text)
                used[item.suite, default: []].insert(key)
                if cache[key] == nil, queued.insert(key).inserted { missing[item.settings.model, default: []].append((key, text)) }
                return key
            }
            keys.append((pair[0], pair[1]))
        }
        var failures: [String: String] = [:]
        for name in missing.keys.sorted() {
            let model = config.models[name]!
            let provider = try OpenAIProvider(model: model, openAI: model.openAI!, price: nil, environment: environment)
            provider.endpoint = .embeddings
            let texts = missing[name]!
            let batches = stride(from: 0, to: texts.count, by: Self.batchSize).map { Array(texts[$0..<min($0 + Self.batchSize, texts.count)]) }
            let requests = batches.enumerated().map { n, batch in ModelRequest(id: "embeddings-\(n)", input: .array(batch.map { .string($0.text) })) }
            let responses = try provider.answer(requests, progress: { _ in })
            requestsMade += requests.count
            for (batch, response) in zip(batches, responses) {
                guard response.error == nil, case .array(let vectors)? = response.output, vectors.count == batch.count else {
                    let why = response.error ?? "the endpoint returned \(response.output?.arrayValue?.count ?? 0) embeddings for \(batch.count) texts"
                    for entry in batch { failures[entry.key] = why }
                    continue
                }
                for (entry, vector) in zip(batch, vectors) {
                    guard case .array(let numbers) = vector else {
                        failures[entry.key] = "the endpoint's embedding for this text is not an array of numbers"
                        continue
                    }
                    cache[entry.key] = numbers.map { $0.numberValue! }
                }
            }
        }
        var verdicts: [Verdict] = []
        var errored: [String: Int] = [:]
        for (item, (outputKey, expectedKey)) in zip(items, keys) {
            guard let a = cache[outputKey], let b = cache[expectedKey] else {
                let why = failures[outputKey] ?? failures[expectedKey] ?? "no embedding"
                verdicts.append(Verdict(passed: false, score: 0, error: "similarity: " + why))
                errored[item.settings.model, default: 0] += 1
                continue
            }
            guard let cosine = Self.cosine(a, b) else {
                verdicts.append(Verdict(passed: false, score: 0,
                                        error: "similarity: the embeddings differ in length (\(a.count) and \(b.count)) or one is all zeros"))
                errored[item.settings.model, default: 0] += 1
                continue
            }
            verdicts.append(Verdict(passed: cosine >= item.settings.threshold, score: max(0, cosine)))
        }
        for (name, count) in errored {
            let total = items.count { $0.settings.model == name }
            let rate = config.models[name]!.maxErrorRate
            if Double(count) > rate * Double(total) {
                throw EvalGuardError.evaluation(
                    "the embeddings model '\(name)' failed on \(count) of \(total) answers, more than its max_error_rate (\(rate)); stopping",
                    hint: "Check that models.\(name) serves <base_url>/embeddings. Last failure: " + (failures.values.sorted().first ?? "unknown"))
            }
        }
        return verdicts
    }

    /// Marks the embeddings of answers kept without re-scoring as used, so the new result
    /// carries them too; asks nothing.
    func keep(_ items: [Item]) {
        for item in items {
            let id = Self.embedderID(config.models[item.settings.model]!)
            for value in [item.output, item.expected] {
                let key = id + ":" + GitHash.blobID(of: Self.text(value))
                if cache[key] != nil { used[item.suite, default: []].insert(key) }
            }
        }
    }

    /// The embeddings a suite's cases used, for its result.
    func record(suite: String) -> [String: [Double]]? {
        guard let keys = used[suite], !keys.isEmpty else { return nil }
        var out: [String: [Double]] = [:]
        for key in keys { if let v = cache[key] { out[key] = v } }
        return out
    }

    /// Cosine similarity; nil when the lengths differ or a vector is all zeros.
    static func cosine(_ a: [Double], _ b: [Double]) -> Double? {
        guard a.count == b.count, !a.isEmpty else { return nil }
        var dot = 0.0, na = 0.0, nb = 0.0
        for i in a.indices { dot += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i] }
        guard na > 0, nb > 0 else { return nil }
        return min(1, max(-1, dot / (na.squareRoot() * nb.squareRoot())))
    }
}
