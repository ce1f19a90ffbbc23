import Foundation
import EvalGuardConfig
import EvalGuardRunner
import EvalGuardStore
import EvalGuardSupport

extension Evaluation {
    /// Runs each suite with its own model: suites that share a model share one provider (and its
    /// `jobs`, time-outs and error budget), one model after another. Returns the suites' results
    /// in the configuration's order, each model's description by `EvalConfig.modelID(of:)`, and
    /// the providers' warnings.
    static func runByModel(_ config: EvalConfig, _ suites: [LoadedSuite], directory: String, repeats: Int,
                           maxCostUSD: Double? = nil,
                           environment: [String: String], judges: JudgeRunner? = nil, programs: CommandScorerRunner? = nil, similarity: SimilarityRunner? = nil,
                           progress: @escaping (Int, Int) -> Void) throws
        -> (results: [SuiteResult], descriptions: [String: [String: JSONValue]], warnings: [String]) {
        var order: [String] = []
        var groups: [String: [LoadedSuite]] = [:]
        for suite in suites {
            let id = config.modelID(of: suite.config)
            if groups[id] == nil { order.append(id) }
            groups[id, default: []].append(suite)
        }
        let total = suites.reduce(0) { $0 + $1.cases.count } * repeats
        var done = 0
        var byName: [String: SuiteResult] = [:]
        var descriptions: [String: [String: JSONValue]] = [:]
        var warnings: [String] = []
        // One budget for the run: each model may spend what the models before it left.
        var spentUSD = 0.0
        for id in order {
            let group = groups[id]!
            let model = config.model(of: group[0].config)
            let setup = try makeProvider(model, directory: directory, environment: environment,
                                         maxCostUSD: maxCostUSD.map { max(0, $0 - spentUSD) })
            descriptions[id] = setup.description
            warnings += setup.warnings
            let before = done
            for var result in try run(group, provider: setup.provider, repeats: repeats, judges: judges, programs: programs, similarity: similarity, progress: { n, _ in progress(before + n, total) }) {
                result.model = id == "model" ? nil : id
                spentUSD += result.cases.reduce(0) { $0 + ($1.costUSD ?? 0) }
                byName[result.name] = result
            }
            done += group.reduce(0) { $0 + $1.cases.count } * repeats
        }
        return (suites.compactMap { byName[$0.config.name] }, descriptions, warnings)
    }
}
