/// Holm's step-down correction: keeps the chance of ANY false alarm among several tests made at
/// once (the family-wise error rate) at alpha, where testing each at alpha would let it grow
/// with the number of tests (ten independent tests at 0.05: 40%).
///
/// Sort the m p-values ascending; the k-th smallest (k = 1…m) is compared with alpha / (m − k + 1)
/// and the procedure stops at the first that is not below its bound: it and every larger one are
/// not significant. The same decisions come from adjusted p-values,
/// p̃(k) = max over j ≤ k of min(1, (m − j + 1) · p(j)), each compared with alpha; these equal
/// `statsmodels.stats.multitest.multipletests(p, method='holm')[1]`. Holm is uniformly more
/// powerful than Bonferroni (which divides every p-value's bound by m) and, like it, holds
/// whatever the dependence between the tests (suites share a model, so they are not independent).
package enum Holm {
    /// Adjusted p-values, in the order given.
    package static func adjusted(_ pValues: [Double]) -> [Double] {
        let m = pValues.count
        let order = pValues.indices.sorted { pValues[$0] < pValues[$1] || (pValues[$0] == pValues[$1] && $0 < $1) }
        var result = [Double](repeating: 1, count: m)
        var running = 0.0
        for (rank, index) in order.enumerated() {
            running = max(running, min(1, Double(m - rank) * pValues[index]))
            result[index] = running
        }
        return result
    }

    /// Which tests are significant at `alpha` after the correction, in the order given.
    package static func rejected(_ pValues: [Double], alpha: Double) -> [Bool] {
        adjusted(pValues).map { $0 < alpha }
    }
}
