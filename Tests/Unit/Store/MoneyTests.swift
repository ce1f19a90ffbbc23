import EvalGuardTestSupport
import Testing

@testable import EvalGuardStore

@Suite struct MoneyTests {
    /// The sum is the double nearest the exact decimal sum, not one float step off it.
    @Test(
        arguments: [
            ([0.0001113, 0.0001113], 0.0002226), ([0.0002226], 0.0002226), ([0.0001, 0.0001226], 0.0002226),
            ([0.0000117], 0.0000117), ([0.0000143, 0], 0.0000143), ([0.1, 0.2], 0.3),
            (Array(repeating: 0.0000013, count: 9), 0.0000117), ([], 0),
        ] as [([Double], Double)])
    func theSumIsTheCorrectlyRoundedDoubleOfTheExactDecimalSum(_ amounts: [Double], _ expected: Double) {
        #expect(Money.sum(amounts) == expected, "\(amounts)")
    }
}
