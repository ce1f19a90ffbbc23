@testable import EvalGuardStatistics

/// The settled test's joint level, counted over every sign pattern: the first stage rejects the
/// first-stage sums whose upper tail is below alpha; the settled critical value is the smallest
/// for which P(first rejects OR settled ≥ it) ≤ alpha.
package struct BruteForceSignFlip {
    package var patterns: [(first: Int, settled: Int)] = []
    package var critical: Int?
    package var criticalTail = 0.0

    package init(first: [Int], settled: [Int], alpha: Double) {
        let n = first.count
        var all: [(first: Int, settled: Int)] = []
        for mask in 0..<(1 << n) {
            var f = 0
            var s = 0
            for i in 0..<n {
                let sign = mask & (1 << i) != 0 ? 1 : -1
                f += sign * first[i]
                s += sign * settled[i]
            }
            all.append((f, s))
        }
        patterns = all
        let p = 1.0 / Double(all.count)
        let firstTail = { (t: Int) in Double(all.count { $0.first >= t }) * p }
        let rejects = { (t: Int) in firstTail(t) < alpha }
        let size = Double(all.count { rejects($0.first) }) * p
        for c in Set(all.map(\.settled)).filter({ $0 > 0 }).sorted(by: >) {
            let union = size + Double(all.count { !rejects($0.first) && $0.settled >= c }) * p
            guard union <= alpha + 1e-12 else { break }
            critical = c
        }
        criticalTail = critical.map { c in Double(all.count { $0.settled >= c }) * p } ?? 0
    }

    package func pValue(observed: Int) -> Double {
        Double(patterns.count { $0.settled >= observed }) / Double(patterns.count)
    }
}
