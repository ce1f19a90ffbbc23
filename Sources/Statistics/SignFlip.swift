import FoundationEssentials

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The sign-flip distribution of Σ ±m_i with independent fair signs.
enum SignFlip {
    /// The exact size of the one-sided test "p-value below alpha" on these magnitudes: the
    /// probability, with every sign a fair coin, that the p-value falls below alpha. nil when
    /// the distribution would cost too much to compute.
    static func size(magnitudes: [Int], alpha: Double) -> Double? {
        if magnitudes.allSatisfy({ $0 == magnitudes[0] }) {
            // Equal magnitudes: McNemar's binomial; the smallest count of falls that is significant.
            let n = magnitudes.count
            for worse in 0...n {
                let p = McNemar.pValueWorse(regressed: worse, fixed: n - worse)
                if p < alpha { return p }
            }
            return 0
        }
        guard let distribution = distribution(magnitudes) else { return nil }
        // Upper tails from the top: the largest tail still below alpha is the test's size.
        var tail = 0.0
        var size = 0.0
        for probability in distribution.reversed() where probability > 0 {
            tail += probability
            if tail < alpha { size = tail } else { break }
        }
        return size
    }

    /// P(sum = i − total) at index i, by convolving one scaled binomial per distinct magnitude;
    /// nil when that would take more than `PairedAccuracy.exactWorkLimit` steps.
    static func distribution(_ magnitudes: [Int]) -> [Double]? {
        var counts: [Int: Int] = [:]
        for m in magnitudes { counts[m, default: 0] += 1 }
        // In the order the convolution runs: the work estimate, and so the choice of an exact
        // test or an approximation, must not depend on a dictionary's per-process order.
        let ordered = counts.sorted { $0.key < $1.key }
        let total = magnitudes.reduce(0, +)
        var work = 0
        var support = 1
        for (m, k) in ordered {
            support += 2 * m * k
            work += support * (k + 1)
        }
        guard work <= PairedAccuracy.exactWorkLimit else { return nil }
        var distribution = [Double](repeating: 0, count: 2 * total + 1)
        distribution[total] = 1
        var reach = 0
        for (m, k) in ordered {
            let weights = (0...k).map { exp(FairBinomial.logPMF($0, k)) }
            var next = [Double](repeating: 0, count: distribution.count)
            for i in (total - reach)...(total + reach) where distribution[i] != 0 {
                for (j, w) in weights.enumerated() { next[i + m * (2 * j - k)] += distribution[i] * w }
            }
            distribution = next
            reach += m * k
        }
        return distribution
    }
}
