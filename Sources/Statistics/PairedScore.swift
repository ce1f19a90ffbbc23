import EvalGuardSupport

/// Did the mean score fall between two runs of the same cases? The paired test behind the
/// mean_score verdict.
///
/// Scores are graded (0.2, 0.7, 1), so McNemar's counting of flips does not apply; the test is
/// its exact generalisation to real-valued changes, the one-sided paired sign-flip permutation
/// test on the per-case changes d = baseline score − current score. If nothing changed, each
/// case's change is as likely to be +d as −d, so the p-value is the share of the 2^m sign
/// patterns (m = cases whose score moved) whose sum is at least the observed one. It assumes
/// nothing about the shape of the scores (judge grades are lumpy and bounded), and with scores
/// of 0 and 1 it is McNemar's exact test again.
///
/// Exact enumeration up to `exactLimit` moved cases (2^20 ≈ a million patterns, visited in Gray
/// code order so each costs one addition); beyond it a seeded Monte-Carlo estimate from
/// `draws` random sign patterns, (hits + 1) / (draws + 1), which never understates the
/// p-value (Phipson and Smyth): the same inputs give the same verdict on every machine.
///
/// The interval is a seeded percentile bootstrap of the mean change over the paired cases
/// (current − baseline, so a fall is negative), resampling cases: the pairing is kept.
package struct PairedScore: Sendable {
    package var cases: Int
    /// Cases whose score fell and rose.
    package var worse: Int
    package var better: Int
    package var baselineMean: Double
    package var currentMean: Double
    /// One-sided p-value for "the current run scores lower".
    package var pValue: Double
    /// True when the p-value is exact; false for the Monte-Carlo estimate.
    package var exact: Bool
    /// Percentile bootstrap interval of current − baseline mean at `confidence`; nil without cases.
    package var interval: ConfidenceInterval?
    package var confidence: Double

    package var drop: Double { baselineMean - currentMean }

    package static let exactLimit = 20
    package static let draws = 20_000
    package static let resamples = 2_000
    package static let seed: UInt64 = 0x6D65_616E_5F73_636F

    /// `pairs`: each case's (baseline, current) score. `confidence` for the interval (the gate
    /// uses 1 − 2 alpha: its lower bound is then a one-sided test at alpha).
    package init(_ pairs: [(baseline: Double, current: Double)], confidence: Double = 0.9) {
        cases = pairs.count
        self.confidence = max(0.5, min(0.999, confidence))
        baselineMean = pairs.isEmpty ? 0 : pairs.reduce(0) { $0 + $1.baseline } / Double(pairs.count)
        currentMean = pairs.isEmpty ? 0 : pairs.reduce(0) { $0 + $1.current } / Double(pairs.count)
        let changes = pairs.map { $0.baseline - $0.current }.filter { abs($0) > 1e-12 }
        worse = changes.count { $0 > 0 }
        better = changes.count { $0 < 0 }
        (pValue, exact) = Self.signFlipPValue(changes)
        interval = Self.bootstrap(pairs.map { $0.current - $0.baseline }, confidence: self.confidence)
    }

    /// One-sided sign-flip p-value of `changes` (positive = worse): P(Σ ±|d| ≥ Σ d).
    package static func signFlipPValue(_ changes: [Double], draws: Int = draws, seed: UInt64 = seed) -> (
        p: Double, exact: Bool
    ) {
        guard !changes.isEmpty else { return (1, true) }
        let magnitudes = changes.map(abs)
        let observed = changes.reduce(0, +)
        // Sums of the same terms in another order differ in the last bits: count ties as hits.
        let tolerance = 1e-9 * max(1, magnitudes.reduce(0, +))
        if changes.count <= exactLimit {
            // Gray code: pattern k differs from k − 1 in one sign, so each sum is one step away.
            var sum = magnitudes.reduce(0, +) // every sign +
            var signs = [Bool](repeating: true, count: magnitudes.count)
            var hits = sum >= observed - tolerance ? 1 : 0
            let total = 1 << magnitudes.count
            for k in 1..<total {
                let bit = k.trailingZeroBitCount
                sum += signs[bit] ? -2 * magnitudes[bit] : 2 * magnitudes[bit]
                signs[bit].toggle()
                if sum >= observed - tolerance { hits += 1 }
            }
            return (Double(hits) / Double(total), true)
        }
        var rng = SeededGenerator(seed: seed)
        var hits = 0
        for _ in 0..<draws {
            var sum = 0.0
            var bits: UInt64 = 0
            for (i, m) in magnitudes.enumerated() {
                if i % 64 == 0 { bits = rng.next() }
                sum += bits & 1 == 1 ? m : -m
                bits >>= 1
            }
            if sum >= observed - tolerance { hits += 1 }
        }
        return (Double(hits + 1) / Double(draws + 1), false)
    }

    /// Percentile interval (type 7, as numpy.percentile) of the mean of `differences` over
    /// `resamples` seeded resamples of the cases.
    package static func bootstrap(
        _ differences: [Double], confidence: Double, resamples: Int = resamples,
        seed: UInt64 = seed
    ) -> ConfidenceInterval? {
        guard !differences.isEmpty else { return nil }
        var rng = SeededGenerator(seed: seed)
        var means: [Double] = []
        means.reserveCapacity(resamples)
        let n = differences.count
        for _ in 0..<resamples {
            var sum = 0.0
            for _ in 0..<n { sum += differences[rng.index(below: n)] }
            means.append(sum / Double(n))
        }
        means.sort()
        let tail = (1 - confidence) / 2
        guard let lower = Quantile.sorted(means, tail), let upper = Quantile.sorted(means, 1 - tail) else { return nil }
        return ConfidenceInterval(lower: lower, upper: upper)
    }
}
