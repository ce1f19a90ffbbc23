import EvalGuardConfig
import EvalGuardSupport

extension ScoringSession {
    /// The trajectory scorer: the output's `steps` against `expected.steps` (tool names, or
    /// `{"name", "arguments"}` whose arguments must match as the tool-call scorer's
    /// `"arguments": "subset"` does). It passes when the steps follow `match` and number at most
    /// `max_steps`; its score is the share of expected steps found (0 beyond `max_steps`).
    func scoreTrajectory(_ settings: Scorer.TrajectorySettings, output: JSONValue, expected: JSONValue) -> ScoreOutcome
    {
        let wanted = (expected["steps"]?.arrayValue ?? []).map { item in
            item.stringValue.map { (name: $0, arguments: JSONValue?.none) } ?? (
                name: item["name"]?.stringValue ?? "", arguments: item["arguments"]
            )
        }
        let steps = AgentOutput(output)?.steps ?? []
        let matcher = ArgumentMatcher(subset: true, caseInsensitive: false, schema: compiledSchema)
        func mismatch(_ i: Int, _ j: Int) -> String? {
            guard wanted[i].name == steps[j].name else {
                return "expected \(wanted[i].name), found \(ScoringSession.name(steps[j]))"
            }
            return wanted[i].arguments.flatMap { matcher.mismatch($0, steps[j].arguments) }
        }
        func describe(_ i: Int) -> String {
            let call = AgentOutput.Call(name: wanted[i].name, arguments: wanted[i].arguments ?? .object([:]))
            return wanted[i].arguments == nil ? wanted[i].name : AgentOutput.describe(call)
        }
        let none = steps.isEmpty ? " (the output has no steps)" : ""

        var found = 0
        var reason: String?
        switch settings.match {
        case .contains:
            let pairs = bestPairs(expected: wanted.count, actual: steps.count, ordered: false) {
                mismatch($0, $1) == nil
            }
            found = pairs.count
            if let i = wanted.indices.first(where: { i in !pairs.contains { $0.0 == i } }) {
                let taken = Set(pairs.map(\.1))
                let named = steps.indices.first { !taken.contains($0) && steps[$0].name == wanted[i].name }
                reason =
                    named.flatMap { j in mismatch(i, j).map { "step \(j + 1) \(wanted[i].name): " + $0 } }
                    ?? "missing step: \(describe(i))\(none)"
            }
        case .inOrder:
            // Taking the earliest step that fits each expected one finds the expected order
            // whenever the steps hold it.
            var next = 0
            for i in wanted.indices {
                guard let j = steps.indices.dropFirst(next).first(where: { mismatch(i, $0) == nil }) else {
                    let after = next == 0 ? "" : " after step \(next)"
                    if let j = steps.indices.dropFirst(next).first(where: { steps[$0].name == wanted[i].name }),
                        let m = mismatch(i, j)
                    {
                        reason = "step \(j + 1) \(wanted[i].name): " + m
                    } else if let early = steps.indices.prefix(next).first(where: { mismatch(i, $0) == nil }) {
                        reason = "step \(early + 1) \(wanted[i].name) came too early: expected\(after)"
                    } else {
                        reason = "missing step \(i + 1): \(describe(i))\(after)\(none)"
                    }
                    break
                }
                found += 1
                next = j + 1
            }
        case .exact:
            for k in 0..<max(wanted.count, steps.count) {
                if k >= steps.count {
                    reason = "missing step \(k + 1): \(describe(k))\(none)"
                    break
                }
                if k >= wanted.count {
                    reason = "extra step \(k + 1): " + AgentOutput.describe(steps[k])
                    break
                }
                if let m = mismatch(k, k) {
                    reason = "step \(k + 1): \(m)"
                    break
                }
                found += 1
            }
        }
        var score =
            wanted.isEmpty
            ? (reason == nil ? 1 : 0)
            : Double(found) / Double(max(wanted.count, settings.match == .exact ? steps.count : 0))
        if reason == nil, let limit = settings.maxSteps, steps.count > limit {
            reason = "took \(steps.count) steps, more than max_steps \(limit)"
            score = 0
        }
        return ScoreOutcome(passed: reason == nil, score: reason == nil ? 1 : min(score, 1), reason: reason)
    }
}
