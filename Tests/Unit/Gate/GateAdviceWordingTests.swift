import EvalGuardTestSupport
import Testing

@testable import EvalGuardCompare
@testable import EvalGuardConfig
@testable import EvalGuardGate
@testable import EvalGuardReport
@testable import EvalGuardStatistics

/// Advice that asks for something the user can act on, and a price change called by its name.
@Suite struct GateAdviceWordingTests {
    @Test func adviceDoesNotAskForTheCasesAlreadyThere() {
        // 60 cases run 3 times: one fell 3/3 → 0/3, three fell 3/3 → 2/3. The normal
        // approximation calls this significant, the exact test does not (p = 1/16).
        let same = Array(
            repeating: PairedOutcome(baselinePasses: 3, baselineRuns: 3, currentPasses: 3, currentRuns: 3)!, count: 56)
        let fell =
            [PairedOutcome(baselinePasses: 3, baselineRuns: 3, currentPasses: 0, currentRuns: 3)!]
            + Array(
                repeating: PairedOutcome(baselinePasses: 3, baselineRuns: 3, currentPasses: 2, currentRuns: 3)!,
                count: 3)
        let test = PairedAccuracy(same + fell)
        #expect(test.cases == 60 && test.pValue >= 0.05)
        let advice = Gate.accuracyAdvice(test, alpha: 0.05, repeats: 3)
        #expect(!advice.contains("(now 60)"), "\(advice)")
        #expect(advice.contains("a larger suite than the 60 cases now"), "\(advice)")
        #expect(advice.contains("--repeat 6"))
    }

    @Test func aCostChangeFromThePriceTableIsNotCalledNoise() {
        let m = Gate.cost(
            baseline: 0.001, current: 0.002, threshold: IncreaseThreshold(maxIncreasePct: 10, minIncrease: 0),
            prices: PriceTables(baseline: .string("old"), current: .string("new")))
        #expect(m.verdict == .inconclusive)
        let comparison = Comparison(suites: [
            SuiteComparison(name: "router", metrics: [m], regressed: [], fixed: [], added: [], removed: [])
        ])
        let lines = NoiseWarning.lines(comparison).joined(separator: "\n")
        #expect(!lines.contains("noise"), "\(lines)")
        #expect(lines.contains("the price table changed; cost moved because prices changed"), "\(lines)")
    }
}
