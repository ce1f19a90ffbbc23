import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardCompare
@testable import EvalGuardConfig
@testable import EvalGuardGate
@testable import EvalGuardStatistics
@testable import EvalGuardStore
@testable import EvalGuardSupport

@Suite struct VerdictScenarioTests {
    /// The issue's done criterion. A model whose every case flips at random with a known rate
    /// (1% per case per run: about four flipped cases in each run of 400), 90% accurate:
    /// - unchanged, it must pass (never be blocked) in at least 95 of 100 pairs of runs;
    /// - with a planted 5-point drop (20 more of the 400 cases fail, before noise), it must be
    ///   a regression in every one of 100.
    /// Seeds 0..<100; observed with this code: unchanged 97 of 100 not blocked (94 pass, 3
    /// inconclusive, 3 regressions); planted 100 of 100 regressions.
    @Test func noisyModelPassesUnchangedAndFailsAPlantedFivePointDrop() {
        let n = 400
        let flipRate = 0.01
        var truthRNG = SeededGenerator(seed: 2024)
        let truth = (0..<n).map { _ in truthRNG.unitDouble() < 0.9 }
        var dropped = truth
        for i in truth.indices.filter({ truth[$0] }).prefix(20) { dropped[i] = false }
        #expect(dropped.count { $0 } == truth.count { $0 } - 20)

        var unchanged: [Verdict: Int] = [:]
        var planted: [Verdict: Int] = [:]
        for seed in 0..<UInt64(100) {
            var rng = SeededGenerator(seed: seed)
            let baseline = Simulated.noisyRun(truth, flipRate: flipRate, &rng)
            let same = Simulated.noisyRun(truth, flipRate: flipRate, &rng)
            let worse = Simulated.noisyRun(dropped, flipRate: flipRate, &rng)
            unchanged[Simulated.verdict(baseline, same).verdict, default: 0] += 1
            planted[Simulated.verdict(baseline, worse).verdict, default: 0] += 1
        }
        let blocked = unchanged[.regression, default: 0]
        #expect(100 - blocked >= 95, "unchanged model blocked in \(blocked) of 100 runs: \(unchanged)")
        #expect(
            planted[.regression, default: 0] == 100,
            "planted drop caught in \(planted[.regression, default: 0]) of 100: \(planted)")
        // The figures behind the closing claim (≥ 95/100 and 100/100), printed for the record.
        print("scenario: unchanged \(unchanged), planted \(planted)")
    }

    /// 200 cases, 40 of them flaky (each run passes with probability 1/2), 5 runs per case;
    /// the change makes 10 steady cases fail (5 points). With `flaky: exclude`, the flaky cases
    /// are found, listed and left out, and what remains decides cleanly.
    @Test func repeatsFindFlakyCasesAndExcludingThemLeavesAClearVerdict() {
        let n = 200
        let runs = 5
        let planted = Array(40..<49) + [50] // steady passing cases (every tenth case always fails)
        func run(plantedDrop: Bool, _ rng: inout SeededGenerator) -> [Int] {
            (0..<n).map { i in
                if i < 40 { return (0..<runs).count { _ in rng.unitDouble() < 0.5 } }
                if plantedDrop && planted.contains(i) { return 0 }
                return i % 10 == 9 ? 0 : runs
            }
        }
        var exclude = VerdictSettings.defaults
        exclude.flaky = .exclude
        for seed in 0..<UInt64(20) {
            var rng = SeededGenerator(seed: 1000 + seed)
            let baseline = run(plantedDrop: false, &rng)
            let same = Simulated.verdict(baseline, run(plantedDrop: false, &rng), runs: runs, settings: exclude)
            let worse = Simulated.verdict(baseline, run(plantedDrop: true, &rng), runs: runs, settings: exclude)
            #expect(same.verdict == .pass, "seed \(seed): \(same.metrics[0])")
            #expect(worse.verdict == .regression, "seed \(seed)")
            #expect(
                same.flakyExcluded && same.flaky.count >= 35 && same.flaky.allSatisfy { Int($0.id.dropFirst())! < 40 })
            // All planted cases, and at most a flaky case whose runs happened to agree on both sides.
            #expect(Set(planted.map { "c\($0)" }).isSubset(of: worse.regressed.map(\.id)))
            #expect(worse.regressed.count <= planted.count + 1)
        }
    }

    /// Repeats sharpen the test when flaky cases stay in: averaging a flaky case's runs shrinks
    /// its change, a real regression keeps its full size. Same model, same planted drop.
    @Test func repeatsDetectADropThatSingleRunsMiss() {
        func detections(runs: Int) -> Int {
            (0..<UInt64(50)).count { seed in
                var rng = SeededGenerator(seed: 5000 + seed)
                func run(_ planted: Bool) -> [Int] {
                    (0..<200).map { i in
                        if i < 60 { return (0..<runs).count { _ in rng.unitDouble() < 0.5 } }
                        return planted && i < 70 ? 0 : runs
                    }
                }
                let baseline = run(false)
                return Simulated.verdict(baseline, run(true), runs: runs).verdict == .regression
            }
        }
        let single = detections(runs: 1)
        let repeated = detections(runs: 5)
        #expect(repeated > single + 10, "detected \(single)/50 with one run, \(repeated)/50 with five")
        #expect(repeated >= 45)
    }

    @Test func aSmallDropBeyondTheThresholdIsInconclusiveAndSaysWhatWouldSettleIt() throws {
        // 40 cases, 2 go pass → fail: a 5-point drop, p = 0.25.
        let baseline = Array(repeating: 1, count: 40)
        var current = baseline
        current[3] = 0
        current[7] = 0
        let suite = Simulated.verdict(baseline, current)
        let accuracy = suite.metrics[0]
        #expect(accuracy.verdict == .inconclusive)
        let s = try #require(accuracy.statistics)
        #expect(s.pValue == 0.25 && !s.significant && s.worse == 2 && s.better == 0)
        #expect(s.minimumDetectableDrop == 5.0 / 40)
        let advice = try #require(accuracy.advice)
        #expect(advice.contains("cases (now 40)") && advice.contains("--repeat 3"))
        var comparison = Comparison(suites: [suite])
        #expect(comparison.verdict == .inconclusive && !comparison.blocks)
        comparison.settings.onInconclusive = .fail
        #expect(comparison.blocks)
        // Within the threshold, the same noise is a plain pass.
        let small = Simulated.verdict(Array(repeating: 1, count: 400), Array(repeating: 1, count: 399) + [0])
        #expect(small.verdict == .pass)
    }

    @Test func flakyCasesAreListedEvenWhenKept() {
        let suite = Simulated.verdict([3, 3, 0, 2], [3, 1, 0, 2], runs: 3)
        #expect(suite.flaky.map(\.id) == ["c1", "c3"])
        #expect(!suite.flakyExcluded)
        #expect(suite.regressed.map(\.id) == ["c1"])
        #expect(suite.regressed[0].baselineRate == 1 && abs(suite.regressed[0].currentRate! - 1.0 / 3) < 1e-12)
    }
}

@Suite struct LatencyAndCostVerdictTests {
    static func latencies(_ count: Int, median: Double, seed: UInt64) -> [Double] {
        StatisticsBootstrapTests.latencies(count: count, median: median, spread: 0.3, seed: seed)
    }

    static func compare(_ base: [Double], _ now: [Double], pct: Double = 20, floor: Double = 1) -> MetricComparison {
        let thresholds = Thresholds(
            accuracy: nil, p95Latency: IncreaseThreshold(maxIncreasePct: pct, minIncrease: floor), avgCost: nil)
        let b = Simulated.suite(Array(repeating: 1, count: base.count), latencies: base)
        let c = Simulated.suite(Array(repeating: 1, count: now.count), latencies: now)
        return Gate.compare(name: "main", baseline: Simulated.baseline(b), current: c, thresholds: thresholds).metrics[
            1]
    }

    @Test func aLargeSlowDownIsARegressionWithItsInterval() throws {
        let m = Self.compare(Self.latencies(300, median: 100, seed: 1), Self.latencies(300, median: 160, seed: 2))
        #expect(m.verdict == .regression)
        let s = try #require(m.statistics)
        #expect(s.significant && s.intervalConfidence == 0.9)
        #expect(try #require(s.ratioInterval).lower > 1.2)
        #expect(s.percentiles["p50"] != nil && s.percentiles["p99"] != nil)
    }

    @Test func aSlowDownJustPastTheAllowanceOnFewCasesIsInconclusive() throws {
        // The same distribution, 25% slower: beyond +20% as measured, but 30 runs cannot place
        // the p95 change above +20% with 90% confidence.
        let base = Self.latencies(30, median: 100, seed: 3)
        let m = Self.compare(base, base.map { $0 * 1.25 })
        #expect(m.verdict == .inconclusive)
        let advice = try #require(m.advice)
        #expect(advice.contains("timed runs (now 30)"))
    }

    @Test func theBootstrapIsReproducible() {
        let base = Self.latencies(200, median: 50, seed: 4)
        let now = Self.latencies(200, median: 58, seed: 5)
        let a = Self.compare(base, now).statistics?.differenceInterval
        let b = Self.compare(base, now).statistics?.differenceInterval
        #expect(a != nil && a == b)
    }

    @Test func aCostRiseUnderAChangedPriceTableIsNotBlamedOnTheCode() {
        let t = IncreaseThreshold(maxIncreasePct: 10, minIncrease: 0)
        let same = Gate.cost(
            baseline: 0.001, current: 0.002, threshold: t,
            prices: PriceTables(baseline: .string("blob-a"), current: .string("blob-a")))
        #expect(same.verdict == .regression && same.warnings.isEmpty)
        let changed = Gate.cost(
            baseline: 0.001, current: 0.002, threshold: t,
            prices: PriceTables(baseline: .string("blob-a"), current: .string("blob-b")))
        #expect(changed.verdict == .inconclusive)
        #expect(changed.warnings.first?.contains("price table differs") == true)
        // Only one side records prices: nothing can be said, the rule is the plain threshold.
        let oneSided = Gate.cost(
            baseline: 0.001, current: 0.002, threshold: t, prices: PriceTables(current: .string("blob-b")))
        #expect(oneSided.verdict == .regression && oneSided.warnings.isEmpty)
    }

    @Test func aCostRiseBetweenBatchAndDirectPricesIsNotBlamedOnTheCode() {
        let t = IncreaseThreshold(maxIncreasePct: 10, minIncrease: 0)
        let prices = PriceTables(baseline: .string("blob-a"), current: .string("blob-a"))
        // A baseline recorded with --batch at half price, a check asking directly: twice the cost.
        let mixed = Gate.cost(baseline: 0.001, current: 0.002, threshold: t, prices: prices, batched: (1, 0))
        #expect(mixed.verdict == .inconclusive && mixed.priceChange == .batchMode)
        #expect(
            mixed.warnings.first?.contains(
                "100% of the baseline's answers were priced at the batch price and 0% of this run's")
                == true)
        #expect(mixed.advice?.contains("with --batch or without it") == true)
        let lines = NoiseWarning.lines(
            Comparison(suites: [
                SuiteComparison(
                    name: "router", metrics: [mixed], regressed: [],
                    fixed: [], added: [], removed: [])
            ]))
        #expect(
            lines.contains {
                $0.contains(
                    "one run was priced at the batch price and the other at the direct price; cost moved because prices changed"
                )
            },
            "\(lines)")
        // Both sides batched: one price mode, the plain threshold rule.
        #expect(
            Gate.cost(baseline: 0.001, current: 0.002, threshold: t, prices: prices, batched: (1, 1)).verdict
                == .regression)
        // Half the answers reused from a batched baseline, half asked directly: still two prices.
        let half = Gate.cost(baseline: 0.001, current: 0.0015, threshold: t, prices: prices, batched: (1, 0.5))
        #expect(half.verdict == .inconclusive && half.priceChange == .batchMode)
        // Within the threshold whatever the modes: a pass, with the warning kept for the reader.
        let within = Gate.cost(baseline: 0.002, current: 0.001, threshold: t, prices: prices, batched: (0, 1))
        #expect(within.verdict == .pass && within.warnings.first?.contains("and 100% of this run's") == true)
    }

    @Test func pricesTravelFromTheResultThroughTheBaselineToTheGate() throws {
        func costing(_ usd: Double) -> SuiteResult {
            var suite = Simulated.suite([1, 1], latencies: [1, 1])
            suite.cases = suite.cases.map {
                var c = $0
                c.costUSD = usd
                return c
            }
            suite.metrics = Metrics(suite.cases)
            return suite
        }
        let baseline = Baseline(result: Simulated.result(costing(0.001), prices: .object(["digest": .string("a")])))
        let reread = try Baseline.parse(Array(try baseline.rendered().utf8), displayPath: "baseline.json")
        #expect(reread.prices == .object(["digest": .string("a")]))
        var config = try EvalConfig.parse(
            ConfigSource(
                displayPath: "c", text: #"{"model": {"command": ["x"]}, "suites": {"main": {"cases": "m.jsonl"}}}"#))
        config.thresholds = Thresholds(
            accuracy: nil, p95Latency: nil, avgCost: IncreaseThreshold(maxIncreasePct: 10, minIncrease: 0))
        // Ten times the cost, but under another price table: not blamed on the code.
        let repriced = Gate.compare(
            baseline: reread, current: Simulated.result(costing(0.01), prices: .object(["digest": .string("b")])),
            config: config)
        let cost = try #require(repriced.suites.first?.metrics.first { $0.metric == .avgCostUSD })
        #expect(cost.verdict == .inconclusive)
        #expect(cost.warnings.contains { $0.contains("price") })
        // The same rise under the same prices is a regression.
        let samePrices = Gate.compare(
            baseline: reread, current: Simulated.result(costing(0.01), prices: .object(["digest": .string("a")])),
            config: config)
        #expect(samePrices.suites.first?.metrics.first { $0.metric == .avgCostUSD }?.verdict == .regression)
    }

    @Test func moneyIsSummedExactly() {
        #expect(Money.sum([0.1, 0.2]) == 0.3)
        #expect(Money.sum(Array(repeating: 0.001, count: 3)) == 0.003)
    }
}
