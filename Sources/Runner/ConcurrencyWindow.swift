/// How many requests an HTTP provider keeps in flight: additive increase, multiplicative
/// decrease (AIMD), as TCP does with its congestion window, probing slowly near the load that
/// was last refused, and, once two refusals have measured it, settling just below the load the
/// server sustains.
///
/// - A 429 or 503 halves the window (never below one). Only an answer to a request sent after the
///   last cut cuts again: the requests already in flight when the server started refusing were
///   sent under the old window, and their refusals say nothing new (without this, eight refusals
///   arriving together would cut eight to one).
/// - A run of successes as long as the window (about one round trip's worth) grows it by one,
///   up to `model.jobs`; from four fifths of the window last refused on, one step takes
///   `probeRounds` such runs. A server with a token bucket refuses only once its burst is spent,
///   so the window a refusal comes at overshoots what the server sustains.
/// - Between two cuts the server accepted what it sustains: it refused at both, so its allowance
///   was spent at both, and whatever it granted in between is its rate (a bucket that filled up
///   and threw tokens away only makes the figure lower). That rate times the answers' latency is
///   the number of requests in flight it sustains (Little's law): `sustained`. From the second
///   cut on, a cut goes no lower than one below it, and growth at and above it takes
///   `plateauRounds` round trips a step, so the window rests where the server keeps up instead
///   of halving and climbing back into the next refusal. It still probes, slowly, so a server
///   whose limit rises is followed; each later pair of cuts measures again. Under the
///   token-bucket test (200 a second, bursts of 40, 100 ms answers, `jobs` 32) halving alone
///   refused 0.3-1.4% of the requests with 94-98% of the limit used; see docs/performance.md.
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
    /// Requests in flight the server sustained between the last two cuts (nil before two).
    package private(set) var sustained: Int?
    /// Successes since the last cut: with the time between two cuts, the rate the server sustains.
    private var acceptedSinceCut = 0
    /// The successes' latency in nanoseconds, a moving average over about `latencyWeight` answers.
    private var latency = 0.0
    /// Round trips of successes per step at and above `probeFrom`.
    static let probeRounds = 4
    /// Round trips of successes per step at and above `sustained`.
    static let plateauRounds = 16
    static let latencyWeight = 16.0

    /// The gap between two starts that spreads the window's requests over one round trip (the
    /// answers' latency over the window), 0 before any answer. A window sent at once, as a batch
    /// of answers arriving together would send it, meets a spent token bucket all at once: every
    /// request of the burst past the last token is refused before the first refusal can cut.
    /// Spread, the first refusal cuts before the next request leaves.
    package var pace: UInt64 { UInt64(latency / Double(current)) }
    /// Starts a loop late by a wake-up may make up at once, in paces.
    package static let paceSlack: UInt64 = 4

    package init(maximum: Int) {
        self.maximum = max(1, maximum)
        current = self.maximum
    }

    /// A request sent at `sentAt` was refused for load (429 or 503).
    package mutating func refused(sentAt: UInt64, at now: UInt64) {
        guard sentAt >= lastCutAt else { return }
        // Fewer successes than two windows' worth measure a burst, not a rate.
        if cuts > 0, now > lastCutAt, latency > 0, acceptedSinceCut >= 2 * current {
            let perNanosecond = Double(acceptedSinceCut) / Double(now - lastCutAt)
            sustained = max(1, Int(perNanosecond * latency))
        }
        let refusedAt = current
        probeFrom = max(1, refusedAt * 4 / 5)
        current = max(1, refusedAt / 2)
        if let sustained { current = max(current, min(sustained, refusedAt) - 1) }
        successes = 0
        acceptedSinceCut = 0
        lastCutAt = now
        cuts += 1
    }

    /// A request got an answer that was not a refusal for load, `latency` nanoseconds after it was sent.
    package mutating func succeeded(latency nanoseconds: UInt64) {
        acceptedSinceCut += 1
        let sample = Double(nanoseconds)
        latency = latency == 0 ? sample : latency + (sample - latency) / Self.latencyWeight
        guard current < maximum else { return }
        successes += 1
        var rounds = probeFrom.map { current >= $0 ? Self.probeRounds : 1 } ?? 1
        if let sustained, current >= sustained { rounds = Self.plateauRounds }
        if successes >= current * rounds {
            current += 1
            successes = 0
        }
    }
}
