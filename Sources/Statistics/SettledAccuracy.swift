import EvalGuardSupport
import FoundationEssentials

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One case whose outcome differed between the baseline and the current run's first stage,
/// with the weight its re-asks gave it.
package struct SettledCase: Sendable, Equatable {
    /// The first stage: passes out of `runs` on each side (the same number of runs on both).
    package var baselinePasses: Int
    package var currentPasses: Int
    package var runs: Int
    /// The case's weight in the settled statistic, from its re-asks alone, as a whole number of
    /// `SettledAccuracy.grid`ths: 0 (the flip reverted) to `grid` (it persisted).
    package var weight: Int
    /// Re-asks made for the case (both sides).
    package var reasks: Int
    /// Whether the flip persisted when asked again (reported only; the test reads `weight`).
    package var persisted: Bool

    package init(
        baselinePasses: Int, currentPasses: Int, runs: Int = 1, weight: Int, reasks: Int, persisted: Bool? = nil
    ) {
        precondition(
            runs > 0 && (0...SettledAccuracy.grid).contains(weight) && reasks > 0, "a settled case was re-asked")
        self.baselinePasses = baselinePasses
        self.currentPasses = currentPasses
        self.runs = runs
        self.weight = weight
        self.reasks = reasks
        self.persisted = persisted ?? (2 * weight > SettledAccuracy.grid)
    }

    /// Re-asks of one side of the comparison: how many, and how many passed.
    package struct Side: Sendable, Equatable {
        package var runs: Int
        package var passes: Int
        package init(runs: Int, passes: Int) { (self.runs, self.passes) = (runs, passes) }
        var failShare: Double { Double(runs - passes) / Double(runs) }
        var passShare: Double { Double(passes) / Double(runs) }
    }

    /// Weight from the re-asks of the side that failed the case in the first stage (the current
    /// side for a fall, the baseline's model for a rise) and, when that side failed again, of
    /// the side that passed it: the share of the failing side's re-asks that failed again, times
    /// the share of the passing side's re-asks that passed again. A noise flip of a case the
    /// model usually gets right reverts on the failing side (weight 0); one of a case it usually
    /// gets wrong fails again on the failing side but also on the passing side (weight 0); a real
    /// change persists on both (weight near 1). Rounded down to the grid.
    package static func weight(failing: Side, passing: Side?) -> Int {
        let share = failing.failShare * (passing?.passShare ?? 1)
        // Shares come from stored counts: one outside [0, 1] (or no runs at all) weighs nothing.
        guard share.isFinite else { return 0 }
        return min(
            SettledAccuracy.grid,
            max(0, Int((min(1, max(0, share)) * Double(SettledAccuracy.grid) + 1e-9).rounded(.down))))
    }
}

/// The test that settles an accuracy verdict after the cases whose outcome differed from the
/// baseline ("discordant") were asked again.
///
/// Why not McNemar on the pooled runs: the re-asked cases were chosen *because* they differed,
/// so pooled pass rates are not paired and have no known false-alarm rate.
///
/// The rule conditions on what the re-asks cannot change. If the model did not change, a case's
/// baseline runs, its current first-stage runs and every re-ask (of either side's model, which
/// are then the same model) are independent draws of one coin (the case's own pass rate).
/// Swapping a discordant case's baseline and first-stage runs flips the sign of its change
/// d = (baseline passes − current passes) / runs, and swaps which side is "failing" and which
/// "passing" — whose re-asks are draws of the same coin either way. So under "nothing changed",
/// given the discordant cases and every re-ask, the signs are independent fair coins, and any
/// statistic Σ d_i · w_i with weights from the re-asks alone has an exact null distribution:
/// the 2^n sign-flip patterns. Which cases are asked again, and how often, reads only a case's
/// own re-asks (`Gate.needsReask`), never its sign.
///
/// The first stage has already spent part of alpha: it calls a regression when its own p-value
/// (the sign-flip test on the first-stage changes alone) falls below alpha. Both tests are
/// functions of the same signs, so their joint null distribution is computed exactly, and the
/// settled test's critical value is the smallest one for which "first stage significant OR
/// settled statistic at least that" has probability at most alpha under "nothing changed".
/// An unchanged model is then called a regression by either stage in at most alpha of runs,
/// whenever settling happens (SettleLevelTests simulate thousands of
/// unchanged runs). When the joint distribution is too large to compute, the union bound is
/// used instead: the settled test gets alpha less the first stage's exact size.
package struct SettledAccuracy: Sendable {
    /// Weights are whole numbers of 1/grid: exact arithmetic, and a small joint distribution.
    package static let grid = 12

    /// Discordant cases re-asked, and re-asks made.
    package var cases: Int
    package var reasks: Int
    /// Cases that fell (rose) in the first stage with weight above one half: the flips that persisted.
    package var persistedWorse: Int
    package var persistedBetter: Int
    /// Σ d_i · w_i, in cases: how far the drop persisted when asked again.
    package var persistingDrop: Double
    /// One-sided p-value of the settled statistic, and the level it is held to (its critical
    /// value's tail probability).
    package var pValue: Double
    package var level: Double
    package var significant: Bool
    /// False when the p-value comes from the normal approximation (very many re-asked cases).
    package var exact: Bool

    /// nil when there is nothing to settle (no case), or no part of alpha can be shown to be left.
    package init?(_ settled: [SettledCase], alpha: Double) {
        let changed = settled.filter { $0.baselinePasses != $0.currentPasses }
        guard !changed.isEmpty else { return nil }
        let runScale = changed.reduce(1) { lcm($0, $1.runs) }
        let scaledFirst = changed.map { abs($0.baselinePasses - $0.currentPasses) * (runScale / $0.runs) }
        let signs = changed.map { $0.baselinePasses > $0.currentPasses ? 1 : -1 }
        let scaledSettled = zip(scaledFirst, changed).map { $0 * $1.weight }
        // Common factors change no tail probability; dividing them out keeps the distributions small.
        let firstUnit = scaledFirst.reduce(0) { gcd($0, $1) }
        let settledUnit = max(1, scaledSettled.reduce(0) { gcd($0, $1) })
        let first = scaledFirst.map { $0 / firstUnit }
        let settledMagnitudes = scaledSettled.map { $0 / settledUnit }
        let observed = zip(signs, settledMagnitudes).reduce(0) { $0 + $1.0 * $1.1 }
        cases = changed.count
        reasks = changed.reduce(0) { $0 + $1.reasks }
        persistedWorse = zip(signs, changed).count { $0 > 0 && $1.persisted }
        persistedBetter = zip(signs, changed).count { $0 < 0 && $1.persisted }
        persistingDrop = Double(observed * settledUnit) / Double(runScale * SettledAccuracy.grid)
        exact = true
        if settledMagnitudes.allSatisfy({ $0 == 0 }) {
            (pValue, level, significant) = (1, 0, false)
            return
        }
        let nonzero = settledMagnitudes.filter { $0 > 0 }
        if let joint = JointSignFlip(first: first, settled: settledMagnitudes, alpha: alpha) {
            pValue = joint.settledTail(atLeast: observed)
            level = joint.criticalTail
            significant = joint.critical.map { observed >= $0 } ?? false
            return
        }
        // Union bound: what the first stage's exact size leaves of alpha.
        guard let size = SignFlip.size(magnitudes: first, alpha: alpha) else { return nil }
        level = max(0, alpha - size)
        if let p = PairedAccuracy.exactUpperTail(magnitudes: nonzero, atLeast: observed) {
            pValue = p
        } else {
            let variance = nonzero.reduce(0.0) { $0 + Double($1) * Double($1) }
            let step = nonzero.reduce(0) { gcd($0, $1) }
            pValue = 0.5 * erfc((Double(observed) - Double(step)) / variance.squareRoot() / 2.0.squareRoot())
            exact = false
        }
        significant = pValue < level
    }
}

extension SettledAccuracy {
    /// Whether settling could possibly end in a significant test: at best every case that fell
    /// keeps full weight and every case that rose none. Skipping a settle that cannot succeed
    /// saves its model calls and never raises an alarm, so the false-alarm bound holds.
    package static func canSucceed(_ first: [PairedOutcome], alpha: Double) -> Bool {
        let changed = first.filter { $0.baselinePasses != $0.currentPasses }
        let fell = changed.count { $0.baselinePasses > $0.currentPasses }
        guard fell > 0 else { return false }
        // The union bound is the cheaper check, and whatever it allows the joint test allows.
        let runScale = changed.reduce(1) { lcm($0, $1.currentRuns) }
        if let size = SignFlip.size(
            magnitudes: changed.map { abs($0.baselinePasses - $0.currentPasses) * (runScale / $0.currentRuns) },
            alpha: alpha),
            pow(0.5, Double(fell)) < alpha - size
        {
            return true
        }
        let best = first.filter { $0.baselinePasses != $0.currentPasses }.map { o in
            SettledCase(
                baselinePasses: o.baselinePasses, currentPasses: o.currentPasses, runs: o.currentRuns,
                weight: o.baselinePasses > o.currentPasses ? grid : 0, reasks: 1)
        }
        return SettledAccuracy(best, alpha: alpha)?.significant ?? false
    }
}

/// The joint null distribution of the first-stage statistic Σ s_i·m_i and the settled one
/// Σ s_i·v_i over independent fair signs s_i, and the settled test's critical value.
struct JointSignFlip {
    /// The smallest settled value that is significant (nil: none is), and P(settled ≥ it).
    var critical: Int?
    var criticalTail: Double
    /// P(settled = v) by v + settledTotal.
    private var settledDistribution: [Double]
    private var settledTotal: Int

    static let workLimit = 40_000_000

    init?(first: [Int], settled: [Int], alpha: Double) {
        let firstTotal = first.reduce(0, +)
        let total = settled.reduce(0, +)
        let width = 2 * total + 1
        let height = 2 * firstTotal + 1
        guard first.count * width * height <= Self.workLimit else { return nil }
        // p[f][s]: f = first-stage sum + firstTotal, s = settled sum + total.
        var p = [Double](repeating: 0, count: width * height)
        p[firstTotal * width + total] = 1
        var reachFirst = 0
        var reachSettled = 0
        for (m, v) in zip(first, settled) {
            var next = [Double](repeating: 0, count: width * height)
            for f in (firstTotal - reachFirst)...(firstTotal + reachFirst) {
                let row = f * width
                for s in (total - reachSettled)...(total + reachSettled) where p[row + s] != 0 {
                    let half = p[row + s] / 2
                    next[(f + m) * width + s + v] += half
                    next[(f - m) * width + s - v] += half
                }
            }
            p = next
            reachFirst += m
            reachSettled += v
        }
        // The first stage's rejection region: first-stage sums whose upper tail is below alpha.
        var firstMarginal = [Double](repeating: 0, count: height)
        var settledMarginal = [Double](repeating: 0, count: width)
        for f in 0..<height {
            for s in 0..<width {
                firstMarginal[f] += p[f * width + s]
                settledMarginal[s] += p[f * width + s]
            }
        }
        var rejectFrom = height
        var tail = 0.0
        for f in stride(from: height - 1, through: 0, by: -1) {
            tail += firstMarginal[f]
            if tail < alpha { rejectFrom = f } else { break }
        }
        let size = firstMarginal[rejectFrom...].reduce(0, +)
        // Grow the settled region from the top while the union stays within alpha.
        var extra = 0.0
        critical = nil
        for s in stride(from: width - 1, through: total + 1, by: -1) {
            var add = 0.0
            for f in 0..<rejectFrom { add += p[f * width + s] }
            if size + extra + add > alpha + 1e-12 { break }
            extra += add
            critical = s - total
        }
        settledDistribution = settledMarginal
        settledTotal = total
        criticalTail = critical.map { c in settledMarginal[(c + total)...].reduce(0, +) } ?? 0
    }

    func settledTail(atLeast value: Int) -> Double {
        let index = value + settledTotal
        guard index > 0 else { return 1 }
        guard index < settledDistribution.count else { return 0 }
        return min(1, settledDistribution[index...].reduce(0, +))
    }
}

private func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }
private func lcm(_ a: Int, _ b: Int) -> Int { a / gcd(a, b) * b }
