import EvalGuardSupport

/// How far a quantile (p95 latency, usually) moved between a baseline run and the current run,
/// with bootstrap confidence intervals for the difference and the ratio.
package struct QuantileShift: Equatable, Sendable {
    /// The quantile compared, in 0...1 (0.95 for p95).
    package var quantile: Double
    /// The quantile of the baseline sample and of the current sample as measured.
    package var baseline: Double
    package var current: Double
    /// Percentile interval for current − baseline.
    package var differenceInterval: ConfidenceInterval
    /// Percentile interval for current / baseline; nil when the baseline sample holds a value
    /// <= 0, for which a ratio can be infinite or meaningless.
    package var ratioInterval: ConfidenceInterval?

    package var difference: Double { current - baseline }
    /// current / baseline; nil under the same condition as `ratioInterval`.
    package var ratio: Double? { ratioInterval == nil ? nil : current / baseline }
}

/// Bootstrap confidence intervals for the change in a latency quantile between two runs.
///
/// Why a bootstrap: no textbook formula gives the sampling error of a p95, and latencies are
/// skewed and multi-modal (cache hits, retries), so normal approximations lie. The two runs
/// are independent samples (a case's latency in one run does not predict it in the other the
/// way its pass/fail does), so each sample is resampled on its own. Thresholds are usually
/// relative ("p95 may not rise more than 10%"), hence the ratio interval as well.
///
/// The result depends only on the inputs and `seed`: the same push gets the same verdict on
/// every machine.
package enum Bootstrap {
    /// Resamples both samples with replacement `resamples` times and returns percentile
    /// intervals (numpy.percentile of the replicates) for the difference and ratio of their
    /// `quantile`s. nil when either sample is empty or holds a NaN or infinite value.
    package static func quantileShift(baseline: [Double], current: [Double],
                                     quantile q: Double = 0.95, resamples: Int = 2000,
                                     confidence: Double = 0.95,
                                     seed: UInt64 = 0) -> QuantileShift? {
        precondition(q >= 0 && q <= 1, "quantile must be in 0...1")
        precondition(resamples > 0, "resamples must be positive")
        precondition(confidence > 0 && confidence < 1, "confidence must be in (0, 1)")
        guard !baseline.isEmpty, !current.isEmpty,
              baseline.allSatisfy(\.isFinite), current.allSatisfy(\.isFinite) else { return nil }
        let base = baseline.sorted()
        let curr = current.sorted()
        let withRatio = base[0] > 0

        var rng = SeededGenerator(seed: seed)
        var baseCounts = [UInt32](repeating: 0, count: base.count)
        var currCounts = [UInt32](repeating: 0, count: curr.count)
        var differences = [Double]()
        var ratios = [Double]()
        differences.reserveCapacity(resamples)
        ratios.reserveCapacity(withRatio ? resamples : 0)
        for _ in 0..<resamples {
            let b = resampledQuantile(sorted: base, counts: &baseCounts, q, &rng)
            let c = resampledQuantile(sorted: curr, counts: &currCounts, q, &rng)
            differences.append(c - b)
            if withRatio { ratios.append(c / b) }
        }
        let tail = (1 - confidence) / 2
        func interval(_ replicates: inout [Double]) -> ConfidenceInterval {
            replicates.sort()
            return ConfidenceInterval(lower: Quantile.sorted(replicates, tail)!,
                                      upper: Quantile.sorted(replicates, 1 - tail)!)
        }
        return QuantileShift(
            quantile: q,
            baseline: Quantile.sorted(base, q)!,
            current: Quantile.sorted(curr, q)!,
            differenceInterval: interval(&differences),
            ratioInterval: withRatio ? interval(&ratios) : nil)
    }

    /// The `q`-quantile of one resample of `sorted`, drawn as `sorted.count` random indices.
    ///
    /// Why counts and not a sorted (or quickselected) copy of the resample: the resample's
    /// order statistics are order statistics of the drawn *indices* into the sorted sample,
    /// so a histogram of the indices (one increment per draw) and a scan from the top for
    /// the two ranks the quantile needs give the same value as sorting, in O(n) with no
    /// comparisons or data movement: 2,000 resamples of two 10,000-value samples take ~0.1 s
    /// in a release build, against ~3.7 s with a sort per resample.
    static func resampledQuantile(sorted: [Double], counts: inout [UInt32], _ q: Double,
                                  _ rng: inout SeededGenerator) -> Double {
        let n = sorted.count
        counts.withUnsafeMutableBufferPointer { histogram in
            histogram.update(repeating: 0)
            for _ in 0..<n { histogram[rng.index(below: n)] &+= 1 }
        }
        return quantile(sorted: sorted, counts: counts, q)
    }

    /// The type-7 `q`-quantile of the multiset holding `sorted[j]` `counts[j]` times; it
    /// equals `Quantile.of` of that multiset, bit for bit.
    static func quantile(sorted: [Double], counts: [UInt32], _ q: Double) -> Double {
        let total = counts.reduce(0) { $0 + Int($1) }
        precondition(total > 0 && counts.count == sorted.count, "empty or mismatched histogram")
        let h = Double(total - 1) * q
        let lo = Int(h.rounded(.down))
        let hi = min(lo + 1, total - 1)
        // The element of rank r (0-based, ascending) is sorted[j] for the highest j whose
        // count, added to the counts above it, reaches total - r.
        var j = sorted.count - 1
        var atOrAbove = Int(counts[j])
        while atOrAbove < total - hi {
            j -= 1
            atOrAbove += Int(counts[j])
        }
        let upper = sorted[j]
        while atOrAbove < total - lo {
            j -= 1
            atOrAbove += Int(counts[j])
        }
        let lower = sorted[j]
        return lower + (h - Double(lo)) * (upper - lower)
    }
}
