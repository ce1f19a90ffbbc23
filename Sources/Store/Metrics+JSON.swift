import EvalGuardSupport

extension Metrics {
    /// The member names of a metrics object.
    package static var codingKeyNames: [String] { CodingKeys.allCases.map(\.rawValue) }

    /// The figures read from a parsed JSON object under the names `Decodable` reads them with
    /// (`CodingKeys`) and by the same rules: counts and latencies required, the rest optional
    /// (absent or null), a wrong type or a fractional count rejected (nil). For readers of many
    /// stored results (`log`), where Foundation's decoder cost more than reading the files.
    package init?(json: JSONValue) {
        guard case .object(let fields) = json else { return nil }
        struct Mismatch: Error {}
        func optional(_ key: CodingKeys) throws(Mismatch) -> Double? {
            switch fields[key.rawValue] {
            case nil, .null?: return nil
            case .number(let n)?: return n
            default: throw Mismatch()
            }
        }
        func required(_ key: CodingKeys) throws(Mismatch) -> Double {
            guard let n = try optional(key) else { throw Mismatch() }
            return n
        }
        func integer(_ n: Double) throws(Mismatch) -> Int {
            guard n == n.rounded(.towardZero), abs(n) < 9.0e15 else { throw Mismatch() }
            return Int(n)
        }
        self.init([])
        do {
            cases = try integer(required(.cases))
            passed = try integer(required(.passed))
            errors = try integer(required(.errors))
            timeouts = try integer(required(.timeouts))
            accuracy = try required(.accuracy)
            p50LatencyMs = try required(.p50LatencyMs)
            p95LatencyMs = try required(.p95LatencyMs)
            p99LatencyMs = try required(.p99LatencyMs)
            meanLatencyMs = try required(.meanLatencyMs)
            avgCostUSD = try optional(.avgCostUSD)
            totalCostUSD = try optional(.totalCostUSD)
            retries = try optional(.retries).map { n throws(Mismatch) in try integer(n) }
            retryMs = try optional(.retryMs)
            meanScore = try optional(.meanScore)
            avgSteps = try optional(.avgSteps)
            avgToolCalls = try optional(.avgToolCalls)
            batched = try optional(.batched).map { n throws(Mismatch) in try integer(n) }
        } catch {
            return nil
        }
    }
}
