import EvalGuardConfig
import EvalGuardRunner
import EvalGuardStore
import EvalGuardSupport
import FoundationEssentials

extension Evaluation {
    /// Runs each suite with its own model: suites that share a model share one provider (and its
    /// `jobs`, time-outs and error budget), one model after another. Returns the suites' results
    /// in the configuration's order, each model's description by `EvalConfig.modelID(of:)`, and
    /// the providers' warnings.
    /// Models and asked scorers come from `asking`, which also keeps one cost limit for all of them.
    static func runByModel(
        _ config: EvalConfig, _ suites: [LoadedSuite], asking: Asking, repeats: Int,
        progress: @escaping (Int, Int) -> Void
    ) throws
        -> (results: [SuiteResult], descriptions: [String: [String: JSONValue]], warnings: [String])
    {
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
        for id in order {
            let group = groups[id, default: []]
            var wording = ProviderWording(subject: "the model", settings: id)
            wording.usedBy =
                (group.count == 1 ? "suite " : "suites ") + group.map { "'\($0.config.name)'" }.joined(separator: ", ")
            let setup = try asking.providers.make(config.model(of: group[0].config), wording: wording)
            descriptions[id] = setup.description
            warnings += setup.warnings
            let before = done
            for var result in try run(
                group, provider: setup.provider, asking: asking, repeats: repeats,
                progress: { n, _ in progress(before + n, total) })
            {
                result.model = id == "model" ? nil : id
                byName[result.name] = result
            }
            done += group.reduce(0) { $0 + $1.cases.count } * repeats
        }
        return (suites.compactMap { byName[$0.config.name] }, descriptions, warnings)
    }
}
