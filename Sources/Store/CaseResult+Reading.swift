import EvalGuardSupport

/// A stored case read straight into `CaseResult`'s compact layout (`JSONReader`), without
/// `JSONDecoder`: a 100,000-case result is most of the gate's reading. One line per member, in
/// one table: a member this table does not name makes the reader refuse the case, and the
/// whole result is then read by `JSONDecoder` (`CaseResult+Codable.swift`), which decides. The
/// two read the same documents to the same values (`StoredResultReadingTests`).
extension CaseResult {
    private typealias Member = @Sendable (inout CaseResult, inout JSONReader) throws(JSONReader.Refused) -> Void

    /// Members by name, with the bit that marks them read. `null` reads as absent, as
    /// `decodeIfPresent` has it, before any of these is called. A switch, not a dictionary: a
    /// name is compared in place (most are small strings, one or two words), where a lookup
    /// hashes it, and a 100,000-case result has some 600,000 of them.
    private static func member(_ name: String) -> (bit: Int, read: Member)? {
        switch name {
        case "id": (0, { c, r throws(JSONReader.Refused) in c.id = try r.string() })
        case "passed": (1, { c, r throws(JSONReader.Refused) in c.passed = try r.bool() })
        case "score": (2, { c, r throws(JSONReader.Refused) in c.score = try r.double() })
        case "latency_ms": (3, { c, r throws(JSONReader.Refused) in c.latencyMs = try r.double() })
        case "cost_usd": (4, { c, r throws(JSONReader.Refused) in c.costUSD = try r.double() })
        case "usage": (5, { c, r throws(JSONReader.Refused) in c.usage = try readUsage(&r) })
        case "error": (6, { c, r throws(JSONReader.Refused) in c.error = try r.string() })
        case "output": (7, { c, r throws(JSONReader.Refused) in c.output = try r.string() })
        case "reason": (8, { c, r throws(JSONReader.Refused) in c.reason = try r.string() })
        case "timed_out": (9, { c, r throws(JSONReader.Refused) in c.timedOut = try r.bool() })
        case "cold_start": (10, { c, r throws(JSONReader.Refused) in c.coldStart = try r.bool() })
        case "output_digest":
            (
                11,
                { c, r throws(JSONReader.Refused) in
                    if let id = r.objectID() { c.outputBlob = id } else { c.outputDigest = try r.string() }
                }
            )
        case "runs": (12, { c, r throws(JSONReader.Refused) in c.runs = try r.int() })
        case "passes": (13, { c, r throws(JSONReader.Refused) in c.passes = try r.int() })
        case "latencies_ms": (14, { c, r throws(JSONReader.Refused) in c.latenciesMs = try readDoubles(&r) })
        case "run_outputs": (15, { c, r throws(JSONReader.Refused) in c.runOutputs = try readRunOutputs(&r) })
        case "retries": (16, { c, r throws(JSONReader.Refused) in c.retries = try r.int() })
        case "retry_ms": (17, { c, r throws(JSONReader.Refused) in c.retryMs = try r.double() })
        case "retry_from_ms": (18, { c, r throws(JSONReader.Refused) in c.retryFromMs = try r.double() })
        case "output_truncated": (19, { c, r throws(JSONReader.Refused) in c.outputTruncated = try r.bool() })
        case "input_digest":
            (
                20,
                { c, r throws(JSONReader.Refused) in
                    if let id = r.objectID() { c.inputBlob = id } else { c.inputDigest = try r.string() }
                }
            )
        case "scoring_digest":
            (
                21,
                { c, r throws(JSONReader.Refused) in
                    if let id = r.objectID() { c.scoringBlob = id } else { c.scoringDigest = try r.string() }
                }
            )
        case "reused_from": (22, { c, r throws(JSONReader.Refused) in c.reusedFrom = try r.string() })
        case "settled_runs": (23, { c, r throws(JSONReader.Refused) in c.settledRuns = try r.int() })
        case "settled_passes": (24, { c, r throws(JSONReader.Refused) in c.settledPasses = try r.int() })
        case "request_latencies_ms":
            (25, { c, r throws(JSONReader.Refused) in c.requestLatenciesMs = try readDoubles(&r) })
        case "step_count": (26, { c, r throws(JSONReader.Refused) in c.stepCount = try r.int() })
        case "tool_call_count": (27, { c, r throws(JSONReader.Refused) in c.toolCallCount = try r.int() })
        default: nil
        }
    }

    /// The members `init(from:)` requires (decoded without `IfPresent`), as bits. Each name is a
    /// case of `member` above, so the lookup cannot fail (and every read of a case would trap if it did).
    private static let required: UInt64 = ["id", "passed", "score", "latency_ms"].reduce(0) {
        $0 | 1 << UInt64(member($1)!.bit)
    }

    /// Reads one case object; refuses a member it does not know, a member twice, or a missing
    /// or null required one.
    package static func read(_ reader: inout JSONReader) throws(JSONReader.Refused) -> CaseResult {
        var c = CaseResult(id: "", passed: false, score: 0, latencyMs: 0)
        var seen: UInt64 = 0
        try reader.object { r, name throws(JSONReader.Refused) in
            guard let member = member(name) else { throw JSONReader.Refused() }
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
            var output: String?
            var runs: Int?
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
