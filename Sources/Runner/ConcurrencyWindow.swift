/// How many requests an HTTP provider keeps in flight: additive increase, multiplicative
/// decrease (AIMD), as TCP does with its congestion window.
///
/// - A 429 or 503 halves the window (never below one). Only an answer to a request sent after the
///   last cut cuts again: the requests already in flight when the server started refusing were
///   sent under the old window, and their refusals say nothing new (without this, eight refusals
///   arriving together would cut eight to one).
/// - A run of successes as long as the window (about one round trip's worth) grows it by one,
///   up to `model.jobs`.
package struct ConcurrencyWindow: Sendable {
    package let maximum: Int
    package private(set) var current: Int
    /// Successes since the window last changed.
    private var successes = 0
    /// When the window was last cut (`monotonicNanoseconds()`), 0 before any cut.
    private var lastCutAt: UInt64 = 0
    /// How many times the window was cut, for reports and tests.
    package private(set) var cuts = 0

    package init(maximum: Int) {
        self.maximum = max(1, maximum)
        current = self.maximum
    }

    /// A request sent at `sentAt` was refused for load (429 or 503).
    package mutating func refused(sentAt: UInt64, at now: UInt64) {
        guard sentAt >= lastCutAt else { return }
        current = max(1, current / 2)
        successes = 0
        lastCutAt = now
        cuts += 1
    }

    /// A request got an answer that was not a refusal for load.
    package mutating func succeeded() {
        guard current < maximum else { return }
        successes += 1
        if successes >= current {
            current += 1
            successes = 0
        }
    }
}
