import EvalGuardConfig
import EvalGuardStatistics
import FoundationEssentials

/// Holm's correction over the p-value tests of one check.
///
/// The family is every metric of every compared suite whose verdict rests on a p-value and was
/// tested: accuracy (the paired McNemar / sign-flip test) and mean_score (the paired sign-flip
/// test), threshold switched on and at least one paired case, whatever the verdict. It is fixed
/// by the configuration and the cases, not by which metrics moved, so a check cannot shop for a
/// small family. Latency (a bootstrap interval against the allowance) and cost (no test) are not
/// in it. `alpha` is then the family-wise level: an unchanged model gets a false REGRESSION from
/// any of the family's tests in at most alpha of its checks, however many suites and metrics are
/// gated. A metric beyond its threshold whose raw p-value is below alpha but whose Holm-adjusted
/// p-value is not becomes inconclusive; a family of one is unchanged.
package enum FamilyWise {
    package static func holm(_ comparison: Comparison) -> Comparison {
        var result = comparison
        var members: [(suite: Int, metric: Int, p: Double)] = []
        for (i, suite) in result.suites.enumerated() {
            for (j, m) in suite.metrics.enumerated() where [.accuracy, .meanScore].contains(m.metric) {
                if let p = m.statistics?.pValue { members.append((i, j, p)) }
            }
        }
        guard members.count > 1 else { return result }
        let adjusted = Holm.adjusted(members.map(\.p))
        for (member, p) in zip(members, adjusted) {
            var m = result.suites[member.suite].metrics[member.metric]
            guard var s = m.statistics else { continue }
            s.adjustedPValue = p
            s.familySize = members.count
            // An adjusted p-value is never below the raw one: the correction only demotes.
            s.significant = p < s.alpha
            m.statistics = s
            if m.verdict == .regression && !s.significant {
                m.verdict = .inconclusive
                m.advice =
                    "significant on its own (p \(Self.format(member.p))) but not once corrected for the \(members.count) tests gated together (Holm-adjusted p \(Self.format(p)), alpha \(Self.format(s.alpha))): more cases or repeats would settle it"
            }
            result.suites[member.suite].metrics[member.metric] = m
        }
        return result
    }

    private static func format(_ v: Double) -> String {
        v < 0.0001 ? "< 0.0001" : String(cFormat: "%.4f", v)
    }
}
