import Foundation
import EvalGuardSupport

/// One case whose outcome differed between the baseline and the current run's first stage,
/// with what asking the model again about it (the current side only) returned.
package struct SettledCase: Sendable, Equatable {
    /// The first stage: passes out of `runs` on each side (the same number of runs on both).
    package var baselinePasses: Int
    package var currentPasses: Int
    package var runs: Int
    /// Re-asks of the current side, and how many of them passed.
    package var reasks: Int
    package var reaskPasses: Int

    package init(baselinePasses: Int, currentPasses: Int, runs: Int = 1, reasks: Int, reaskPasses: Int) {
        precondition(runs > 0 && reasks > 0 && (0...reasks).contains(reaskPasses), "a settled case was re-asked")
        self.baselinePasses = baselinePasses
        self.currentPasses = currentPasses
        self.runs = runs
        self.reasks = reasks
        self.reaskPasses = reaskPasses
    }
}

/// The test that settles an inconclusive accuracy verdict, after the cases whose outcome
/// differed from the baseline ("discordant") were asked again on the current side.
///
/// Why not McNemar on the pooled runs: the re-asked cases were chosen *because* they differed,
/// and only the current side was asked again, so pooled pass rates are neither paired nor
/// symmetric under "nothing changed"; a test on them has no known false-alarm rate.
///
/// The rule instead conditions on what the re-asks cannot change. If the model did not change,
/// a case's baseline runs and its current first-stage runs are draws of the same coin (its own
/// pass rate p), and the re-asks are further independent draws of it. For a discordant case,
/// swapping its baseline and first-stage runs leaves everything else as it was and flips the
/// sign of its change d = (baseline passes − current passes) / runs; under "nothing changed"
/// both orders are equally likely whatever p is, and whatever the re-asks returned. So, given
/// the set of discordant cases and every re-ask, the signs of the changes are independent fair
/// coins. Any statistic Σ d_i · w_i whose weights depend on the re-asks alone then has an exact
/// null distribution: the 2^n sign-flip patterns (`PairedAccuracy.exactUpperTail`).
///
/// The weight is the share of a case's re-asks that failed. A real regression persists (its
/// re-asks fail: weight 1); a noise flip of a case the model usually gets right reverts (its
/// re-asks pass: weight 0) and drops out; a case the model usually gets wrong fails its
/// re-asks whichever way it flipped, and its sign is then a fair coin that averages out.
/// Which cases are asked again, and how often, must not look at the signs either: the
/// re-asking rule (`Settle.needsReask`) reads only a case's own re-asks.
///
/// The first stage has already spent part of alpha: the plain paired test called a regression
/// whenever its p-value fell below alpha, which under "nothing changed" happens with
/// probability `firstStageSize` (the exact size of that test for these cases, at most alpha;
/// less, since the test is discrete). Settling may only spend the rest, so the settled test
/// is a regression when its p-value is below `level` = alpha − firstStageSize. By the union
/// bound, the chance that an unchanged model is called a regression by either stage is then at
/// most alpha, for any suite size, any mix of noisy cases, any number of re-asks
/// (StatisticsSettledTests simulates thousands of unchanged runs at several noise levels).
package struct SettledAccuracy: Sendable {
    /// Discordant cases re-asked, and re-asks made.
    package var cases: Int
    package var reasks: Int
    /// Cases that fell (rose) in the first stage whose re-asks mostly agreed with the first
    /// stage: the flips that persisted.
    package var persistedWorse: Int
    package var persistedBetter: Int
    /// One-sided p-value of the settled statistic.
    package var pValue: Double
    /// The alpha left for the settled test: alpha − firstStageSize.
    package var level: Double
    package var firstStageSize: Double
    /// False when the p-value comes from the normal approximation (very many re-asked cases).
    package var exact: Bool

    package var significant: Bool { pValue < level }

    /// nil when there is nothing to settle (no case), or the first stage's size cannot be
    /// computed exactly (then no alpha is known to be left).
    package init?(_ settled: [SettledCase], alpha: Double) {
        let changed = settled.filter { $0.baselinePasses != $0.currentPasses }
        guard !changed.isEmpty else { return nil }
        // First stage: changes in units of 1 / lcm(runs).
        let runScale = changed.reduce(1) { lcm($0, $1.runs) }
        let firstMagnitudes = changed.map { abs($0.baselinePasses - $0.currentPasses) * (runScale / $0.runs) }
        guard let size = SignFlip.size(magnitudes: firstMagnitudes, alpha: alpha) else { return nil }
        firstStageSize = size
        level = max(0, alpha - size)
        // Settled statistic: d_i · (failed re-asks / re-asks), in units of 1 / scale.
        let scale = changed.reduce(1) { lcm($0, $1.runs * $1.reasks) }
        let signed = changed.map { c in
            (c.baselinePasses - c.currentPasses) * (c.reasks - c.reaskPasses) * (scale / (c.runs * c.reasks))
        }
        let observed = signed.reduce(0, +)
        let magnitudes = signed.map(abs).filter { $0 > 0 }
        cases = changed.count
        reasks = changed.reduce(0) { $0 + $1.reasks }
        persistedWorse = changed.count { $0.baselinePasses > $0.currentPasses && 2 * $0.reaskPasses < $0.reasks }
        persistedBetter = changed.count { $0.baselinePasses < $0.currentPasses && 2 * $0.reaskPasses > $0.reasks }
        if magnitudes.isEmpty {
            (pValue, exact) = (1, true)
        } else if let p = PairedAccuracy.exactUpperTail(magnitudes: magnitudes, atLeast: observed) {
            (pValue, exact) = (p, true)
        } else {
            let variance = magnitudes.reduce(0.0) { $0 + Double($1) * Double($1) }
            let step = magnitudes.reduce(0) { gcd($0, $1) }
            pValue = 0.5 * erfc((Double(observed) - Double(step)) / variance.squareRoot() / 2.0.squareRoot())
            exact = false
        }
    }
}

extension SettledAccuracy {
    /// Whether settling could possibly end in a regression: at best every case that fell keeps
    /// weight 1 and every case that rose weight 0, a p-value of 2^-fell, and it must beat the
    /// alpha the first stage left. Skipping a settle that cannot succeed saves its model calls
    /// and never raises an alarm, so the false-alarm bound holds whichever way it goes.
    package static func canSucceed(_ first: [SettledCase], alpha: Double) -> Bool {
        let changed = first.filter { $0.baselinePasses != $0.currentPasses }
        let fell = changed.count { $0.baselinePasses > $0.currentPasses }
        guard fell > 0 else { return false }
        let runScale = changed.reduce(1) { lcm($0, $1.runs) }
        let magnitudes = changed.map { abs($0.baselinePasses - $0.currentPasses) * (runScale / $0.runs) }
        guard let size = SignFlip.size(magnitudes: magnitudes, alpha: alpha) else { return false }
        return pow(0.5, Double(fell)) < alpha - size
    }
}

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
        var tail = 0.0, size = 0.0
        for probability in distribution.reversed() where probability > 0 {
            tail += probability
            if tail < alpha { size = tail } else { break }
        }
        return size
    }

    /// P(sum = i − total) at index i, by convolving one scaled binomial per distinct magnitude.
    static func distribution(_ magnitudes: [Int]) -> [Double]? {
        var counts: [Int: Int] = [:]
        for m in magnitudes { counts[m, default: 0] += 1 }
        let ordered = counts.sorted { $0.key < $1.key }
        let total = magnitudes.reduce(0, +)
        var work = 0, support = 1
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

private func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }
private func lcm(_ a: Int, _ b: Int) -> Int { a / gcd(a, b) * b }
