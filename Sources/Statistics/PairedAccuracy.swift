import EvalGuardSupport
import FoundationEssentials

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One case's outcome in both runs: how many of its runs passed, out of how many.
package struct PairedOutcome: Sendable, Equatable {
    package var baselinePasses: Int
    package var baselineRuns: Int
    package var currentPasses: Int
    package var currentRuns: Int

    /// Nil unless each side ran at least once and passed within its runs: the counts come from
    /// stored files, which are checked on read, but a test of counts no run could produce has no
    /// answer to give, and the gate leaves such a case unpaired rather than stop.
    package init?(baselinePasses: Int, baselineRuns: Int = 1, currentPasses: Int, currentRuns: Int = 1) {
        guard baselineRuns > 0, currentRuns > 0,
            (0...baselineRuns).contains(baselinePasses), (0...currentRuns).contains(currentPasses)
        else { return nil }
        self.baselinePasses = baselinePasses
        self.baselineRuns = baselineRuns
        self.currentPasses = currentPasses
        self.currentRuns = currentRuns
    }

    package var baselineRate: Double { Double(baselinePasses) / Double(baselineRuns) }
    package var currentRate: Double { Double(currentPasses) / Double(currentRuns) }
}

/// Did accuracy fall between two runs of the same cases? The paired test behind the accuracy
/// verdict.
///
/// With one run per case this is the exact McNemar test: b cases went pass → fail, c went
/// fail → pass, and under "nothing changed" b ~ Bin(b + c, 1/2).
///
/// With repeats each case has a pass *rate*, and the test is its exact generalisation, the
/// paired sign-flip (permutation) test on the per-case changes d = baseline rate − current
/// rate: if nothing changed, each case's change is as likely to be +d as −d, so the p-value is
/// the share of the 2^m sign patterns whose sum is at least the observed one. With every d in
/// {−1, 0, 1} that is McNemar's binomial exactly. Unlike a sign test (which counts only "fell"
/// and "rose"), it weighs a case that went from 3/3 to 0/3 more than one that went from 2/3 to
/// 1/3, so repeats make it sharper: averaging a flaky case's runs shrinks its changes, while a
/// real regression keeps its full size. It is exact when both sides ran each case equally
/// often; with different run counts (an old baseline against `--repeat 3`) it is approximate.
///
/// Why one-sided: the gate asks one question fixed in advance, "is the current run worse?",
/// and never fails an improvement. The one-sided p-value answers exactly that, and then the
/// configured alpha is what the user expects it to be: the largest share of pushes of an
/// unchanged model that can be blocked. A two-sided test at the same alpha would block at most
/// alpha / 2 of them, but would need about 15% more cases to see the same drop.
package struct PairedAccuracy: Sendable {
    package var cases: Int
    /// Cases whose pass rate fell (pass → fail with one run) and rose (fail → pass).
    package var worse: Int
    package var better: Int
    /// Mean pass rates over the paired cases.
    package var baselineAccuracy: Double
    package var currentAccuracy: Double
    /// One-sided p-value for "the current run is worse".
    package var pValue: Double
    /// False when the p-value comes from the normal approximation (very large suites with
    /// repeats, where the exact distribution would cost too much to compute).
    package var exact: Bool
    /// The observed sum of changes over its standard deviation under "nothing changed".
    package var z: Double
    /// True when every change is a whole flip (one run per case on both sides): McNemar's case.
    package var wholeFlips: Bool

    package var drop: Double { baselineAccuracy - currentAccuracy }

    /// Exact distributions are computed while they cost fewer than this many steps (~0.05 s).
    static let exactWorkLimit = 10_000_000

    package init(_ outcomes: [PairedOutcome]) {
        cases = outcomes.count
        baselineAccuracy = outcomes.isEmpty ? 0 : outcomes.reduce(0) { $0 + $1.baselineRate } / Double(outcomes.count)
        currentAccuracy = outcomes.isEmpty ? 0 : outcomes.reduce(0) { $0 + $1.currentRate } / Double(outcomes.count)
        // Every change as a whole multiple of 1 / scale, so sums are exact integers; run counts
        // whose common multiple does not fit (many distinct, large ones) are approximated.
        guard let scale = Self.commonScale(outcomes) else {
            (worse, better, z, pValue) = Self.approximated(outcomes)
            (exact, wholeFlips) = (false, false)
            return
        }
        let changes = outcomes.map { o in
            o.baselinePasses * (scale / o.baselineRuns) - o.currentPasses * (scale / o.currentRuns)
        }.filter { $0 != 0 }
        worse = changes.count { $0 > 0 }
        better = changes.count { $0 < 0 }
        let observed = changes.reduce(0, +)
        let variance = changes.reduce(0.0) { $0 + Double($1) * Double($1) }
        z = variance > 0 ? Double(observed) / variance.squareRoot() : 0
        wholeFlips = changes.allSatisfy { abs($0) == scale }
        // Changes all of one size (whole flips, always, with one run per case): a sign test,
        // which is McNemar's binomial.
        if changes.allSatisfy({ abs($0) == abs(changes[0]) }) {
            pValue = McNemar.pValueWorse(regressed: worse, fixed: better)
            exact = true
        } else if let p = Self.exactUpperTail(magnitudes: changes.map(abs), atLeast: observed) {
            pValue = p
            exact = true
        } else {
            // Continuity-corrected: the sum moves in steps of twice the magnitudes' gcd.
            let step = changes.reduce(0) { gcd($0, abs($1)) }
            pValue = 0.5 * erfc((Double(observed) - Double(step)) / variance.squareRoot() / 2.0.squareRoot())
            exact = false
        }
    }

    /// The least common multiple of every run count, nil when the sum of changes in its units
    /// could overflow.
    static func commonScale(_ outcomes: [PairedOutcome]) -> Int? {
        let limit = Int.max / (2 * (outcomes.count + 1))
        var scale = 1
        for o in outcomes {
            for runs in [o.baselineRuns, o.currentRuns] {
                let (product, overflow) = (scale / gcd(scale, runs)).multipliedReportingOverflow(by: runs)
                guard !overflow, product <= limit else { return nil }
                scale = product
            }
        }
        return scale
    }

    /// The normal approximation on the rates' changes, for run counts `commonScale` cannot hold:
    /// cases that fell, rose, z and the one-sided p-value.
    static func approximated(_ outcomes: [PairedOutcome]) -> (Int, Int, Double, Double) {
        let changes = outcomes.map { $0.baselineRate - $0.currentRate }.filter { $0 != 0 }
        let observed = changes.reduce(0, +)
        let variance = changes.reduce(0) { $0 + $1 * $1 }
        let z = variance > 0 ? observed / variance.squareRoot() : 0
        return (
            changes.count { $0 > 0 }, changes.count { $0 < 0 }, z, variance > 0 ? 0.5 * erfc(z / 2.0.squareRoot()) : 1
        )
    }

    /// P(sum of ±magnitudes >= threshold) with independent fair signs (`SignFlip.distribution`);
    /// nil when that would take too long.
    static func exactUpperTail(magnitudes: [Int], atLeast threshold: Int) -> Double? {
        guard let distribution = SignFlip.distribution(magnitudes) else { return nil }
        let total = magnitudes.reduce(0, +)
        let first = max(0, threshold + total)
        guard first < distribution.count else { return 0 }
        return min(1, distribution[first...].reduce(0, +))
    }

    /// About how many cases would make a change like the observed one significant at `alpha`,
    /// if the same shares of cases fell and rose: the normal approximation's z grows with the
    /// square root of the number of cases. With one run per case, the estimate is then checked
    /// against the exact test and raised until it passes. nil when nothing fell on balance.
    package func casesNeeded(alpha: Double) -> Int? {
        guard z > 0, cases > 0 else { return nil }
        let target = Normal.quantile(1 - alpha)
        var factor = max(1, (target / z) * (target / z))
        if wholeFlips {
            for _ in 0..<500 {
                let b = Int((Double(worse) * factor).rounded())
                let c = Int((Double(better) * factor).rounded())
                if McNemar.pValueWorse(regressed: b, fixed: c) < alpha { break }
                factor *= 1.02
            }
        }
        return Int((Double(cases) * factor).rounded(.up))
    }
}

private func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }
