/// The outcome of one case in a run.
public struct CaseResult: Codable, Sendable, Equatable {
    public var id: String
    public var passed: Bool
    public var score: Double
    public var latencyMs: Double
    public var costUSD: Double?
    public var usage: [String: Double]?
    public var error: String?
    public var timedOut: Bool?
    /// The first request of a model process: its latency includes start-up, so it is kept out
    /// of the latency percentiles.
    public var coldStart: Bool?
    /// Git blob id of the output's canonical JSON text (`git hash-object` reproduces it).
    public var outputDigest: String?
    /// The output's canonical JSON text, cut at `outputLimit` characters, for reports.
    public var output: String?
    /// With `repeat`: how many times the case ran and how many of those runs passed; `passed`
    /// is then "at least half passed" and `latencyMs` the median of `latenciesMs`, the warm
    /// answered runs' latencies. All nil for a case run once.
    public var runs: Int?
    public var passes: Int?
    public var latenciesMs: [Double]?

    /// Share of the case's runs that passed: 0 or 1 for a case run once.
    public var passRate: Double { runs.map { Double(passes ?? 0) / Double($0) } ?? (passed ? 1 : 0) }
    public var runCount: Int { runs ?? 1 }
    public var passCount: Int { runs == nil ? (passed ? 1 : 0) : passes ?? 0 }
    /// Outcomes that disagree across repeats.
    public var isFlaky: Bool { let r = passRate; return r > 0 && r < 1 }
    /// Retried attempts and the time they took (see `ModelResponse.retryMs`); nil when none.
    public var retries: Int?
    public var retryMs: Double?

    static let outputLimit = 500

    enum CodingKeys: String, CodingKey {
        case id, passed, score, usage, error, output
        case latencyMs = "latency_ms", costUSD = "cost_usd", timedOut = "timed_out", outputDigest = "output_digest"
        case coldStart = "cold_start"
        case runs, passes, latenciesMs = "latencies_ms"
        case retries, retryMs = "retry_ms"
    }
}

/// One suite's part of a run.
public struct SuiteResult: Codable, Sendable {
    public var name: String
    /// The case file, from the repository root, and its blob id.
    public var casesFile: String
    public var casesDigest: String
    public var scorer: String
    public var metrics: Metrics
    public var cases: [CaseResult]

    enum CodingKeys: String, CodingKey {
        case name, scorer, metrics, cases
        case casesFile = "cases_file", casesDigest = "cases_digest"
    }
}

/// `.evals/results/<commit>.json`: everything one evaluation of one commit produced.
public struct RunResult: Codable, Sendable {
    /// Bumped when the layout or the meaning of a field changes; part of every evaluation key.
    public static let formatVersion = 1

    public var format: Int
    public var evalguardVersion: String
    public var commit: String
    /// True when the working tree differed from the commit in something the model depends on.
    public var dirty: Bool
    public var dirtyPaths: [String]?
    /// The evaluation key of what was evaluated (see `EvaluationKey`).
    public var key: String
    public var createdAt: String
    public var configDigest: String
    public var model: [String: JSONValue]
    /// Runs per case (`repeat`); nil for 1.
    public var repeats: Int?
    public var suites: [SuiteResult]
    public var overall: Metrics

    enum CodingKeys: String, CodingKey {
        case format, commit, dirty, key, model, suites, overall
        case repeats = "repeat"
        case evalguardVersion = "evalguard_version", dirtyPaths = "dirty_paths"
        case createdAt = "created_at", configDigest = "config_digest"
    }

    public func suite(_ name: String) -> SuiteResult? { suites.first { $0.name == name } }

    /// A description of the price table the cost was computed with (a digest, or the table
    /// itself), when the provider records one in `model["prices"]`. Two runs whose tables differ
    /// cannot blame a cost change on the code.
    public var prices: JSONValue? { model["prices"].flatMap { $0 == .null ? nil : $0 } }
}
