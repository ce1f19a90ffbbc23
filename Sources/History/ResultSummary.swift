import EvalGuardStore
import EvalGuardSupport
import FoundationEssentials

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The figures of a stored result without its cases: what `log` shows per commit. It reads the
/// same files and notes as `ResultStore` and accepts what its decoder accepts (a test holds the
/// two together), but passes over the cases, which are most of a result, without parsing them.
package struct ResultSummary: Decodable, Sendable, Versioned, Equatable {
    package struct Suite: Decodable, Sendable, Equatable {
        package var name: String
        package var metrics: Metrics
    }

    package var format: Int
    package var commit: String
    package var key: String
    package var dirty: Bool
    package var overall: Metrics
    package var suites: [Suite]

    /// The metrics of one suite, or overall when `suite` is nil.
    package func metrics(_ suite: String?) -> Metrics? {
        guard let suite else { return overall }
        return suites.first { $0.name == suite }?.metrics
    }

    /// The summary of a result file or note; nil for another format version, what is not a
    /// result, or one whose figures fail the stored results' checks (said as a warning naming
    /// `source`, as `ResultStore` says it). A note merged by `evalguard sync` holds one result
    /// per line: the first that reads.
    ///
    /// Without `suites`, reading stops where the suites begin: keys are written sorted, so
    /// `overall` and every other figure shown precede them, and the cases (most of a result)
    /// are never walked. The summary then lists no suite.
    static func decode(_ data: Data, source: String, suites: Bool = true) -> ResultSummary? {
        DecodeTrace.decodedResult()
        // A document written by hand, its keys in another order, is read whole.
        let read = { (bytes: UnsafeBufferPointer<UInt8>) throws -> JSONValue in
            if !suites, let head = try? JSONParser.parse(bytes, until: "suites", keep: isRead), head["overall"] != nil {
                return head
            }
            return try JSONParser.parse(bytes, keep: isRead)
        }
        return data.withUnsafeBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            // One result per line (a merged note) is read line by line: the first line alone would
            // otherwise stand for the note, as a read that stops early never sees the second.
            if !isMerged(bytes), let whole = try? read(bytes) { return current(whole, source: source, suites: suites) }
            return bytes.split(separator: 0x0A).lazy.compactMap { line in
                (try? read(UnsafeBufferPointer(rebasing: line))).flatMap { current($0, source: source, suites: suites) }
            }.first
        }
    }

    /// Whether the bytes hold a compact result on their first line and something after it.
    private static func isMerged(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress, let found = memchr(base, 0x0A, bytes.count) else { return false }
        let newline = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
        return newline > 0 && bytes[newline - 1] == UInt8(ascii: "}") && newline + 1 < bytes.count
    }

    /// The same checks as a whole result's, on the fields a summary reads.
    package var storedProblem: String? {
        guard RunResult.isObjectID(commit) else { return "its commit \(RunResult.shown(commit)) is not a commit id" }
        guard RunResult.isObjectID(key) else { return "its key \(RunResult.shown(key)) is not an evaluation key" }
        if let problem = overall.storedProblem { return "overall: " + problem }
        var names = Set<String>()
        for suite in suites {
            guard names.insert(suite.name).inserted else { return "suite '\(suite.name)' is listed twice" }
            if let problem = suite.metrics.storedProblem { return "suite '\(suite.name)': " + problem }
        }
        return nil
    }

    /// The members a summary reads, at whatever depth (a suite's `key` costs nothing much);
    /// `cases` only as a count, never the array of case results.
    private static let readMembers: Set<String> = Set([
        "format", "commit", "key", "dirty", "overall", "suites", "name", "metrics",
    ])
    .union(Metrics.codingKeyNames)

    private static func isRead(_ name: String, _ valueStart: UInt8) -> Bool {
        readMembers.contains(name) && !(name == "cases" && valueStart == UInt8(ascii: "["))
    }

    private static func current(_ json: JSONValue, source: String, suites: Bool) -> ResultSummary? {
        ResultSummary(json: json, suites: suites).flatMap { ResultStore.checked($0, source: source) }
    }

    init?(json: JSONValue, suites read: Bool = true) {
        guard case .string(let commit)? = json["commit"], case .string(let key)? = json["key"],
            case .bool(let dirty)? = json["dirty"], case .number(let format)? = json["format"],
            format == format.rounded(.towardZero), abs(format) < 1e9,
            let overall = json["overall"].flatMap(Metrics.init(json:)),
            case .array(let items)? = read ? json["suites"] : .array([])
        else { return nil }
        var suites: [Suite] = []
        suites.reserveCapacity(items.count)
        for item in items {
            guard case .string(let name)? = item["name"], let metrics = item["metrics"].flatMap(Metrics.init(json:))
            else { return nil }
            suites.append(Suite(name: name, metrics: metrics))
        }
        (self.format, self.commit, self.key, self.dirty, self.overall, self.suites) = (
            Int(format), commit, key, dirty, overall, suites
        )
    }
}
