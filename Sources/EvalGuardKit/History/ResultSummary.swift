import Foundation

/// The figures of a stored result without its cases: what `log` shows per commit. Decoding it
/// reads the same files and notes as `ResultStore` (one mechanism), but skips materialising every
/// case, which is most of a result.
public struct ResultSummary: Decodable, Sendable, Versioned {
    public struct Suite: Decodable, Sendable {
        public var name: String
        public var metrics: Metrics
    }

    public var format: Int
    public var commit: String
    public var key: String
    public var dirty: Bool
    public var overall: Metrics
    public var suites: [Suite]

    /// The metrics of one suite, or overall when `suite` is nil.
    public func metrics(_ suite: String?) -> Metrics? {
        guard let suite else { return overall }
        return suites.first { $0.name == suite }?.metrics
    }

    static func decode(_ data: Data) -> ResultSummary? { ResultStore.decode(ResultSummary.self, data) }
}
