import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardConfig
@testable import EvalGuardEvaluation
@testable import EvalGuardSupport

/// A scoring program has its own time limits, `timeout_s` and `startup_timeout_s`, and its
/// time-outs name them where they are set, not a model's.
@Suite(.serialized) struct ScorerTimeoutTests {
    @Test func aHungProgramTimesOutOnItsOwnSettingsAndSaysWhichOnes() throws {
        let f = try CommandScorerTests.Fixture(
            cases: CommandScorerTests.politeCases,
            scorer: """
                {"type": "command", "command": ["python3", "scorers/hang.py"], "timeout_s": 0.2, "startup_timeout_s": 0.3, "max_error_rate": 1}
                """)
        try f.repo.write("scorers/hang.py", "import sys, time\nfor line in sys.stdin:\n    time.sleep(600)\n")
        try f.repo.commitAll("a scorer that never answers")
        let result = try f.evaluate().result
        let errors = result.suites[0].cases.compactMap(\.error)
        #expect(errors.count == result.suites[0].cases.count)
        #expect(errors.allSatisfy { !$0.contains("model.") }, "\(errors)")
        #expect(
            errors.contains {
                $0.contains(
                    "timed out after 0.2 s (suites.tone.scorer.timeout_s) plus 0.3 s for start-up (suites.tone.scorer.startup_timeout_s)"
                )
            }, "\(errors)")
    }

    @Test func startupTimeoutIsReadAndDefaultsToTenSeconds() throws {
        func settings(_ json: String) throws -> CommandScorerSettings {
            try CommandScorerSettings(node: ConfigNode.parse(ConfigSource(displayPath: EvalConfig.path, text: json)))
        }
        #expect(
            try settings(#"{"type": "command", "command": ["x"], "startup_timeout_s": 2.5}"#).startupTimeoutSeconds
                == 2.5)
        #expect(try settings(#"{"type": "command", "command": ["x"]}"#).startupTimeoutSeconds == 10)
        #expect(throws: EvalGuardError.self) {
            try settings(#"{"type": "command", "command": ["x"], "startup_timeout_s": -1}"#)
        }
    }
}
