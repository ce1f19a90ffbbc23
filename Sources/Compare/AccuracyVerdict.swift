import EvalGuardConfig
import EvalGuardStatistics
import EvalGuardStore
import EvalGuardSupport

extension Gate {
    /// The accuracy rule. Accuracy is compared over the cases both runs scored (by id), as
    /// mean pass rates. It is a regression when the drop is beyond `max_drop` AND the paired
    /// test (`PairedAccuracy`: the one-sided exact McNemar test, or its sign-flip
    /// generalisation with repeats) gives p < alpha; inconclusive when the drop is beyond
    /// `max_drop` but p >= alpha; pass otherwise.
    ///
    /// Why "beyond the threshold AND different from no change", and not "significantly beyond
    /// the threshold": thresholds are small next to what a suite can resolve (at 400 cases no
    /// drop below 0.0125 can be significant, and the default threshold is 0.01), so asking the
    /// data to rule out a drop of exactly `max_drop` would leave nearly every real regression
    /// inconclusive. The test guards against noise (an unchanged model is blocked in at most
    /// alpha of its pushes, whatever the suite's size or flakiness); the threshold says how
    /// large a real drop must be to matter.
    /// `runs` is how many times the current run asked about each case (`--repeat` may differ
    /// from the configuration), for the advice.
    static func accuracy(
        _ test: PairedAccuracy, baseline: Metrics, current: Metrics, runs: Int, excludedFlaky: Int,
        threshold: AccuracyThreshold?, settings: VerdictSettings
    ) -> MetricComparison {
        var m = MetricComparison(
            metric: .accuracy, baseline: baseline.accuracy, current: current.accuracy,
            threshold: nil, verdict: .skipped)
        guard let t = threshold else {
            m.note = "switched off"
            return m
        }
        m.threshold = .maxDrop(t.maxDrop)
        let alpha = settings.alpha
        guard test.cases > 0 else {
            // Nothing to pair (every case id changed): the figures alone cannot tell noise apart.
            let beyond = baseline.accuracy - current.accuracy > t.maxDrop + 1e-12
            m.verdict = beyond ? .inconclusive : .pass
            if excludedFlaky > 0 {
                m.note = "every paired case is flaky and left out"
                if beyond {
                    m.advice =
                        "all \(excludedFlaky) paired case(s) are flaky and \"flaky\": \"exclude\" leaves them out, so nothing is left to test; include them, or run more repeats"
                }
            } else {
                m.note = "no case in both runs"
                if beyond {
                    m.advice =
                        "no case id is in both runs, so the change cannot be tested; record a new baseline if the cases were renamed"
                }
            }
            return m
        }
        m.baseline = test.baselineAccuracy
        m.current = test.currentAccuracy
        var s = MetricStatistics(test, alpha: alpha)
        s.baselineInterval = Wilson.interval(proportion: min(1, max(0, test.baselineAccuracy)), n: test.cases)
        s.currentInterval = Wilson.interval(proportion: min(1, max(0, test.currentAccuracy)), n: test.cases)
        s.minimumDetectableDrop = McNemar.minimumDetectableDrop(cases: test.cases, alpha: alpha, oneSided: true)
        m.statistics = s
        let beyond = test.drop > t.maxDrop + 1e-12
        m.verdict = !beyond ? .pass : s.significant ? .regression : .inconclusive
        if m.verdict == .inconclusive {
            // The runs this result actually made (`--repeat` may differ from the configuration).
            m.advice = accuracyAdvice(test, alpha: alpha, repeats: runs)
        }
        return m
    }

    /// What would make an inconclusive accuracy drop conclusive.
    static func accuracyAdvice(_ test: PairedAccuracy, alpha: Double, repeats: Int) -> String {
        var options: [String] = []
        if let needed = test.casesNeeded(alpha: alpha) {
            // The estimate can come out at the suite's own size (the approximation behind it
            // already calls the drop significant; the exact test does not): asking for the
            // cases already there settles nothing.
            options.append(
                roundedUp(needed) > test.cases
                    ? "about \(roundedUp(needed)) cases (now \(test.cases)) if the same shares of cases fell and rose"
                    : "a larger suite than the \(test.cases) cases now (this drop sits at the edge of significance at this size)"
            )
        }
        let next = repeats > 1 ? repeats * 2 : 3
        options.append("repeating each case (repeat: \(next), or --repeat \(next)) to average out flaky outcomes")
        return "to tell this drop from noise: " + options.joined(separator: "; or ")
    }

    /// Two significant figures, rounded up: 1,234 → 1,300, so the advice does not look more
    /// precise than it is.
    static func roundedUp(_ n: Int) -> Int {
        guard n >= 100 else { return n }
        var unit = 1
        while n / unit >= 100 { unit *= 10 }
        return (n + unit - 1) / unit * unit
    }
}
