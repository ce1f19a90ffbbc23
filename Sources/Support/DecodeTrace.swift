import Synchronization

/// How many stored results and baselines this process decoded: `EVALGUARD_TRACE=decode` prints
/// it on stderr when a command ends, so a test (or a curious user) can see that a cached verdict
/// decoded nothing. Process-wide, so only meaningful for one command per process.
package enum DecodeTrace {
    private static let counts = Mutex((results: 0, baselines: 0, statuses: 0))
    private static let plans = Mutex((cases: 0, wholeSuites: 0))

    package static func decodedResult() { counts.withLock { $0.results += 1 } }
    package static func decodedBaseline() { counts.withLock { $0.baselines += 1 } }
    /// A working-tree status was computed (libgit2 reads the whole index for it).
    package static func computedStatus() { counts.withLock { $0.statuses += 1 } }

    /// Stored answers were planned case by case, `count` of them (one call per suite).
    package static func plannedCases(_ count: Int) { plans.withLock { $0.cases += count } }
    /// A stored suite was taken whole, its cases not planned.
    package static func tookWholeSuite() { plans.withLock { $0.wholeSuites += 1 } }

    /// `EVALGUARD_TRACE=plan`: how many cases reuse planning went through, and how many stored
    /// suites it took whole instead.
    package static var planSummary: String {
        plans.withLock { "trace: planned \($0.cases) case(s), took \($0.wholeSuites) suite(s) whole" }
    }

    package static var summary: String {
        counts.withLock { "trace: decoded \($0.results) result(s) and \($0.baselines) baseline(s)" }
    }

    /// `EVALGUARD_TRACE=status`: how many working-tree statuses this process computed.
    package static var statusSummary: String {
        counts.withLock { "trace: computed \($0.statuses) working-tree status(es)" }
    }
}
