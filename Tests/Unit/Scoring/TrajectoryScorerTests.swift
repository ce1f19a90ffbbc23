import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardConfig
@testable import EvalGuardScoring
@testable import EvalGuardSupport

/// The trajectory scorer over an agent loop's `steps`, pure: every match mode and reason.
@Suite struct TrajectoryScorerTests {
    static let steps = #"""
        {"content": "Refunded.", "tool_calls": [], "steps": [
          {"name": "lookup_order", "arguments": {"order_id": "A1"}, "result": {"total": 10}},
          {"name": "check_policy", "arguments": {}, "result": {"refundable": true}},
          {"name": "refund", "arguments": {"order_id": "A1", "amount": 10}, "result": {"ok": true}}]}
        """#

    func score(_ options: String, _ expected: String, output: String = steps) throws -> ScoreOutcome {
        let scorer = try Scorer(
            node: ConfigNode.parse(ConfigSource(displayPath: ".evals/evalguard.json", text: options)))
        return ScoringSession().score(
            scorer, output: try JSONParser.parse(output), expected: try JSONParser.parse(#"{"steps": \#(expected)}"#))
    }

    @Test func inOrderByDefault() throws {
        #expect(try score(#""trajectory""#, #"["lookup_order", "refund"]"#).passed)
        let swapped = try score(#""trajectory""#, #"["refund", "lookup_order"]"#)
        #expect(!swapped.passed && swapped.score == 0.5)
        #expect(swapped.reason == "step 1 lookup_order came too early: expected after step 3")
        let missing = try score(#""trajectory""#, #"["lookup_order", "escalate"]"#)
        #expect(missing.reason == "missing step 2: escalate after step 1")
    }

    @Test func containsInAnyOrder() throws {
        #expect(try score(#"{"type": "trajectory", "match": "contains"}"#, #"["refund", "lookup_order"]"#).passed)
        #expect(
            try score(#"{"type": "trajectory", "match": "contains"}"#, #"["escalate"]"#).reason
                == "missing step: escalate")
    }

    @Test func exactNamesTheFirstMissingOrExtraStep() throws {
        let all = #"["lookup_order", "check_policy", "refund"]"#
        #expect(try score(#"{"type": "trajectory", "match": "exact"}"#, all).passed)
        #expect(
            try score(#"{"type": "trajectory", "match": "exact"}"#, #"["lookup_order", "check_policy"]"#).reason
                == #"extra step 3: refund({"amount":10,"order_id":"A1"})"#)
        #expect(
            try score(#"{"type": "trajectory", "match": "exact"}"#, #"["lookup_order", "refund"]"#).reason
                == "step 2: expected refund, found check_policy")
        let none = try score(#"{"type": "trajectory", "match": "exact"}"#, all, output: #""Sorry.""#)
        #expect(none.reason == "missing step 1: lookup_order (the output has no steps)" && none.score == 0)
    }

    @Test func stepArgumentsMatchAsASubset() throws {
        #expect(try score(#""trajectory""#, #"[{"name": "refund", "arguments": {"amount": 10}}]"#).passed)
        #expect(
            try score(#""trajectory""#, #"[{"name": "refund", "arguments": {"amount": 20}}]"#).reason
                == "step 3 refund: arguments.amount: expected 20, found 10")
        #expect(
            try score(
                #""trajectory""#, #"[{"name": "refund", "arguments": {"amount": {"$json_schema": {"maximum": 10}}}}]"#
            ).passed)
    }

    @Test func maxSteps() throws {
        #expect(try score(#"{"type": "trajectory", "max_steps": 3}"#, #"["refund"]"#).passed)
        let long = try score(#"{"type": "trajectory", "max_steps": 2}"#, #"["refund"]"#)
        #expect(!long.passed && long.score == 0)
        #expect(long.reason == "took 3 steps, more than max_steps 2")
    }

    @Test func optionsAndExpectedAreChecked() throws {
        func scorer(_ text: String) throws -> Scorer {
            try Scorer(node: ConfigNode.parse(ConfigSource(displayPath: "c.json", text: text)))
        }
        #expect(throws: EvalGuardError.self) { try scorer(#"{"type": "trajectory", "match": "inorder"}"#) }
        #expect(throws: EvalGuardError.self) { try scorer(#"{"type": "trajectory", "max_steps": 0}"#) }
        #expect(throws: EvalGuardError.self) { try scorer(#"{"type": "trajectory", "order": "exact"}"#) }
        let t = try scorer(#""trajectory""#)
        #expect(t.problem(withExpected: try JSONParser.parse(#"{"steps": ["a", {"name": "b"}]}"#)) == nil)
        #expect(
            t.problem(withExpected: try JSONParser.parse(#"{"steps": [3]}"#))
                == #"expected.steps[0] must be a tool name or an object with "name" (and optionally "arguments")"#)
        #expect(
            t.problem(withExpected: try JSONParser.parse(#"{"tool_calls": []}"#))?.hasPrefix(
                "the trajectory scorer needs") == true)
    }
}
