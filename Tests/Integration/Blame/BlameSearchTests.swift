import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardBlame
@testable import EvalGuardEvaluation
@testable import EvalGuardGit
@testable import EvalGuardHistory
@testable import EvalGuardStore

/// The pieces of the search on their own: bisection bookkeeping, case votes, evaluation keys.
@Suite struct BlameSearchTests {
    /// Runs a bisection against a known first bad segment; returns the probes made and the candidates.
    func search(segments: Int, firstBad: Int, free: Set<Int> = [], skip: Set<Int> = []) -> (
        probes: [Int], candidates: [Int]
    ) {
        var b = Bisection(segments: segments)
        var probes: [Int] = []
        while let s = b.next(isFree: free.contains) {
            probes.append(s)
            b.record(s, skip.contains(s) ? .skipped : s >= firstBad ? .bad : .good)
        }
        return (probes, b.candidates)
    }

    @Test func bisectionFindsEveryPossibleCulpritWithinLogarithmicProbes() {
        for segments in [2, 3, 5, 64, 227, 1000] {
            for firstBad in 1..<segments {
                let (probes, candidates) = search(segments: segments, firstBad: firstBad)
                #expect(candidates == [firstBad])
                #expect(Double(probes.count) <= log2(Double(segments - 1)).rounded(.up))
            }
        }
    }

    @Test func freeProbesComeFirstAndNeverAddCost() {
        let (probes, candidates) = search(segments: 100, firstBad: 70, free: [10, 69, 90])
        #expect(candidates == [70])
        // 69 (free, nearest the middle) is good, then 90 (free) is bad: only 70...90 costs anything.
        #expect(Array(probes.prefix(2)) == [69, 90])
        let paid = probes.filter { ![10, 69, 90].contains($0) }
        #expect(Double(paid.count) <= log2(21).rounded(.up))
        #expect(paid.count < search(segments: 100, firstBad: 70).probes.count)
    }

    @Test func skippedSegmentsWidenTheAnswerAsGitBisectSkipDoes() {
        let (_, candidates) = search(segments: 50, firstBad: 30, skip: [29, 28])
        #expect(candidates == [28, 29, 30])
        let (_, clean) = search(segments: 50, firstBad: 30, skip: [10])
        #expect(clean == [30])
    }

    @Test func votesDecideUnanimouslyOrPastNoiseAndSayWhenTheyCannot() {
        #expect(Tally(good: 0, bad: 1).side == .bad)
        #expect(Tally(good: 3, bad: 0).side == .good)
        #expect(Tally(good: 2, bad: 12).side == .bad)
        #expect(Tally(good: 4, bad: 6).side == .withinNoise)
        #expect(Tally(good: 3, bad: 3).side == .withinNoise)
        #expect(Tally().side == .withinNoise)
    }

    func result(_ passed: [Bool], costs: [Double]? = nil) -> RunResult {
        let cases = passed.enumerated().map { i, p in
            CaseResult(id: "c\(i)", passed: p, score: p ? 1 : 0, latencyMs: 1, costUSD: costs?[i])
        }
        let suite = SuiteResult(
            name: "s", casesFile: "", casesDigest: "", scorer: "exact", metrics: Metrics(cases), cases: cases)
        return RunResult(
            format: 1, evalguardVersion: "", commit: "", dirty: false, key: "", createdAt: "", configDigest: "",
            model: [:], suites: [suite], overall: Metrics(cases))
    }

    @Test func aProbeSidesCaseByCaseNotByItsAggregate() {
        let good = result([true, true, true, true, true, true])
        let bad = result([false, false, true, true, true, true])
        let siding = Siding(metric: .accuracy, suites: nil)
        // Same accuracy as the bad end, but different cases broke: it shares no flip with it.
        #expect(
            siding.tally(probe: result([true, true, false, false, true, true]), good: good, bad: bad)
                == Tally(good: 2, bad: 0))
        #expect(
            siding.tally(probe: result([false, false, true, true, true, false]), good: good, bad: bad)
                == Tally(good: 0, bad: 2))
        let cost = Siding(metric: .avgCostUSD, suites: ["s"])
        let cheap = result([true, true], costs: [0.001, 0.001])
        let dear = result([true, true], costs: [0.001, 0.003])
        #expect(
            cost.tally(probe: result([true, true], costs: [0.001, 0.0029]), good: cheap, bad: dear)
                == Tally(good: 0, bad: 1))
    }

    @Test func historyIndexKeysEqualTheEvaluatorsKeys() throws {
        let repo = try SyntheticHistory.make(
            [.tweak, .docs, .plant(["q1"]), .docs, .noise(["q3"])],
            counter: NSTemporaryDirectory() + "evalguard-unused-\(UUID().uuidString)")
        let repository = try Repository.discover(from: repo.root)
        let index = HistoryIndex(repository: repository)
        let evaluator = Evaluator(repository: repository)
        let chain = try index.firstParentChain(from: repo.head, limit: 6)
        #expect(chain.count == 6)
        for entry in chain {
            #expect(
                index.key(of: entry)
                    == (try evaluator.key(
                        of: .commit(entry.sha), config: evaluator.config(of: .commit(entry.sha)), head: entry.sha
                    ).key))
        }
        #expect(index.key(of: chain[0]) != index.key(of: chain[1]))
        #expect(index.key(of: chain[1]) == index.key(of: chain[2]), "a docs commit keeps the key")
        #expect(try chain.map(index.changesBaseline) == [false, false, false, false, false, true])
    }
}
