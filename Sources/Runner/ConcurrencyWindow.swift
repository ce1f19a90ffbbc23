/// How many requests an HTTP provider keeps in flight: additive increase, multiplicative
/// decrease (AIMD), as TCP does with its congestion window, probing slowly near the load that
/// was last refused.
///
/// - A 429 or 503 halves the window (never below one). Only an answer to a request sent after the
///   last cut cuts again: the requests already in flight when the server started refusing were
///   sent under the old window, and their refusals say nothing new (without this, eight refusals
///   arriving together would cut eight to one).
/// - A run of successes as long as the window (about one round trip's worth) grows it by one,
///   up to `model.jobs`; from four fifths of the window last refused on, one step takes
///   `probeRounds` such runs. A server with a token bucket refuses only once its burst is spent,
///   so the window a refusal comes at overshoots what the server sustains: growing back to it at
///   full speed refused 0.9-1.4% of the requests under the token-bucket test (200 a second,
///   bursts of 40, 100 ms answers), probing slowly 0.3-1.0% with 94-98% of the limit used. A
///   slower probe (16 round trips) refused less but left up to 6% of the limit unused.
package struct ConcurrencyWindow: Sendable {
    package let maximum: Int
    package private(set) var current: Int
    /// Successes since the window last changed.
    private var successes = 0
    /// When the window was last cut (`monotonicNanoseconds()`), 0 before any cut.
    private var lastCutAt: UInt64 = 0
    /// How many times the window was cut, for reports and tests.
    package private(set) var cuts = 0
    /// Where growth slows down: four fifths of the window the last refusal came at (nil before any).
    package private(set) var probeFrom: Int?
    /// Round trips of successes per step at and above `probeFrom`.
    static let probeRounds = 4

    package init(maximum: Int) {
        self.maximum = max(1, maximum)
        current = self.maximum
    }

    /// A request sent at `sentAt` was refused for load (429 or 503).
    package mutating func refused(sentAt: UInt64, at now: UInt64) {
        guard sentAt >= lastCutAt else { return }
        probeFrom = max(1, current * 4 / 5)
        current = max(1, current / 2)
        successes = 0
        lastCutAt = now
        cuts += 1
    }

    /// A request got an answer that was not a refusal for load.
    package mutating func succeeded() {
        guard current < maximum else { return }
        successes += 1
        let rounds = probeFrom.map { current >= $0 ? Self.probeRounds : 1 } ?? 1
        if successes >= current * rounds {
            current += 1
            successes = 0
        }
    }
}
