import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardConfig
@testable import EvalGuardScoring
@testable import EvalGuardSupport

/// A `regex` scorer that cannot decide says so (an error, never a fail), and a pattern in ICU
/// syntax that evalguard cannot match is refused with what to write instead.
@Suite struct RegexScorerTests {
    /// Backtracks for seconds, then ends.
    static let pathological = ("(a+)+b", String(repeating: "a", count: 15))

    @Test func aMatchOutOfTimeIsAnErrorAndItsWorkerRejoinsThePool() throws {
        let session = ScoringSession(regexTimeLimit: 0.01)
        let outcome = session.score(
            .regex, output: .string(Self.pathological.1), expected: .string(Self.pathological.0))
        #expect(!outcome.passed)
        #expect(outcome.error?.contains("ran out of time") == true, "\(outcome)")
        #expect(BoundedRegex.abandonedWorkers > 0)
        // The abandoned match ends on its own: its worker is counted out again.
        var waited = 0
        while BoundedRegex.abandonedWorkers > 0 && waited < 1200 {
            Thread.sleep(forTimeInterval: 0.1)
            waited += 1
        }
        #expect(BoundedRegex.abandonedWorkers == 0)
        #expect(session.score(.regex, output: .string("x 42"), expected: .string("\\d+")) == ScoreOutcome(passed: true))
    }

    @Test(arguments: [
        ("(?<=a)b", "lookbehind"), ("(?<!a)b", "lookbehind"), ("\\cA", "control escapes"), ("(?w)\\bx", "(?w)"),
        ("[\\w-.]", "escaped"),
    ])
    func anUnsupportedICUConstructIsNamedWithAHint(_ pattern: String, _ named: String) {
        let problem = Scorer.regex.problem(withExpected: .string(pattern))
        #expect(problem?.hasPrefix("invalid regular expression") == true, "\(problem ?? "none")")
        #expect(problem?.contains(named) == true, "\(problem ?? "none")")
    }
}
