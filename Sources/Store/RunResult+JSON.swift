import EvalGuardSupport

/// A result's JSON written field by field into a `JSONStream`, so that a 100,000-case result
/// goes to its file and note without an encoded copy in memory. The bytes are the ones
/// `JSONEncoder` writes with `.sortedKeys` and `.withoutEscapingSlashes` (every reader and every
/// stored result stays as it was; `ResultEncodingTests` compares both): keys in sorted order,
/// nil optionals left out. A field added to these types must be added here, in its sorted place.
extension RunResult {
    package func write(to json: JSONStream) throws {
        json.beginObject()
        json.key("commit")
        json.string(commit)
        json.key("config_digest")
        json.string(configDigest)
        json.key("created_at")
        json.string(createdAt)
        json.key("dirty")
        json.bool(dirty)
        if let dirtyPaths {
            json.key("dirty_paths")
            try json.array(dirtyPaths, json.string)
        }
        json.key("evalguard_version")
        json.string(evalguardVersion)
        json.key("format")
        json.int(format)
        json.key("key")
        json.string(key)
        json.key("model")
        try json.object(model, json.value)
        if let models {
            json.key("models")
            try json.object(models) { try json.object($0, json.value) }
        }
        json.key("overall")
        try overall.write(to: json)
        if let partial {
            json.key("partial")
            json.string(partial)
        }
        if let repeats {
            json.key("repeat")
            json.int(repeats)
        }
        json.key("suites")
        try json.array(suites) { try $0.write(to: json) }
        try json.endObject()
    }
}

extension SuiteResult {
    func write(to json: JSONStream) throws {
        json.beginObject()
        if let baselineReasks {
            json.key("baseline_reasks")
            json.beginObject()
            json.key("cases")
            try json.object(baselineReasks.cases) { count in
                json.beginObject()
                json.key("passes")
                json.int(count.passes)
                json.key("runs")
                json.int(count.runs)
                try json.endObject()
            }
            json.key("commit")
            json.string(baselineReasks.commit)
            try json.endObject()
        }
        json.key("cases")
        try json.array(cases) { try $0.write(to: json) }
        json.key("cases_digest")
        json.string(casesDigest)
        json.key("cases_file")
        json.string(casesFile)
        if let embeddings {
            json.key("embeddings")
            try json.object(embeddings) { try json.array($0, json.double) }
        }
        if let judge {
            json.key("judge")
            try judge.write(to: json)
        }
        if let key {
            json.key("key")
            json.string(key)
        }
        json.key("metrics")
        try metrics.write(to: json)
        if let model {
            json.key("model")
            json.string(model)
        }
        if let modelFingerprint {
            json.key("model_fingerprint")
            json.string(modelFingerprint)
        }
        json.key("name")
        json.string(name)
        if let reuse {
            json.key("reuse")
            try reuse.write(to: json)
        }
        json.key("scorer")
        json.string(scorer)
        try json.endObject()
    }
}

extension CaseResult {
    func write(to json: JSONStream) throws {
        json.beginObject()
        if let coldStart {
            json.key("cold_start")
            json.bool(coldStart)
        }
        if let costUSD {
            json.key("cost_usd")
            try json.double(costUSD)
        }
        if let error {
            json.key("error")
            json.string(error)
        }
        json.key("id")
        json.string(id)
        if let inputDigest {
            json.key("input_digest")
            json.string(inputDigest)
        }
        if let latenciesMs {
            json.key("latencies_ms")
            try json.array(latenciesMs, json.double)
        }
        json.key("latency_ms")
        try json.double(latencyMs)
        if let output {
            json.key("output")
            json.string(output)
        }
        if let outputDigest {
            json.key("output_digest")
            json.string(outputDigest)
        }
        if let outputTruncated {
            json.key("output_truncated")
            json.bool(outputTruncated)
        }
        json.key("passed")
        json.bool(passed)
        if let passes {
            json.key("passes")
            json.int(passes)
        }
        if let reason {
            json.key("reason")
            json.string(reason)
        }
        if let requestLatenciesMs {
            json.key("request_latencies_ms")
            try json.array(requestLatenciesMs, json.double)
        }
        if let retries {
            json.key("retries")
            json.int(retries)
        }
        if let retryFromMs {
            json.key("retry_from_ms")
            try json.double(retryFromMs)
        }
        if let retryMs {
            json.key("retry_ms")
            try json.double(retryMs)
        }
        if let reusedFrom {
            json.key("reused_from")
            json.string(reusedFrom)
        }
        if let runOutputs {
            json.key("run_outputs")
            try json.array(runOutputs) { try $0.write(to: json) }
        }
        if let runs {
            json.key("runs")
            json.int(runs)
        }
        json.key("score")
        try json.double(score)
        if let scoringDigest {
            json.key("scoring_digest")
            json.string(scoringDigest)
        }
        if let settledPasses {
            json.key("settled_passes")
            json.int(settledPasses)
        }
        if let settledRuns {
            json.key("settled_runs")
            json.int(settledRuns)
        }
        if let stepCount {
            json.key("step_count")
            json.int(stepCount)
        }
        if let timedOut {
            json.key("timed_out")
            json.bool(timedOut)
        }
        if let toolCallCount {
            json.key("tool_call_count")
            json.int(toolCallCount)
        }
        if let usage {
            json.key("usage")
            try json.object(usage, json.double)
        }
        try json.endObject()
    }
}

extension RunOutput {
    func write(to json: JSONStream) throws {
        json.beginObject()
        json.key("output")
        json.string(output)
        json.key("runs")
        json.int(runs)
        try json.endObject()
    }
}

extension Metrics {
    func write(to json: JSONStream) throws {
        json.beginObject()
        json.key("accuracy")
        try json.double(accuracy)
        if let avgCostUSD {
            json.key("avg_cost_usd")
            try json.double(avgCostUSD)
        }
        if let avgSteps {
            json.key("avg_steps")
            try json.double(avgSteps)
        }
        if let avgToolCalls {
            json.key("avg_tool_calls")
            try json.double(avgToolCalls)
        }
        if let batched {
            json.key("batched")
            json.int(batched)
        }
        json.key("cases")
        json.int(cases)
        json.key("errors")
        json.int(errors)
        json.key("mean_latency_ms")
        try json.double(meanLatencyMs)
        if let meanScore {
            json.key("mean_score")
            try json.double(meanScore)
        }
        json.key("p50_latency_ms")
        try json.double(p50LatencyMs)
        json.key("p95_latency_ms")
        try json.double(p95LatencyMs)
        json.key("p99_latency_ms")
        try json.double(p99LatencyMs)
        json.key("passed")
        json.int(passed)
        if let retries {
            json.key("retries")
            json.int(retries)
        }
        if let retryMs {
            json.key("retry_ms")
            try json.double(retryMs)
        }
        json.key("timeouts")
        json.int(timeouts)
        if let totalCostUSD {
            json.key("total_cost_usd")
            try json.double(totalCostUSD)
        }
        try json.endObject()
    }
}

extension SuiteReuse {
    func write(to json: JSONStream) throws {
        json.beginObject()
        json.key("from")
        try json.array(from, json.string)
        json.key("ran")
        try json.array(ran, json.string)
        json.key("repriced")
        json.int(repriced)
        json.key("rescored")
        json.int(rescored)
        json.key("reused")
        json.int(reused)
        json.key("whole_suite")
        json.bool(wholeSuite)
        try json.endObject()
    }
}

extension JudgeRecord {
    func write(to json: JSONStream) throws {
        json.beginObject()
        json.key("cache")
        try json.object(cache, json.string)
        json.key("cached")
        json.int(cached)
        if let costUSD {
            json.key("cost_usd")
            try json.double(costUSD)
        }
        json.key("errors")
        json.int(errors)
        json.key("fingerprint")
        json.string(fingerprint)
        if let latencyP50Ms {
            json.key("latency_p50_ms")
            try json.double(latencyP50Ms)
        }
        if let latencyP95Ms {
            json.key("latency_p95_ms")
            try json.double(latencyP95Ms)
        }
        if let pairwise {
            json.key("pairwise")
            try pairwise.write(to: json)
        }
        if let reference {
            json.key("reference")
            json.string(reference)
        }
        json.key("requests")
        json.int(requests)
        if let selfAgreement {
            json.key("self_agreement")
            try json.double(selfAgreement)
        }
        json.key("settings")
        try json.value(settings)
        if let tokens {
            json.key("tokens")
            try json.double(tokens)
        }
        try json.endObject()
    }
}

extension PairwiseCounts {
    func write(to json: JSONStream) throws {
        json.beginObject()
        json.key("better")
        json.int(better)
        json.key("ties")
        json.int(ties)
        json.key("unpaired")
        json.int(unpaired)
        json.key("worse")
        json.int(worse)
        try json.endObject()
    }
}
