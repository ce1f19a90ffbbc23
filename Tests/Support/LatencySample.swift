import Foundation

@testable import EvalGuardStatistics

/// Samples shaped like measured latencies, seeded.
package enum LatencySample {
    /// Latency-like sample: `median` times a log-normal factor with the given spread.
    package static func make(count: Int, median: Double, spread: Double = 0.4, seed: UInt64) -> [Double] {
        var g = SeededGenerator(seed: seed)
        return (0..<count).map { _ in
            let u = (Double(g.next() >> 11) + 0.5) * 0x1.0p-53
            return median * exp(spread * Normal.quantile(u))
        }
    }
}
