import EvalGuardSupport

/// Quantiles of a sample by linear interpolation between order statistics (Hyndman & Fan type 7,
/// the default of numpy, R and most dashboards), so evalguard's p95 matches what users compute.
package enum Quantile {
    /// The `q`-quantile (0...1) of values already sorted ascending; nil for an empty sample.
    package static func sorted(_ values: [Double], _ q: Double) -> Double? {
        guard !values.isEmpty else { return nil }
        let h = Double(values.count - 1) * min(max(q, 0), 1)
        let lo = Int(h.rounded(.down))
        let hi = min(lo + 1, values.count - 1)
        return values[lo] + (h - Double(lo)) * (values[hi] - values[lo])
    }

    package static func of(_ values: [Double], _ q: Double) -> Double? {
        sorted(values.sorted(), q)
    }
}
