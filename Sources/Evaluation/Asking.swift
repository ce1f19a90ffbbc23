import EvalGuardConfig
import EvalGuardRunner
import EvalGuardStore
import EvalGuardSupport

/// Everything an evaluation asks, built in one place: the models' providers and the asked
/// scorers (judge, scoring program, embeddings), with one working directory, one environment and
/// one cost limit. Every path that scores builds one (`Evaluation.evaluate` for run, check, the
/// hook, ci, blame and bisect; the ci audit; settling; blame's partial probes) and hands it down:
/// nothing that runs a model takes its scorers as options, so none can go without them.
struct Asking {
    let providers: Providers
    let scorers: AskedScorers

    /// `stored`: results whose judge grades and embeddings may be reused (nearest first); empty
    /// where answers must be graded afresh (the audit). `directory` is called when something first
    /// runs (a commit's checkout is made only then).
    init(
        config: EvalConfig, directory: @escaping () throws -> String, environment: [String: String],
        stored: [RunResult], maxCostUSD: Double? = nil, batch: BatchRequest? = nil
    ) {
        providers = Providers(config: config, directory: directory, environment: environment, maxCostUSD: maxCostUSD)
        providers.batch = batch
        scorers = AskedScorers([
            JudgeRunner(stored: stored, providers: providers),
            CommandScorerRunner(providers: providers),
            SimilarityRunner(config: config, stored: stored, providers: providers),
        ])
    }

    /// What the models and the scorers have cost so far.
    var spentUSD: Double { providers.spentUSD }
}

/// Makes the providers of an evaluation's models, judges and embedders, and keeps its cost limit
/// over all of them: each call may spend what the ones before it left, and what every answer
/// reports is counted.
final class Providers {
    let config: EvalConfig
    let environment: [String: String]
    /// `max_cost_usd` / `--max-cost` for the whole evaluation; nil: none.
    let maxCostUSD: Double?
    private(set) var spentUSD = 0.0
    /// Whether models go through their batch APIs (nil: never, as for re-asks, audits and probes).
    var batch: BatchRequest?
    private let makeDirectory: () throws -> String
    private var madeDirectory: String?

    init(
        config: EvalConfig, directory: @escaping () throws -> String, environment: [String: String], maxCostUSD: Double?
    ) {
        (self.config, makeDirectory, self.environment, self.maxCostUSD) = (config, directory, environment, maxCostUSD)
    }

    /// Where models and programs run (the checkout of a commit, made on first use).
    func directory() throws -> String {
        if let made = madeDirectory { return made }
        let made = try makeDirectory()
        madeDirectory = made
        return made
    }

    /// The provider the configuration names, running in `directory()` (where relative paths such
    /// as the price table resolve), how the result records it, and what is worth a warning.
    func make(
        _ model: ModelConfig, wording: ProviderWording = .model, endpoint: OpenAIProvider.Endpoint = .chatCompletions
    ) throws
        -> (provider: ModelProvider, description: [String: JSONValue], warnings: [String])
    {
        let directory = try directory()
        guard let openAI = try model.openAI?.loadingPromptFiles(from: directory) else {
            let provider = CommandProvider(config: model, directory: directory)
            provider.wording = wording
            return (
                provider,
                ["provider": .string(model.provider), "command": .array(model.command.map(JSONValue.string))], []
            )
        }
        let (price, warning) = try openAI.price(repositoryRoot: directory)
        if maxCostUSD != nil, price == nil { throw CostLimit.needsPrices(provider: model.provider) }
        let provider = try OpenAIProvider(model: model, openAI: openAI, price: price, environment: environment)
        (provider.wording, provider.endpoint, provider.directory) = (wording, endpoint, directory)
        var warnings = warning.map { [$0] } ?? []
        if let batch, batch.scope == .every || model.batch, endpoint == .chatCompletions {
            guard provider.canBatch else {
                warnings.append(
                    "\(wording.settings) runs an agent loop (max_steps above 1), which a batch cannot: asked directly")
                return (provider, openAI.description(price: price), warnings)
            }
            let settings = BatchSettings(
                state: BatchState(
                    root: batch.root, resultsDirectory: ResultStore.directory,
                    name: wording.settings + batch.stateSuffix),
                maxWaitSeconds: batch.maxWaitSeconds, pollSeconds: model.batchPollSeconds,
                say: batch.say, progress: batch.progress, answered: batch.answered)
            return (provider.batched(settings), openAI.description(price: price), warnings)
        }
        return (provider, openAI.description(price: price), warnings)
    }

    /// Asks `provider` under the cost limit, less what was spent before, counting what each answer cost.
    func answer(
        _ provider: ModelProvider, _ requests: ModelRequests, progress: (Int) -> Void,
        receive: (Int, ModelResponse) -> Void
    ) throws {
        if let limited = provider as? CostLimited {
            (limited.maxCostUSD, limited.spentBeforeUSD) = (maxCostUSD, spentUSD)
        }
        try provider.answer(requests, progress: progress) { index, response in
            spentUSD += response.costUSD ?? 0
            receive(index, response)
        }
    }

    /// Every answer, in the order of `requests`.
    func answer(_ provider: ModelProvider, _ requests: [ModelRequest]) throws -> [ModelResponse] {
        var responses = [ModelResponse?](repeating: nil, count: requests.count)
        try answer(provider, ModelRequests(requests), progress: { _ in }) { responses[$0] = $1 }
        return try inRequestOrder(responses, requests)
    }
}
