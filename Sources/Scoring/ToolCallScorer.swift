import EvalGuardConfig
import EvalGuardSupport

extension ScoringSession {
    /// The tool-call scorer: the output's calls against `expected.tool_calls`. A case passes
    /// when every expected call is made and no other; its score is the F1 over calls (pairs
    /// found optimally, see `bestPairs`). A call whose arguments are not JSON, name no tool of
    /// the model's `tools`, or do not fit that tool's `parameters` pairs with nothing.
    func scoreToolCalls(_ settings: Scorer.ToolCallSettings, output: JSONValue, expected: JSONValue) -> ScoreOutcome {
        let wanted = (expected["tool_calls"]?.arrayValue ?? []).map {
            (name: $0["name"]?.stringValue ?? "", arguments: $0["arguments"])
        }
        let made = AgentOutput(output)?.calls ?? []
        let matcher = ArgumentMatcher(
            subset: settings.subsetArguments, caseInsensitive: settings.caseInsensitive, schema: compiledSchema)
        let invalid = made.enumerated().map { j, call in invalidity(call, number: j + 1, tools: settings.tools) }
        let pairs = bestPairs(expected: wanted.count, actual: made.count, ordered: settings.orderMatters) { i, j in
            invalid[j] == nil && wanted[i].name == made[j].name
                && (wanted[i].arguments.map { matcher.mismatch($0, made[j].arguments) == nil } ?? true)
        }
        let total = wanted.count + made.count
        let score = total == 0 ? 1 : Double(2 * pairs.count) / Double(total)
        guard pairs.count != wanted.count || pairs.count != made.count else {
            return ScoreOutcome(passed: true, score: score)
        }

        let pairedExpected = Set(pairs.map(\.0))
        let pairedMade = Set(pairs.map(\.1))
        let reason: String
        if let i = wanted.indices.first(where: { !pairedExpected.contains($0) }) {
            let call = AgentOutput.Call(name: wanted[i].name, arguments: wanted[i].arguments ?? .object([:]))
            let named = made.indices.filter { !pairedMade.contains($0) && made[$0].name == wanted[i].name }
            if let j = named.first {
                reason =
                    invalid[j] ?? wanted[i].arguments.flatMap { matcher.mismatch($0, made[j].arguments) }
                    .map { "call \(j + 1) \(Self.name(made[j])): \($0)" }
                    ?? "call \(j + 1) \(Self.name(made[j])) is out of order: expected as call \(i + 1)"
            } else {
                reason =
                    "missing call \(i + 1): "
                    + (wanted[i].arguments == nil ? Self.name(call) : AgentOutput.describe(call))
                    + (made.isEmpty ? " (the output made no tool calls)" : "")
            }
        } else {
            // Every expected call is paired and the guard above says the counts differ, so a
            // made call is not.
            let j = made.indices.first { !pairedMade.contains($0) }!
            reason = invalid[j] ?? "extra call \(j + 1): " + AgentOutput.describe(made[j])
        }
        return ScoreOutcome(passed: false, score: score, reason: reason)
    }

    /// Why a call can match nothing, whatever was expected: its arguments are not JSON, or
    /// the model's tools have no such tool, or its arguments fail the tool's schema.
    private func invalidity(_ call: AgentOutput.Call, number: Int, tools: [String: JSONValue]?) -> String? {
        let label = "call \(number) \(Self.name(call))"
        if case .string(let raw) = call.arguments {
            return "\(label): its arguments are not JSON: \(AgentOutput.clipped(raw, 80))"
        }
        guard let tools else { return nil }
        guard let parameters = tools[call.name] else {
            return
                "\(label): the model's tools have no tool of that name (tools: \(tools.keys.sorted().joined(separator: ", ")))"
        }
        switch compiledSchema(parameters) {
        case .failure(let error):
            return "\(label): the tool's parameters are not a usable JSON Schema: \(error.message)"
        case .success(let schema):
            return schema.validate(call.arguments).map {
                "\(label): its arguments do not fit the tool's parameters: \($0.description)"
            }
        }
    }

    static func name(_ call: AgentOutput.Call) -> String { call.name.isEmpty ? "(no name)" : call.name }
}
