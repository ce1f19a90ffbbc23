/// `CaseResult`'s JSON, written by hand since its storage is not its fields: the keys and
/// values are the ones its synthesized conformance wrote (nil optionals left out), so every
/// stored result reads as before and `ResultEncodingTests` holds `JSONEncoder`'s bytes and the
/// streamed writer's (`RunResult+JSON.swift`) together.
extension CaseResult: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case id, passed, score, usage, error, output, reason
        case latencyMs = "latency_ms"
        case costUSD = "cost_usd"
        case timedOut = "timed_out"
        case outputDigest = "output_digest"
        case coldStart = "cold_start"
        case runs, passes
        case latenciesMs = "latencies_ms"
        case runOutputs = "run_outputs"
        case retries
        case retryMs = "retry_ms"
        case retryFromMs = "retry_from_ms"
        case requestLatenciesMs = "request_latencies_ms"
        case outputTruncated = "output_truncated"
        case inputDigest = "input_digest"
        case scoringDigest = "scoring_digest"
        case reusedFrom = "reused_from"
        case settledRuns = "settled_runs"
        case settledPasses = "settled_passes"
        case toolCallCount = "tool_call_count"
        case stepCount = "step_count"
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: try c.decode(String.self, forKey: .id), passed: try c.decode(Bool.self, forKey: .passed),
            score: try c.decode(Double.self, forKey: .score), latencyMs: try c.decode(Double.self, forKey: .latencyMs),
            costUSD: try c.decodeIfPresent(Double.self, forKey: .costUSD),
            usage: try c.decodeIfPresent([String: Double].self, forKey: .usage),
            error: try c.decodeIfPresent(String.self, forKey: .error),
            timedOut: try c.decodeIfPresent(Bool.self, forKey: .timedOut),
            coldStart: try c.decodeIfPresent(Bool.self, forKey: .coldStart),
            outputDigest: try c.decodeIfPresent(String.self, forKey: .outputDigest),
            output: try c.decodeIfPresent(String.self, forKey: .output),
            runs: try c.decodeIfPresent(Int.self, forKey: .runs),
            passes: try c.decodeIfPresent(Int.self, forKey: .passes),
            latenciesMs: try c.decodeIfPresent([Double].self, forKey: .latenciesMs),
            retries: try c.decodeIfPresent(Int.self, forKey: .retries),
            retryMs: try c.decodeIfPresent(Double.self, forKey: .retryMs))
        reason = try c.decodeIfPresent(String.self, forKey: .reason)
        runOutputs = try c.decodeIfPresent([RunOutput].self, forKey: .runOutputs)
        retryFromMs = try c.decodeIfPresent(Double.self, forKey: .retryFromMs)
        requestLatenciesMs = try c.decodeIfPresent([Double].self, forKey: .requestLatenciesMs)
        outputTruncated = try c.decodeIfPresent(Bool.self, forKey: .outputTruncated)
        inputDigest = try c.decodeIfPresent(String.self, forKey: .inputDigest)
        scoringDigest = try c.decodeIfPresent(String.self, forKey: .scoringDigest)
        reusedFrom = try c.decodeIfPresent(String.self, forKey: .reusedFrom)
        settledRuns = try c.decodeIfPresent(Int.self, forKey: .settledRuns)
        settledPasses = try c.decodeIfPresent(Int.self, forKey: .settledPasses)
        toolCallCount = try c.decodeIfPresent(Int.self, forKey: .toolCallCount)
        stepCount = try c.decodeIfPresent(Int.self, forKey: .stepCount)
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(passed, forKey: .passed)
        try c.encode(score, forKey: .score)
        try c.encode(latencyMs, forKey: .latencyMs)
        try c.encodeIfPresent(costUSD, forKey: .costUSD)
        try c.encodeIfPresent(usage, forKey: .usage)
        try c.encodeIfPresent(error, forKey: .error)
        try c.encodeIfPresent(output, forKey: .output)
        try c.encodeIfPresent(reason, forKey: .reason)
        try c.encodeIfPresent(timedOut, forKey: .timedOut)
        try c.encodeIfPresent(coldStart, forKey: .coldStart)
        try c.encodeIfPresent(outputDigest, forKey: .outputDigest)
        try c.encodeIfPresent(runs, forKey: .runs)
        try c.encodeIfPresent(passes, forKey: .passes)
        try c.encodeIfPresent(latenciesMs, forKey: .latenciesMs)
        try c.encodeIfPresent(runOutputs, forKey: .runOutputs)
        try c.encodeIfPresent(retries, forKey: .retries)
        try c.encodeIfPresent(retryMs, forKey: .retryMs)
        try c.encodeIfPresent(retryFromMs, forKey: .retryFromMs)
        try c.encodeIfPresent(requestLatenciesMs, forKey: .requestLatenciesMs)
        try c.encodeIfPresent(outputTruncated, forKey: .outputTruncated)
        try c.encodeIfPresent(inputDigest, forKey: .inputDigest)
        try c.encodeIfPresent(scoringDigest, forKey: .scoringDigest)
        try c.encodeIfPresent(reusedFrom, forKey: .reusedFrom)
        try c.encodeIfPresent(settledRuns, forKey: .settledRuns)
        try c.encodeIfPresent(settledPasses, forKey: .settledPasses)
        try c.encodeIfPresent(toolCallCount, forKey: .toolCallCount)
        try c.encodeIfPresent(stepCount, forKey: .stepCount)
    }
}
