import Foundation

/// How many stored results and baselines this process decoded: `EVALGUARD_TRACE=decode` prints
/// it on stderr when a command ends, so a test (or a curious user) can see that a cached verdict
/// decoded nothing. Process-wide, so only meaningful for one command per process.
package enum DecodeTrace {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var results = 0
    nonisolated(unsafe) private static var baselines = 0
    nonisolated(unsafe) private static var statuses = 0

    package static func decodedResult() { lock.withLock { results += 1 } }
    package static func decodedBaseline() { lock.withLock { baselines += 1 } }
    /// A working-tree status was computed (libgit2 reads the whole index for it).
    package static func computedStatus() { lock.withLock { statuses += 1 } }

    package static var summary: String {
        lock.withLock { "trace: decoded \(results) result(s) and \(baselines) baseline(s)" }
    }

    /// `EVALGUARD_TRACE=status`: how many working-tree statuses this process computed.
    package static var statusSummary: String {
        lock.withLock { "trace: computed \(statuses) working-tree status(es)" }
    }
}
