import EvalGuardGit
import EvalGuardSupport
import FoundationEssentials

/// `.evals/evalguard.json`: the model to run, the suites, and the thresholds.
package struct EvalConfig: Sendable {
    package static let directory = ".evals"
    package static let path = ".evals/evalguard.json"

    /// The default model: the one of every suite that names none (see `model(of:)`).
    package var model: ModelConfig
    /// `models`: named models that suites pick with `"model": "<name>"`.
    package var models: [String: ModelConfig] = [:]
    /// Sorted by name, so reports and results list suites in a stable order.
    package var suites: [SuiteConfig]
    package var thresholds: Thresholds
    /// Repeats, significance level, and what to do with inconclusive results and flaky cases.
    package var verdict: VerdictSettings = .defaults
    /// What a push that changes `.evals/baseline.json` gets: a prominent warning, or a block.
    package var baselineChanges: BaselineChangePolicy
    /// Branch patterns (`main`, `release/*`) where `"baseline_changes": "block"` applies; nil:
    /// the remote's default branch.
    package var protectedBranches: [String]? = nil
    /// `max_cost_usd`: the most one run may spend on model calls (US dollars); nil: no limit.
    package var maxCostUSD: Double? = nil
    /// `audit_sample`: how many reused cases `ci` asks the model again before trusting stored answers.
    package var auditSample: AuditSample = .standard
    /// `settle`: re-asking the cases that differ from the baseline when accuracy is inconclusive
    /// (each suite's own in `SuiteConfig.settle`).
    package var settle: SettleSettings = .defaults
    /// The configuration's own text, for digests and for readers of other commits.
    package var source: ConfigSource
    /// `variants`: the names of the partial configurations `compare` merges over this one.
    package var variantNames: [String] = []
    /// Set on a variant's configuration (`variant(_:)`): its name and what it changed.
    package var variant: ConfigOverlay?

    package enum BaselineChangePolicy: String, Sendable {
        case warn, block
    }

    static let topLevelKeys =
        [
            "model", "models", "suites", "thresholds", "baseline_changes", "protected_branches", "max_cost_usd",
            AuditSample.key, "settle", Variants.key,
        ] + VerdictSettings.keys

    /// Parses the configuration and checks each of its variants merged over it, so a bad
    /// variant is an error of the configuration, at its line, whatever the command.
    package static func parse(_ source: ConfigSource) throws -> EvalConfig {
        let config = try parse(root: try ConfigNode.parse(source))
        for name in config.variantNames { _ = try config.variant(name) }
        return config
    }

    static func parse(root: ConfigNode) throws -> EvalConfig {
        let source = root.source
        let members = try root.object(allowed: topLevelKeys)
        var models: [String: ModelConfig] = [:]
        for (name, node) in try members["models"]?.dictionary() ?? [] { models[name] = try ModelConfig(node: node) }
        let defaultModel = try members["model"].map(ModelConfig.init(node:))
        let thresholds = try members["thresholds"].map { try Thresholds.defaults.overridden(by: $0) } ?? .defaults
        guard let suitesNode = members["suites"] else {
            throw root.error(
                "missing \"suites\": name at least one suite, for example \"suites\": {\"intents\": {\"cases\": \"cases/intents.jsonl\", \"scorer\": \"exact\"}}"
            )
        }
        let settle = try members["settle"].map { try SettleSettings(node: $0, inherited: .defaults) } ?? .defaults
        let suites = try suitesNode.dictionary().map { name, node in
            try SuiteConfig(
                name: name, node: node, inherited: thresholds, models: models, hasDefault: defaultModel != nil,
                settle: settle)
        }
        guard !suites.isEmpty else { throw suitesNode.error("no suites: add at least one") }
        // Without a top-level "model" every suite names its own (checked above); the first
        // suite's then stands as the default, which no suite uses.
        guard let model = defaultModel ?? suites[0].inlineModel ?? suites[0].modelName.flatMap({ models[$0] }) else {
            throw suitesNode.error(
                "suite '\(suites[0].name)' has no model", hint: "Give it \"model\", or give a top-level \"model\".")
        }
        var policy = BaselineChangePolicy.warn
        if let node = members["baseline_changes"] {
            guard let p = BaselineChangePolicy(rawValue: try node.string()) else {
                throw node.error("expected \"warn\" or \"block\"")
            }
            policy = p
        }
        let verdict = try VerdictSettings(members: members)
        var config = EvalConfig(
            model: model, models: models, suites: suites, thresholds: thresholds, verdict: verdict,
            baselineChanges: policy,
            protectedBranches: try members["protected_branches"]?.strings(), source: source)
        config.maxCostUSD = try members["max_cost_usd"]?.number(in: 0...1e9)
        config.auditSample = try members[AuditSample.key].map(AuditSample.init(node:)) ?? .standard
        config.settle = settle
        config.variantNames = try members[Variants.key]?.dictionary().map(\.0) ?? []
        return config
    }

    /// Reads the working tree's configuration. A missing `.evals/` says how to create one.
    package static func load(repositoryRoot root: String) throws -> EvalConfig {
        let file = root + "/" + path
        guard FileManager.default.fileExists(atPath: file) else {
            let hasDirectory = FileManager.default.fileExists(atPath: root + "/" + directory)
            throw EvalGuardError(
                hasDirectory ? "\(path) is missing" : "no .evals/ directory in \(root)",
                hint: "Create one with 'evalguard init', then edit \(path).")
        }
        // Through no link, as every input: the evaluation key hashes the file git stores.
        guard let data = try RepositoryFile.contents(path, root: root) else {
            throw EvalGuardError("cannot read the file", file: path)
        }
        return try parse(ConfigSource(displayPath: path, text: TextBytes.decode(data, displayPath: path)))
    }

    /// Reads the configuration as committed at `commit`; messages name it `abc1234:.evals/evalguard.json`.
    package static func load(from repository: Repository, commit: String) throws -> EvalConfig {
        let label = String(commit.prefix(7)) + ":" + path
        guard let bytes = try repository.fileContents(path, atCommit: commit) else {
            throw EvalGuardError(
                "commit \(commit.prefix(7)) has no \(path)",
                hint:
                    "evalguard evaluates commits that contain an .evals/ configuration; create one with 'evalguard init' and commit it."
            )
        }
        return try parse(ConfigSource(displayPath: label, text: TextBytes.decode(bytes, displayPath: label)))
    }

    /// The files a result depends on: every suite's model's `inputs` (everything when one of
    /// them is unset) and prompt files, plus the configuration, the case files and the price
    /// tables, the json-schema scorers' schema files and the models' tools files, never stored
    /// results or the baseline.
    package var inputs: InputSelection {
        let used = suites.map(model(of:))
        let prices = used.compactMap { $0.openAI.map { Self.directory + "/" + $0.prices } }
        let schemas = suites.compactMap { if case .jsonSchema(let s) = $0.scorer { s.file } else { nil } }
        // A scoring program's files count too: its `inputs` globs, and its command's arguments
        // (a script path) as exact paths.
        let programs = suites.compactMap(\.scorer.command)
        let globs =
            used.contains { $0.inputs == nil }
            ? nil
            : (used.flatMap { $0.inputs ?? [] } + programs.flatMap(\.inputs)).map(Glob.init)
        return InputSelection(
            globs: globs,
            always: Set(
                [Self.path] + suites.map(\.casesPath) + prices + schemas + used.flatMap(\.promptFiles)
                    + used.compactMap(\.toolsFile)
                    + suites.flatMap { s in
                        s.scorer.judge.map { $0.files + (models[$0.judge]?.promptFiles ?? []) } ?? []
                    }
                    + programs.flatMap { $0.command.map { $0.hasPrefix("./") ? String($0.dropFirst(2)) : $0 } }))
    }

    /// The model a suite runs with: its inline one, the named one, or the default.
    package func model(of suite: SuiteConfig) -> ModelConfig {
        suite.inlineModel ?? suite.modelName.flatMap { models[$0] } ?? model
    }

    /// A stable name of a suite's model, to group suites that share one: `models.<name>`,
    /// `suites.<suite>.model` for an inline one, or `model` for the default.
    package func modelID(of suite: SuiteConfig) -> String {
        if suite.inlineModel != nil { return "suites.\(suite.name).model" }
        return suite.modelName.map { "models." + $0 } ?? "model"
    }
}

/// How to run the model. The provider decides which further keys it reads.
package struct ModelConfig: Sendable {
    package var provider: String
    /// For the command provider: the program and its arguments, run from the repository root.
    package var command: [String]
    /// How many requests are in flight at once (processes, for the command provider).
    package var jobs: Int
    package var timeoutSeconds: Double
    /// Extra seconds the first request of each model process may take, while the model loads.
    package var startupTimeoutSeconds: Double
    /// Share of cases that may fail with an error or time-out before the run stops (exit 3).
    package var maxErrorRate: Double
    /// The command provider's cap on one response line: a model that writes without a newline
    /// fails its case here instead of growing evalguard's memory until the time-out.
    package var maxLineBytes: Int
    package static let defaultMaxLineBytes = 1 << 20
    /// Paths or globs of what the model depends on; nil means the whole tree.
    package var inputs: [String]?
    /// The raw `model` object, for providers with settings of their own.
    package var node: ConfigNode
    /// The settings of the HTTP providers, `openai` and `anthropic` (`openAI.api` says which).
    package var openAI: OpenAIConfig?
    /// `deterministic`: whether the same input always gets the same answer (nil: not said; see
    /// `isDeterministic(repeats:)`). It decides how `ci` audits stored answers, never the answers.
    package var deterministic: Bool?
    /// `batch`: send this model's requests through its provider's batch API when the command
    /// batches (`run`, `baseline`; `check` and `ci` only with `--batch`). Never its answers' key.
    package var batch: Bool
    /// `batch_poll_s`: how often a batch's status is asked for while it runs.
    package var batchPollSeconds: Double

    /// `tools` on a command model declares the tools its own agent loop calls: the tool-call
    /// scorer checks every call's arguments against their schemas.
    static let commonKeys = [
        "provider", "command", "jobs", "timeout_s", "startup_timeout_s", "max_error_rate", "max_line_bytes", "inputs",
        "deterministic", "tools", "batch", "batch_poll_s",
    ]

    init(node: ConfigNode) throws {
        self.node = node
        let api = OpenAIConfig.API(provider: node.value["provider"]?.stringValue)
        var allowed = Self.commonKeys
        if let api {
            allowed =
                allowed.filter { $0 != "command" && $0 != "startup_timeout_s" && $0 != "max_line_bytes" } + api.keys
        }
        let members = try node.object(allowed: allowed)
        provider = try members["provider"]?.string() ?? "command"
        // An HTTP server is not bound by local cores; waiting on it is cheap.
        jobs = try members["jobs"]?.positiveInt() ?? (api != nil ? 8 : ProcessInfo.processInfo.activeProcessorCount)
        timeoutSeconds = try members["timeout_s"]?.number(in: 0.001...86_400) ?? 30
        startupTimeoutSeconds = try members["startup_timeout_s"]?.number(in: 0...86_400) ?? 60
        maxErrorRate = try members["max_error_rate"]?.number(in: 0...1) ?? 0.5
        maxLineBytes = Self.defaultMaxLineBytes
        if let node = members["max_line_bytes"] {
            let n = try node.number(in: 1...1_073_741_824)
            guard n == n.rounded() else { throw node.error("expected a whole number of bytes, found \(n)") }
            maxLineBytes = Int(n)
        }
        inputs = try members["inputs"]?.strings()
        deterministic = try members["deterministic"]?.bool()
        batch = try members["batch"]?.bool() ?? false
        batchPollSeconds = try members["batch_poll_s"]?.number(in: 0...3_600) ?? 30
        if batch, api == nil {
            throw (members["batch"] ?? node).error(
                "\"batch\" needs a provider with a batch API",
                hint: "Set \"provider\": \"openai\" or \"anthropic\", or remove \"batch\".")
        }
        switch provider {
        case "command":
            guard let c = members["command"] else {
                throw node.error(
                    "missing \"command\": the program to run, for example [\"python3\", \"model/predict.py\"]")
            }
            command = try c.strings()
            guard !command.isEmpty, !command[0].isEmpty else { throw c.error("the command is empty") }
        case "openai", "anthropic":
            command = []
            openAI = try OpenAIConfig(members: members, node: node, api: api!)
        default:
            throw (members["provider"] ?? node).error(
                "unknown provider '\(provider)'", hint: "Providers: command, openai, anthropic.")
        }
    }
}

/// One suite: a case file and the scorer for it, with its thresholds.
package struct SuiteConfig: Sendable {
    package var name: String
    /// Relative to `.evals/`, as written in the configuration.
    package var cases: String
    package var scorer: Scorer
    package var thresholds: Thresholds
    /// Where this suite is written, for messages about it.
    package var node: ConfigNode
    /// `"model": "<name>"`: one of the top-level `models`.
    package var modelName: String?
    /// `"model": {...}`: a model of this suite's own.
    package var inlineModel: ModelConfig?
    /// `settle`: the suite's own, else the top level's.
    package var settle: SettleSettings = .defaults
    /// `on_inconclusive`: the suite's own (nil: the top level's).
    package var onInconclusive: InconclusivePolicy?

    /// The case file's path from the repository root.
    package var casesPath: String { EvalConfig.directory + "/" + cases }

    init(
        name: String, node: ConfigNode, inherited: Thresholds, models: [String: ModelConfig] = [:],
        hasDefault: Bool = true,
        settle: SettleSettings = .defaults
    ) throws {
        self.name = name
        self.node = node
        let members = try node.object(allowed: ["cases", "scorer", "thresholds", "model", "settle", "on_inconclusive"])
        onInconclusive = try members["on_inconclusive"].map(InconclusivePolicy.init(node:))
        self.settle = try members["settle"].map { try SettleSettings(node: $0, inherited: settle) } ?? settle
        if let m = members["model"] {
            if case .string(let name) = m.value {
                guard models[name] != nil else {
                    throw m.error(
                        "no model named '\(name)' in \"models\"",
                        hint: models.isEmpty
                            ? "Add \"models\": {\"\(name)\": {...provider settings...}} at the top level."
                            : "Models: \(models.keys.sorted().joined(separator: ", ")).")
                }
                modelName = name
            } else {
                inlineModel = try ModelConfig(node: m)
            }
        } else if !hasDefault {
            throw node.error(
                "missing \"model\": this suite names no model and there is no default one",
                hint:
                    "Add a top-level \"model\": {\"command\": [\"python3\", \"model/predict.py\"]}, or \"model\": \"<name>\" (one of \"models\") to the suite."
            )
        }
        guard let casesNode = members["cases"] else {
            throw node.error("missing \"cases\": the JSON Lines file of this suite, relative to .evals/")
        }
        cases = try casesNode.string()
        guard !cases.hasPrefix("/"), !cases.split(separator: "/").contains("..") else {
            throw casesNode.error("the cases path must stay inside .evals/")
        }
        scorer = try members["scorer"].map(Scorer.init(node:)) ?? .exact(.init())
        if let judge = scorer.judge, models[judge.judge] == nil {
            throw (members["scorer"] ?? node).error(
                "the judge '\(judge.judge)' is not a model in \"models\"",
                hint:
                    "Add \"models\": {\"\(judge.judge)\": {\"provider\": \"openai\", ...}} at the top level; the judge gets its prompt as {{input}}."
            )
        }
        if let similarity = scorer.similarity, models[similarity.model]?.openAI?.api != .openAI {
            throw (members["scorer"] ?? node).error(
                "the similarity scorer's model '\(similarity.model)' is not an openai-compatible model in \"models\"",
                hint:
                    "Add \"models\": {\"\(similarity.model)\": {\"provider\": \"openai\", \"base_url\": \"...\", \"model\": \"text-embedding-3-small\", \"messages\": [{\"role\": \"user\", \"content\": \"{{input}}\"}]}}: evalguard posts to <base_url>/embeddings."
            )
        }
        thresholds = try members["thresholds"].map { try inherited.overridden(by: $0) } ?? inherited
    }
}

/// Which paths of a tree count as the model's inputs (see `EvalConfig.inputs`).
package struct InputSelection: Sendable {
    package var globs: [Glob]?
    package var always: Set<String>

    package func includes(_ path: String) -> Bool {
        if EvaluationKey.isExcluded(path) { return false }
        if always.contains(path) { return true }
        guard let globs else { return true }
        return globs.contains { $0.matches(path) }
    }
}
