import EvalGuardSupport

/// Stored results are input: a result file can be edited by hand, a note fetched by `sync` or
/// `ci` can be forged, a share can come from anywhere. Every reader (result files, the key
/// index, notes, partial results, shares) decodes through `ResultStore.decodeAll` or
/// `ResultStore.loadShard`, which ask `storedProblem` and set aside what fails, so the gate,
/// the statistics and the reports only ever see counts, digests and figures that a run could
/// have written: passes within runs, scores in [0, 1], finite non-negative latencies, finite costs,
/// blob ids where blob ids belong, each suite and case once.
extension RunResult {
    /// What makes this result one no run could have written, or nil when it is sound.
    package var storedProblem: String? {
        guard Self.isObjectID(commit) else { return "its commit \(Self.shown(commit)) is not a commit id" }
        guard Self.isObjectID(key) else { return "its key \(Self.shown(key)) is not an evaluation key" }
        if let repeats, repeats < 1 { return "its repeat count \(repeats) is below 1" }
        if let problem = overall.storedProblem { return "overall: " + problem }
        var names = Set<String>()
        for suite in suites {
            guard names.insert(suite.name).inserted else { return "suite '\(suite.name)' is listed twice" }
            if let problem = suite.storedProblem { return "suite '\(suite.name)': " + problem }
        }
        return nil
    }

    package static func isObjectID(_ text: String) -> Bool {
        text.utf8.count == 40 && text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    /// A value from the file, short enough for a message.
    package static func shown(_ text: String) -> String {
        JSONValue.string(text.count > 48 ? String(text.prefix(48)) + "…" : text).canonicalText
    }
}

extension SuiteResult {
    var storedProblem: String? {
        for (what, id) in [("key", key), ("model fingerprint", modelFingerprint)] {
            if let id, !RunResult.isObjectID(id) { return "its \(what) \(RunResult.shown(id)) is not a blob id" }
        }
        if let problem = metrics.storedProblem { return problem }
        var ids = Set<String>()
        for c in cases {
            guard ids.insert(c.id).inserted else { return "case '\(c.id)' is listed twice" }
            if let problem = c.storedProblem { return "case '\(c.id)': " + problem }
        }
        if let judge, let problem = judge.storedProblem { return "judge: " + problem }
        if let embeddings, let bad = embeddings.first(where: { !$0.value.allSatisfy(\.isFinite) }) {
            return "the embedding \(RunResult.shown(bad.key)) holds a number that is not finite"
        }
        return nil
    }
}

extension CaseResult {
    var storedProblem: String? {
        if let runs {
            guard runs >= 1 else { return "runs \(runs) is below 1" }
            let passes = self.passes ?? 0
            guard (0...runs).contains(passes) else { return "passes \(passes) is not within 0…\(runs) (its runs)" }
            if let outputs = runOutputs, outputs.contains(where: { $0.runs < 1 }) {
                return "a run output counts fewer than 1 run"
            }
        } else if passes != nil {
            return "passes without runs"
        }
        if settledRuns != nil || settledPasses != nil {
            let extra = settledRuns ?? 0
            let passed = settledPasses ?? 0
            guard extra >= 0, extra < runCount, (0...extra).contains(passed), passed <= passCount,
                runCount - extra - (passCount - passed) >= 0
            else {
                return
                    "settled_runs \(extra) and settled_passes \(passed) do not fit within runs \(runCount) and passes \(passCount)"
            }
        }
        guard score.isFinite, (0...1).contains(score) else { return "score \(score) is not within 0…1" }
        // What evalguard measures is never negative; what a model reports (cost, usage) is kept as
        // it said, so it need only be a number.
        // Checked without building a list per case: this runs on every stored case a gate reads.
        if !(latencyMs.isFinite && latencyMs >= 0) {
            return "latency_ms \(latencyMs) is not a finite, non-negative number"
        }
        if let retryMs, !(retryMs.isFinite && retryMs >= 0) {
            return "retry_ms \(retryMs) is not a finite, non-negative number"
        }
        if let retryFromMs, !(retryFromMs.isFinite && retryFromMs >= 0) {
            return "retry_from_ms \(retryFromMs) is not a finite, non-negative number"
        }
        if let latenciesMs, !latenciesMs.allSatisfy({ $0.isFinite && $0 >= 0 }) {
            return "latencies_ms holds a number that is not finite and non-negative"
        }
        if let requestLatenciesMs, !requestLatenciesMs.allSatisfy({ $0.isFinite && $0 >= 0 }) {
            return "request_latencies_ms holds a number that is not finite and non-negative"
        }
        if let costUSD, !costUSD.isFinite { return "cost_usd \(costUSD) is not a finite number" }
        if let usage, !usage.values.allSatisfy(\.isFinite) { return "usage holds a number that is not finite" }
        if let retries, retries < 0 { return "retries \(retries) is negative" }
        if let toolCallCount, toolCallCount < 0 { return "tool_call_count \(toolCallCount) is negative" }
        if let stepCount, stepCount < 0 { return "step_count \(stepCount) is negative" }
        // A blob id is held as 20 bytes; only what is not one is kept as text.
        if let (name, text) = textDigest { return "its \(name) \(RunResult.shown(text)) is not a blob id" }
        if let reusedFrom, !RunResult.isObjectID(reusedFrom) {
            return "reused_from \(RunResult.shown(reusedFrom)) is not a commit id"
        }
        return nil
    }
}

extension Metrics {
    /// Counts within each other, figures finite and non-negative, rates within [0, 1].
    package var storedProblem: String? {
        guard cases >= 0, passed >= 0, errors >= 0, timeouts >= 0, passed <= cases else {
            return "its metrics count \(passed) passed, \(errors) errors and \(timeouts) time-outs of \(cases) cases"
        }
        for (name, rate) in [("accuracy", Optional(accuracy)), ("mean_score", meanScore)] {
            if let rate, !(rate.isFinite && (0...1).contains(rate)) { return "its \(name) \(rate) is not within 0…1" }
        }
        let latencies: [(String, Double?)] = [
            ("p50_latency_ms", p50LatencyMs), ("p95_latency_ms", p95LatencyMs), ("p99_latency_ms", p99LatencyMs),
            ("mean_latency_ms", meanLatencyMs), ("retry_ms", retryMs),
            ("avg_steps", avgSteps), ("avg_tool_calls", avgToolCalls),
        ]
        for (name, value) in latencies {
            if let value, !(value.isFinite && value >= 0) {
                return "its \(name) \(value) is not a finite, non-negative number"
            }
        }
        for (name, value) in [("avg_cost_usd", avgCostUSD), ("total_cost_usd", totalCostUSD)] {
            if let value, !value.isFinite { return "its \(name) \(value) is not a finite number" }
        }
        if let retries, retries < 0 { return "its retries \(retries) is negative" }
        return nil
    }
}

extension JudgeRecord {
    var storedProblem: String? {
        guard RunResult.isObjectID(fingerprint) else {
            return "its fingerprint \(RunResult.shown(fingerprint)) is not a blob id"
        }
        guard requests >= 0, cached >= 0, errors >= 0 else { return "its counts are negative" }
        for (name, value) in [("cost_usd", costUSD), ("tokens", tokens)] {
            if let value, !value.isFinite { return "its \(name) \(value) is not a finite number" }
        }
        for (name, value) in [("latency_p50_ms", latencyP50Ms), ("latency_p95_ms", latencyP95Ms)] {
            if let value, !(value.isFinite && value >= 0) {
                return "its \(name) \(value) is not a finite, non-negative number"
            }
        }
        if let a = selfAgreement, !(a.isFinite && (0...1).contains(a)) {
            return "its self-agreement \(a) is not within 0…1"
        }
        if let p = pairwise, [p.better, p.ties, p.worse, p.unpaired].contains(where: { $0 < 0 }) {
            return "its pairwise counts are negative"
        }
        return nil
    }
}
