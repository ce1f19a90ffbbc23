import EvalGuardSupport

extension RunResult {
    /// One line per suite saying how its answers were obtained, for `run` and `check`:
    /// `router: 5 case(s) asked of the model, 200 reused from abc1234 (200 re-priced)`.
    package var reuseLines: [String] {
        suites.compactMap { suite in
            guard let r = suite.reuse else { return nil }
            var parts: [String] = []
            if !r.ran.isEmpty || r.reused == 0 { parts.append("\(r.ran.count) case(s) asked of the model") }
            if r.reused > 0 {
                var done: [String] = []
                if r.rescored > 0 { done.append("\(r.rescored) re-scored") }
                if r.repriced > 0 { done.append("\(r.repriced) re-priced: the price table changed") }
                let from = r.from.map { String($0.prefix(7)) }.joined(separator: ", ")
                parts.append(
                    "\(r.reused) reused from the result of \(from)" + (r.wholeSuite ? " (same suite key)" : "")
                        + (done.isEmpty ? "" : " (" + done.joined(separator: ", ") + ")"))
            }
            return "\(suite.name): " + parts.joined(separator: ", ")
        }
    }

    /// The same as JSON: `{"<suite>": {"ran": [ids], "reused": n, "from": [commits], "rescored": n, "repriced": n, "whole_suite": b}}`.
    package var reuseJSON: JSONValue {
        .object(
            Dictionary(
                uniqueKeysWithValues: suites.compactMap { suite in
                    suite.reuse.map { r in
                        (
                            suite.name,
                            JSONValue.object([
                                "ran": .array(r.ran.map(JSONValue.string)), "reused": .number(Double(r.reused)),
                                "from": .array(r.from.map(JSONValue.string)), "rescored": .number(Double(r.rescored)),
                                "repriced": .number(Double(r.repriced)), "whole_suite": .bool(r.wholeSuite),
                            ])
                        )
                    }
                }))
    }
}

extension RunResult {
    /// The result with only the named suites (`--suite`), its overall metrics recomputed.
    package func restricted(to names: [String]) -> RunResult {
        var copy = self
        copy.suites = suites.filter { names.contains($0.name) }
        copy.overall = Metrics(of: copy.suites.lazy.flatMap(\.cases))
        return copy
    }
}

extension Baseline {
    /// The baseline of the named suites only (`--suite`).
    package func restricted(to names: [String]) -> Baseline {
        var copy = self
        copy.suites = suites.filter { names.contains($0.key) }
        return copy
    }
}
