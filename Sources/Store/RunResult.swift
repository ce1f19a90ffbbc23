import EvalGuardSupport

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
        case casesFile = "cases_file"
        case casesDigest = "cases_digest"
    }
    package init(
        name: String, casesFile: String, casesDigest: String, scorer: String, metrics: Metrics, cases: [CaseResult]
    ) {
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
        case evalguardVersion = "evalguard_version"
        case dirtyPaths = "dirty_paths"
        case createdAt = "created_at"
        case configDigest = "config_digest"
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
    package init(
        format: Int, evalguardVersion: String, commit: String, dirty: Bool, dirtyPaths: [String]? = nil, key: String,
        createdAt: String, configDigest: String, model: [String: JSONValue], repeats: Int? = nil, suites: [SuiteResult],
        overall: Metrics
    ) {
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
