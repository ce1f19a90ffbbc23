import EvalGuardConfig
import EvalGuardStatistics
import EvalGuardStore
import EvalGuardSupport

extension Gate {
    /// Seed of the latency bootstrap: fixed, so the same two runs get the same verdict on
    /// every machine and every re-run.
    static let bootstrapSeed: UInt64 = 0x6576_616C_6775_6172

    /// The latency rule. p95 is a regression when the measured p95 is beyond the allowance
    /// (`max_increase_pct` AND `min_increase_ms`) AND the bootstrap interval of the change lies
    /// entirely beyond it too: the ratio's lower bound above 1 + pct/100 and the difference's
    /// lower bound above the floor. Inconclusive when the measured p95 is beyond the allowance
    /// but the interval reaches back into it; pass otherwise.
    ///
    /// The interval is a percentile bootstrap at confidence 1 − 2 alpha (90% for alpha = 0.05),
    /// so its lower bound is a one-sided test at alpha, the level the accuracy test uses.
    ///
    /// Why stricter than accuracy ("the whole interval beyond the allowance", not "different
    /// from no change"): latency allowances are wide (20%) and real but allowed slow-downs are
    /// common (a new dependency costing 5%); a p95 rests on the slowest twentieth of the
    /// sample, so with a few hundred cases an allowed 10% slow-down can measure as 25%.
    /// Testing against no change would then block it. Testing against the allowance blocks only
    /// a slow-down the data show to exceed what the team allowed.
    static func latency(
        baseline: BaselineSuite, current: SuiteResult, threshold: IncreaseThreshold?,
        settings: VerdictSettings
    ) -> MetricComparison {
        let (b, c) = (baseline.metrics.p95LatencyMs, current.metrics.p95LatencyMs)
        var m = MetricComparison(metric: .p95LatencyMs, baseline: b, current: c, threshold: nil, verdict: .skipped)
        guard let t = threshold else {
            m.note = "switched off"
            return m
        }
        m.threshold = .maxIncrease(percent: t.maxIncreasePct, atLeast: t.minIncrease, unit: "ms")
        // A batch's answers carry no latency: skipped, never compared with a measured one.
        guard current.metrics.latencyMeasured, baseline.metrics.latencyMeasured else {
            m.note = Metrics.notMeasuredInBatch + (current.metrics.latencyMeasured ? " in the baseline" : "")
            if !current.metrics.latencyMeasured { m.current = nil }
            if !baseline.metrics.latencyMeasured { m.baseline = nil }
            return m
        }
        let beyondPoint = beyond(t, baseline: b, current: c)
        let currentSample = Metrics.timedLatencies(current.cases)
        let confidence = 1 - 2 * settings.alpha
        guard
            let shift = Bootstrap.quantileShift(
                baseline: baseline.latenciesMs, current: currentSample, quantile: 0.95,
                confidence: confidence, seed: bootstrapSeed)
        else {
            // A side without a single timed answer has no p95 at all (Metrics writes 0): nothing
            // can be concluded from it, least of all a regression.
            m.verdict = .inconclusive
            m.note = "no timed answers on one side: latency cannot be compared"
            return m
        }
        let ratioClear =
            shift.ratioInterval.map { $0.lower > 1 + t.maxIncreasePct / 100 + 1e-9 }
            ?? (shift.differenceInterval.lower > 0)
        let significant = ratioClear && shift.differenceInterval.lower > t.minIncrease
        var s = MetricStatistics(alpha: settings.alpha, significant: significant)
        s.differenceInterval = shift.differenceInterval
        s.ratioInterval = shift.ratioInterval
        s.intervalConfidence = confidence
        s.samples = (baseline.latenciesMs.count, currentSample.count)
        s.percentiles = [
            "p50": (baseline.metrics.p50LatencyMs, current.metrics.p50LatencyMs),
            "p99": (baseline.metrics.p99LatencyMs, current.metrics.p99LatencyMs),
        ]
        m.statistics = s
        m.verdict = !beyondPoint ? .pass : significant ? .regression : .inconclusive
        if m.verdict == .inconclusive { m.advice = latencyAdvice(shift, threshold: t, samples: currentSample.count) }
        return m
    }

    /// An interval's width shrinks with the square root of the sample: if the change stays as
    /// measured, about ((measured − lower) / (measured − allowance))² times the timed runs
    /// would lift the lower bound past the allowance.
    static func latencyAdvice(_ shift: QuantileShift, threshold t: IncreaseThreshold, samples: Int) -> String {
        var factor = 1.0
        func need(_ measured: Double, _ lower: Double, _ allowance: Double) {
            guard measured > allowance, lower <= allowance else { return }
            let f = (measured - lower) / (measured - allowance)
            factor = max(factor, f * f)
        }
        if let ratio = shift.ratio, let interval = shift.ratioInterval {
            need(ratio, interval.lower, 1 + t.maxIncreasePct / 100)
        }
        need(shift.difference, shift.differenceInterval.lower, t.minIncrease)
        let runs = roundedUp(Int((Double(samples) * factor).rounded(.up)))
        return
            "to tell this slow-down from noise: about \(runs) timed runs (now \(samples)), from more cases or repeats (--repeat), if the change stays this large; or re-run on a quieter machine"
    }

    /// The cost rule: the threshold on the averages (no sampling test: a cost per case does not
    /// wobble the way latency does). When both runs record a price table and the tables differ,
    /// or one run's answers came through a batch API (at its discount) and the other's did not,
    /// a cost beyond the threshold is inconclusive, never a regression: the change may be the
    /// prices', not the code's.
    static func cost(
        baseline: Double?, current: Double?, threshold: IncreaseThreshold?, prices: PriceTables,
        batched: (baseline: Double, current: Double) = (0, 0)
    ) -> MetricComparison {
        var m = MetricComparison(
            metric: .avgCostUSD, baseline: baseline, current: current, threshold: nil, verdict: .skipped)
        guard let t = threshold else {
            m.note = "switched off"
            return m
        }
        m.threshold = .maxIncrease(percent: t.maxIncreasePct, atLeast: t.minIncrease, unit: "usd")
        guard let b = baseline, let c = current else {
            m.note =
                baseline == nil && current == nil
                ? "no cost reported" : baseline == nil ? "no cost in the baseline" : "no cost reported now"
            return m
        }
        if prices.changed {
            m.warnings.append(
                "the price table differs between the baseline and this run: a change in cost may come from the prices, not from the code"
            )
        }
        // Answers reused from a batched run keep the batch price: any difference in the share of
        // answers priced at it is a difference in prices.
        let batchMode = abs(batched.baseline - batched.current) > 1e-9
        if batchMode {
            let share = { (value: Double) in "\(Int((value * 100).rounded()))%" }
            m.warnings.append(
                "\(share(batched.baseline)) of the baseline's answers were priced at the batch price and \(share(batched.current)) of this run's: a change in cost may come from the prices, not from the code"
            )
        }
        let change: PriceChange? = prices.changed ? .table : batchMode ? .batchMode : nil
        let beyondPoint = beyond(t, baseline: b, current: c)
        m.verdict = !beyondPoint ? .pass : change != nil ? .inconclusive : .regression
        if m.verdict == .inconclusive {
            m.priceChange = change
            m.advice =
                change == .table
                ? "the price table changed; cost moved because prices changed: record a new baseline with the new price table ('evalguard baseline') so that costs are compared at one set of prices"
                : "the baseline and this run were priced in different modes (batch and direct): record the baseline the way this gate runs, with --batch or without it, so that costs are compared at one set of prices"
        }
        return m
    }
}
