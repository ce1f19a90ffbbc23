import EvalGuardConfig
import EvalGuardStatistics
import EvalGuardStore
import EvalGuardSupport

/// Which end of a blame range a probed commit resembles, judged case by case.
///
/// Aggregates hide what happened: 0.91 sits "between" 0.94 and 0.88 whether the commit broke half
/// of the planted cases or broke different cases altogether. So each case whose outcome differs
/// between the good and the bad end casts a vote: the probe sides with the end whose outcome it
/// shares. Cases that agree at both ends say nothing and are left out, as in McNemar's test.
package enum Side: String, Sendable {
    case good, bad
    /// The votes are too evenly split to tell (or there were none).
    case withinNoise = "within_noise"
}

/// Votes cast by the cases of one or more evaluations of a probe.
package struct Tally: Sendable, Equatable {
    package var good = 0
    package var bad = 0

    package init(good: Int = 0, bad: Int = 0) {
        self.good = good
        self.bad = bad
    }

    package static func + (a: Tally, b: Tally) -> Tally { Tally(good: a.good + b.good, bad: a.bad + b.bad) }

    /// A side when the split is unanimous or, failing that, when a fair coin would split this
    /// lopsidedly less than 5% of the time (the exact McNemar test): a couple of noisy cases
    /// voting against ten planted ones do not make a commit uncertain; five against five do.
    package var side: Side {
        guard good != bad else { return .withinNoise }
        if min(good, bad) == 0 || McNemar.pValue(regressed: bad, fixed: good) < 0.05 {
            return bad > good ? .bad : .good
        }
        return .withinNoise
    }
}

/// Casts the votes of a probe against the two ends of a range for one metric.
package struct Siding: Sendable {
    package var metric: GatedMetric
    /// Suites that count; nil for all.
    package var suites: Set<String>?

    package init(metric: GatedMetric, suites: Set<String>?) {
        self.metric = metric
        self.suites = suites
    }

    /// The probe's votes. When no case differs between the ends in the metric's terms, the
    /// aggregate decides: one vote for the nearer end.
    package func tally(probe: RunResult, good: RunResult, bad: RunResult) -> Tally {
        let votes = votes(probe: probe, good: good, bad: bad)
        var tally = Tally(good: votes.count { $0.side == .good }, bad: votes.count { $0.side == .bad })
        if tally == Tally(), let pv = aggregate(probe), let gv = aggregate(good), let bv = aggregate(bad), gv != bv {
            let dg = abs(pv - gv)
            let db = abs(pv - bv)
            if dg < db { tally.good = 1 } else if db < dg { tally.bad = 1 }
        }
        return tally
    }

    /// The end a case's outcome sides with, nil when the ends agree or the case cannot tell.
    func nearer(_ now: CaseResult, _ good: CaseResult, _ bad: CaseResult) -> Side? {
        switch metric {
        case .accuracy:
            guard good.passed != bad.passed else { return nil }
            return now.passed == bad.passed ? .bad : .good
        case .avgCostUSD:
            guard let cg = good.costUSD, let cb = bad.costUSD, let c = now.costUSD,
                abs(cb - cg) > 1e-12 + 1e-9 * abs(cg)
            else { return nil }
            return closer(c, cg, cb)
        case .avgSteps:
            guard let sg = good.stepCount ?? (good.error == nil ? 0 : nil),
                let sb = bad.stepCount ?? (bad.error == nil ? 0 : nil),
                let s = now.stepCount ?? (now.error == nil ? 0 : nil), sg != sb
            else { return nil }
            return closer(Double(s), Double(sg), Double(sb))
        case .meanScore:
            guard abs(bad.score - good.score) > 1e-9 else { return nil }
            return closer(now.score, good.score, bad.score)
        case .p95LatencyMs:
            // Latency per case is noisy: only cases that moved by more than 1 ms and 20% vote.
            guard good.error == nil, bad.error == nil, now.error == nil,
                abs(bad.latencyMs - good.latencyMs) > max(1, 0.2 * good.latencyMs)
            else { return nil }
            return closer(now.latencyMs, good.latencyMs, bad.latencyMs)
        }
    }

    private func closer(_ v: Double, _ g: Double, _ b: Double) -> Side? {
        abs(v - g) < abs(v - b) ? .good : abs(v - b) < abs(v - g) ? .bad : nil
    }

    /// The metric over the counted suites: the suite's own figure for one suite, else overall.
    package func aggregate(_ result: RunResult) -> Double? {
        if let suites, suites.count == 1, let only = suites.first {
            return result.suite(only)?.metrics.value(of: metric)
        }
        return result.overall.value(of: metric)
    }
}
