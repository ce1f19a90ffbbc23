import EvalGuardSupport

/// A stored case read straight into `CaseResult`'s compact layout (`JSONReader`), without
/// `JSONDecoder`: a 100,000-case result is most of the gate's reading. One line per member, in
/// one table: a member this table does not name makes the reader refuse the case, and the
/// whole result is then read by `JSONDecoder` (`CaseResult+Codable.swift`), which decides. The
/// two read the same documents to the same values (`StoredResultReadingTests`).
extension CaseResult {
    private typealias Member = @Sendable (inout CaseResult, inout JSONReader) throws(JSONReader.Refused) -> Void

    /// Members by name, with the bit that marks them read. `null` reads as absent, as
    /// `decodeIfPresent` has it, before any of these is called.
    private static let members: [String: (bit: Int, read: Member)] = {
        let table: [(String, Member)] = [
            ("id", { c, r throws(JSONReader.Refused) in c.id = try r.string() }),
            ("passed", { c, r throws(JSONReader.Refused) in c.passed = try r.bool() }),
            ("score", { c, r throws(JSONReader.Refused) in c.score = try r.double() }),
            ("latency_ms", { c, r throws(JSONReader.Refused) in c.latencyMs = try r.double() }),
            ("cost_usd", { c, r throws(JSONReader.Refused) in c.costUSD = try r.double() }),
            ("usage", { c, r throws(JSONReader.Refused) in c.usage = try readUsage(&r) }),
            ("error", { c, r throws(JSONReader.Refused) in c.error = try r.string() }),
            ("output", { c, r throws(JSONReader.Refused) in c.output = try r.string() }),
            ("reason", { c, r throws(JSONReader.Refused) in c.reason = try r.string() }),
            ("timed_out", { c, r throws(JSONReader.Refused) in c.timedOut = try r.bool() }),
            ("cold_start", { c, r throws(JSONReader.Refused) in c.coldStart = try r.bool() }),
            ("output_digest", { c, r throws(JSONReader.Refused) in
                if let id = r.objectID() { c.outputBlob = id } else { c.outputDigest = try r.string() } }),
            ("runs", { c, r throws(JSONReader.Refused) in c.runs = try r.int() }),
            ("passes", { c, r throws(JSONReader.Refused) in c.passes = try r.int() }),
            ("latencies_ms", { c, r throws(JSONReader.Refused) in c.latenciesMs = try readDoubles(&r) }),
            ("run_outputs", { c, r throws(JSONReader.Refused) in c.runOutputs = try readRunOutputs(&r) }),
            ("retries", { c, r throws(JSONReader.Refused) in c.retries = try r.int() }),
            ("retry_ms", { c, r throws(JSONReader.Refused) in c.retryMs = try r.double() }),
            ("retry_from_ms", { c, r throws(JSONReader.Refused) in c.retryFromMs = try r.double() }),
            ("output_truncated", { c, r throws(JSONReader.Refused) in c.outputTruncated = try r.bool() }),
            ("input_digest", { c, r throws(JSONReader.Refused) in
                if let id = r.objectID() { c.inputBlob = id } else { c.inputDigest = try r.string() } }),
            ("scoring_digest", { c, r throws(JSONReader.Refused) in
                if let id = r.objectID() { c.scoringBlob = id } else { c.scoringDigest = try r.string() } }),
            ("reused_from", { c, r throws(JSONReader.Refused) in c.reusedFrom = try r.string() }),
            ("settled_runs", { c, r throws(JSONReader.Refused) in c.settledRuns = try r.int() }),
            ("settled_passes", { c, r throws(JSONReader.Refused) in c.settledPasses = try r.int() }),
            ("request_latencies_ms", { c, r throws(JSONReader.Refused) in c.requestLatenciesMs = try readDoubles(&r) }),
            ("step_count", { c, r throws(JSONReader.Refused) in c.stepCount = try r.int() }),
            ("tool_call_count", { c, r throws(JSONReader.Refused) in c.toolCallCount = try r.int() }),
        ]
        return Dictionary(uniqueKeysWithValues: table.enumerated().map { ($0.element.0, (bit: $0.offset, read: $0.element.1)) })
    }()

    /// The members `init(from:)` requires (decoded without `IfPresent`), as bits. Each name is in
    /// the table above, so the lookup cannot fail (and every read of a case would trap if it did).
    private static let required: UInt64 = ["id", "passed", "score", "latency_ms"].reduce(0) { $0 | 1 << UInt64(members[$1]!.bit) }

    /// Reads one case object; refuses a member it does not know, a member twice, or a missing
    /// or null required one.
    package static func read(_ reader: inout JSONReader) throws(JSONReader.Refused) -> CaseResult {
        var c = CaseResult(id: "", passed: false, score: 0, latencyMs: 0)
        var seen: UInt64 = 0
        try reader.object { r, name throws(JSONReader.Refused) in
            guard let member = members[name] else { throw JSONReader.Refused() }
            let bit: UInt64 = 1 << UInt64(member.bit)
            guard seen & bit == 0 else { throw JSONReader.Refused() }
            seen |= bit
            if r.null() {
                if required & bit != 0 { throw JSONReader.Refused() }
                return
            }
            try member.read(&c, &r)
        }
        guard seen & required == required else { throw JSONReader.Refused() }
        return c
    }

    private static func readUsage(_ r: inout JSONReader) throws(JSONReader.Refused) -> [String: Double] {
        var usage: [String: Double] = [:]
        try r.object { r, name throws(JSONReader.Refused) in
            guard usage[name] == nil else { throw JSONReader.Refused() }
            usage[name] = try r.double()
        }
        return usage
    }

    private static func readDoubles(_ r: inout JSONReader) throws(JSONReader.Refused) -> [Double] {
        var values: [Double] = []
        try r.array { r throws(JSONReader.Refused) in values.append(try r.double()) }
        return values
    }

    private static func readRunOutputs(_ r: inout JSONReader) throws(JSONReader.Refused) -> [RunOutput] {
        var outputs: [RunOutput] = []
        try r.array { r throws(JSONReader.Refused) in
            var output: String?, runs: Int?
            try r.object { r, name throws(JSONReader.Refused) in
                switch name {
                case "output" where output == nil: output = try r.string()
                case "runs" where runs == nil: runs = try r.int()
                default: throw JSONReader.Refused()
                }
            }
            guard let output, let runs else { throw JSONReader.Refused() }
            outputs.append(RunOutput(output: output, runs: runs))
        }
        return outputs
    }
}
