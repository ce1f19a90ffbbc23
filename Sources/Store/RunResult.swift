import EvalGuardSupport

/// The outcome of one case in a run.
package struct CaseResult: Codable, Sendable, Equatable {
    package var id: String
    package var passed: Bool
    package var score: Double
    package var latencyMs: Double
    package var costUSD: Double?
    package var usage: [String: Double]?
    package var error: String?
    /// Why the scorer failed the answer, when it says (the json-schema scorer's first violation):
    /// model-derived text, escaped wherever it is shown.
    package var reason: String?
    package var timedOut: Bool?
    /// The first request of a model process: its latency includes start-up, so it is kept out
    /// of the latency percentiles.
    package var coldStart: Bool?
    /// Git blob id of the output's canonical JSON text (`git hash-object` reproduces it).
    package var outputDigest: String?
    /// The output's canonical JSON text: whole up to `outputCap` characters, else its first
    /// `outputLimit` characters and "…" (with `outputTruncated`).
    package var output: String?
    /// With `repeat`: how many times the case ran and how many of those runs passed; `passed`
    /// is then "at least half passed" and `latencyMs` the median of `latenciesMs`, the warm
    /// answered runs' latencies. All nil for a case run once.
    package var runs: Int?
    package var passes: Int?
    package var latenciesMs: [Double]?
    /// With `repeat`: the distinct outputs of the runs and how many runs gave each, so that a
    /// repeated case can be re-scored without the model. Nil when a run failed or an output
    /// was beyond `outputCap` (the case then runs again when its scoring changes).
    package var runOutputs: [RunOutput]?

    /// Share of the case's runs that passed: 0 or 1 for a case run once.
    package var passRate: Double { runs.map { Double(passes ?? 0) / Double($0) } ?? (passed ? 1 : 0) }
    package var runCount: Int { runs ?? 1 }
    package var passCount: Int { runs == nil ? (passed ? 1 : 0) : passes ?? 0 }
    /// Outcomes that disagree across repeats.
    package var isFlaky: Bool { let r = passRate; return r > 0 && r < 1 }
    /// Retried attempts and the time they took (see `ModelResponse.retryMs`); nil when none.
    package var retries: Int?
    package var retryMs: Double?
    /// When the retry window began, in milliseconds since the run's first request: with
    /// `retryMs`, the interval `Metrics` merges with the other cases' (nil in older results).
    package var retryFromMs: Double?

    /// `output` holds the output's canonical JSON text whole up to `outputCap` characters, so a reused case can be re-scored with a new scorer or expected
    /// answer; beyond it only the first `outputLimit` characters (for reports) and
    /// `outputTruncated`, and the case re-runs when its scoring changes.
    package var outputTruncated: Bool?
    /// Blob id of the case's `input` (canonical JSON): with the suite's model fingerprint, what
    /// its answer depends on.
    package var inputDigest: String?
    /// Blob id of the scorer setting and the expected answer the case was scored with.
    package var scoringDigest: String?
    /// For a case taken from a stored result instead of asking the model: that result's commit.
    package var reusedFrom: String?
    /// How many of `runs` and `passes` were asked again to settle an inconclusive verdict (see
    /// `CaseResult+Settling.swift`); nil when the case was not re-asked.
    package var settledRuns: Int?
    package var settledPasses: Int?

    package static let outputLimit = 500
    package static let outputCap = 4096

    enum CodingKeys: String, CodingKey {
        case id, passed, score, usage, error, output, reason
        case latencyMs = "latency_ms", costUSD = "cost_usd", timedOut = "timed_out", outputDigest = "output_digest"
        case coldStart = "cold_start"
        case runs, passes, latenciesMs = "latencies_ms", runOutputs = "run_outputs"
        case retries, retryMs = "retry_ms", retryFromMs = "retry_from_ms"
        case outputTruncated = "output_truncated", inputDigest = "input_digest", scoringDigest = "scoring_digest"
        case reusedFrom = "reused_from"
        case settledRuns = "settled_runs", settledPasses = "settled_passes"
    }

    package init(id: String, passed: Bool, score: Double, latencyMs: Double, costUSD: Double? = nil, usage: [String: Double]? = nil, error: String? = nil, timedOut: Bool? = nil, coldStart: Bool? = nil, outputDigest: String? = nil, output: String? = nil, runs: Int? = nil, passes: Int? = nil, latenciesMs: [Double]? = nil, retries: Int? = nil, retryMs: Double? = nil) {
        self.id = id
        self.passed = passed
        self.score = score
        self.latencyMs = latencyMs
        self.costUSD = costUSD
        self.usage = usage
        self.error = error
        self.timedOut = timedOut
        self.coldStart = coldStart
        self.outputDigest = outputDigest
        self.output = output
        self.runs = runs
        self.passes = passes
        self.latenciesMs = latenciesMs
        self.retries = retries
        self.retryMs = retryMs
    }
}

/// One distinct output of a repeated case's runs.
package struct RunOutput: Codable, Sendable, Equatable {
    /// The output's canonical JSON text.
    package var output: String
    package var runs: Int

    package init(output: String, runs: Int) {
        self.output = output
        self.runs = runs
    }
}

/// One suite's part of a run.
package struct SuiteResult: Codable, Sendable {
    package var name: String
    /// The case file, from the repository root, and its blob id.
    package var casesFile: String
    package var casesDigest: String
    package var scorer: String
    package var metrics: Metrics
    package var cases: [CaseResult]
    /// The suite's model when it is not the default: `models.<name>` or `suites.<suite>.model`.
    package var model: String?
    /// The suite's evaluation key (model fingerprint, case ids and inputs, repeats) and its
    /// model's fingerprint (settings that reach the model and its input files).
    package var key: String?
    package var modelFingerprint: String?
    /// How this suite's result was obtained (cases run, reused, re-scored, re-priced).
    package var reuse: SuiteReuse?
    /// For a judged suite: its judge's fingerprint, cost and answers (see `JudgeRecord`).
    package var judge: JudgeRecord?
    /// For a similarity-scored suite: the embeddings its texts used, by `<embedder id>:<text's
    /// blob id>`, so a re-score asks the embeddings endpoint nothing.
    package var embeddings: [String: [Double]]?
    /// Re-asks of the baseline's model made to settle this suite's comparison (see `BaselineReasks`).
    package var baselineReasks: BaselineReasks?

    enum CodingKeys: String, CodingKey {
        case name, scorer, metrics, cases, model, key, reuse, judge, embeddings
        case baselineReasks = "baseline_reasks"
        case modelFingerprint = "model_fingerprint"
        case casesFile = "cases_file", casesDigest = "cases_digest"
    }
    package init(name: String, casesFile: String, casesDigest: String, scorer: String, metrics: Metrics, cases: [CaseResult]) {
        self.name = name
        self.casesFile = casesFile
        self.casesDigest = casesDigest
        self.scorer = scorer
        self.metrics = metrics
        self.cases = cases
    }
}

/// `.evals/results/<commit>.json`: everything one evaluation of one commit produced.
package struct RunResult: Codable, Sendable {
    /// Bumped when the layout or the meaning of a field changes; part of every evaluation key.
    package static let formatVersion = 2

    package var format: Int
    package var evalguardVersion: String
    package var commit: String
    /// True when the working tree differed from the commit in something the model depends on.
    package var dirty: Bool
    package var dirtyPaths: [String]?
    /// The evaluation key of what was evaluated (see `EvaluationKey`).
    package var key: String
    package var createdAt: String
    package var configDigest: String
    package var model: [String: JSONValue]
    /// When the suites use more than one model: each model's description by its id (`model` for
    /// the default, `models.<name>` for a named one), as `model` describes one. `model` then
    /// describes the first priced of them.
    package var models: [String: [String: JSONValue]]?
    /// Runs per case (`repeat`); nil for 1.
    package var repeats: Int?
    package var suites: [SuiteResult]
    package var overall: Metrics
    /// Set on a result that holds only some of the commit's cases (a blame probe): why, and which.
    /// Such a result is kept apart (`ResultStore.savePartial`) and is never the commit's result.
    package var partial: String?

    enum CodingKeys: String, CodingKey {
        case format, commit, dirty, key, model, models, suites, overall, partial
        case repeats = "repeat"
        case evalguardVersion = "evalguard_version", dirtyPaths = "dirty_paths"
        case createdAt = "created_at", configDigest = "config_digest"
    }

    package func suite(_ name: String) -> SuiteResult? { suites.first { $0.name == name } }

    /// A description of the price table the cost was computed with (a digest, or the table
    /// itself), when the provider records one in `model["prices"]`. Two runs whose tables differ
    /// cannot blame a cost change on the code.
    package var prices: JSONValue? { model["prices"].flatMap { $0 == .null ? nil : $0 } }

    /// The price table of the model that answered suite `name` (see `prices`).
    package func prices(ofSuite name: String) -> JSONValue? {
        guard let models, let suite = suite(name), let described = models[suite.model ?? "model"] else { return prices }
        return described["prices"].flatMap { $0 == .null ? nil : $0 }
    }
    package init(format: Int, evalguardVersion: String, commit: String, dirty: Bool, dirtyPaths: [String]? = nil, key: String, createdAt: String, configDigest: String, model: [String: JSONValue], repeats: Int? = nil, suites: [SuiteResult], overall: Metrics) {
        self.format = format
        self.evalguardVersion = evalguardVersion
        self.commit = commit
        self.dirty = dirty
        self.dirtyPaths = dirtyPaths
        self.key = key
        self.createdAt = createdAt
        self.configDigest = configDigest
        self.model = model
        self.repeats = repeats
        self.suites = suites
        self.overall = overall
    }
}

/// How a suite's result was obtained in the run that stored it.
package struct SuiteReuse: Codable, Sendable, Equatable {
    /// Ids of the cases the model was asked about.
    package var ran: [String] = []
    /// How many cases were taken from stored results, and from which commits' results.
    package var reused: Int = 0
    package var from: [String] = []
    /// Reused cases scored again (the scorer or expected answer changed) and priced again (the
    /// price table changed).
    package var rescored: Int = 0
    package var repriced: Int = 0
    /// True when the whole suite had the same key as a stored one.
    package var wholeSuite: Bool = false

    enum CodingKeys: String, CodingKey {
        case ran, reused, from, rescored, repriced
        case wholeSuite = "whole_suite"
    }
    package init() {}
}
