import Foundation
import EvalGuardStore
import EvalGuardSupport

/// The figures of a stored result without its cases: what `log` shows per commit. Decoding it
/// reads the same files and notes as `ResultStore` (one mechanism), but skips materialising every
/// case, which is most of a result.
package struct ResultSummary: Decodable, Sendable, Versioned {
    package struct Suite: Decodable, Sendable {
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

    static func decode(_ data: Data) -> ResultSummary? { ResultStore.decode(ResultSummary.self, CaseStripping.strip(data)) }
}
