import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardConfig
@testable import EvalGuardScoring
@testable import EvalGuardSupport

/// The tool-call scorer over outputs in the agent shape, pure: every option and every reason.
@Suite struct ToolCallScorerTests {
    static func scorer(_ json: String, tools: [String: String]? = nil) throws -> Scorer {
        let scorer = try Scorer(node: ConfigNode.parse(ConfigSource(displayPath: ".evals/evalguard.json", text: json)))
        guard let tools, case .toolCall(var settings) = scorer else { return scorer }
        settings.tools = try tools.mapValues { try JSONParser.parse($0) }
        return .toolCall(settings)
    }

    static func outcome(_ scorer: Scorer, _ output: String, _ expected: String) throws -> ScoreOutcome {
        ScoringSession().score(scorer, output: try JSONParser.parse(output), expected: try JSONParser.parse(expected))
    }

    func score(
        _ options: String = #"{"type": "tool-call"}"#, calls: String, expected: String, tools: [String: String]? = nil
    ) throws -> ScoreOutcome {
        try Self.outcome(
            Self.scorer(options, tools: tools), #"{"content": null, "tool_calls": \#(calls)}"#,
            #"{"tool_calls": \#(expected)}"#)
    }

    static let lookup = #"{"name": "lookup_order", "arguments": {"order_id": "A1"}}"#
    static let refund = #"{"name": "refund", "arguments": {"order_id": "A1", "amount": 10}}"#

    @Test func passesWhenEveryExpectedCallIsMadeAndNoOther() throws {
        #expect(
            try score(calls: "[\(Self.lookup), \(Self.refund)]", expected: "[\(Self.lookup), \(Self.refund)]")
                == ScoreOutcome(passed: true))
        // Order does not matter by default.
        #expect(
            try score(calls: "[\(Self.refund), \(Self.lookup)]", expected: "[\(Self.lookup), \(Self.refund)]").passed)
        // An expected call without arguments matches any arguments.
        #expect(try score(calls: "[\(Self.lookup)]", expected: #"[{"name": "lookup_order"}]"#).passed)
    }

    @Test func scoreIsTheF1OverCallsAndTheReasonNamesTheFirstDifference() throws {
        let missing = try score(calls: "[\(Self.lookup)]", expected: "[\(Self.lookup), \(Self.refund)]")
        #expect(!missing.passed && abs(missing.score - 2.0 / 3) < 1e-12)
        #expect(missing.reason == #"missing call 2: refund({"amount":10,"order_id":"A1"})"#)
        let extra = try score(calls: "[\(Self.lookup), \(Self.refund)]", expected: "[\(Self.lookup)]")
        #expect(extra.reason == #"extra call 2: refund({"amount":10,"order_id":"A1"})"#)
        #expect(abs(extra.score - 2.0 / 3) < 1e-12)
        let wrong = try score(
            calls: #"[{"name": "lookup_order", "arguments": {"order_id": "B2"}}]"#, expected: "[\(Self.lookup)]")
        #expect(wrong.reason == #"call 1 lookup_order: arguments.order_id: expected "A1", found "B2""#)
        #expect(wrong.score == 0)
    }

    @Test func anEmptyListMeansNoCallAndATextOutputMadeNone() throws {
        #expect(try score(calls: "[]", expected: "[]") == ScoreOutcome(passed: true))
        let scorer = try Self.scorer(#""tool-call""#)
        #expect(try Self.outcome(scorer, #""I cannot help with that.""#, #"{"tool_calls": []}"#).passed)
        let none = try Self.outcome(scorer, #""Let me look that up.""#, #"{"tool_calls": [{"name": "lookup_order"}]}"#)
        #expect(none.reason == "missing call 1: lookup_order (the output made no tool calls)")
        #expect(
            try score(calls: "[\(Self.lookup)]", expected: "[]").reason
                == #"extra call 1: lookup_order({"order_id":"A1"})"#)
    }

    @Test func argumentsExactOrSubset() throws {
        let more = #"[{"name": "lookup_order", "arguments": {"order_id": "A1", "verbose": true}}]"#
        #expect(
            try score(calls: more, expected: "[\(Self.lookup)]").reason
                == "call 1 lookup_order: arguments.verbose: not expected (found true)")
        #expect(
            try score(#"{"type": "tool-call", "arguments": "subset"}"#, calls: more, expected: "[\(Self.lookup)]")
                .passed)
        // Subset still needs every expected key, at every level.
        let nested = #"[{"name": "ship", "arguments": {"address": {"city": "Lima", "zip": "15001"}}}]"#
        let wanted = #"[{"name": "ship", "arguments": {"address": {"zip": "15002"}}}]"#
        #expect(
            try score(#"{"type": "tool-call", "arguments": "subset"}"#, calls: nested, expected: wanted).reason
                == #"call 1 ship: arguments.address.zip: expected "15002", found "15001""#)
        #expect(
            try score(
                #"{"type": "tool-call", "arguments": "subset"}"#, calls: #"[{"name": "ship", "arguments": {}}]"#,
                expected: wanted
            ).reason
                == #"call 1 ship: arguments.address: missing (expected {"zip":"15002"})"#)
    }

    @Test func orderExact() throws {
        let swapped = try score(
            #"{"type": "tool-call", "order": "exact"}"#, calls: "[\(Self.refund), \(Self.lookup)]",
            expected: "[\(Self.lookup), \(Self.refund)]")
        #expect(!swapped.passed && swapped.score == 0.5)
        #expect(swapped.reason == "call 2 lookup_order is out of order: expected as call 1")
    }

    @Test func stringsCaseInsensitive() throws {
        let shouted = #"[{"name": "get_weather", "arguments": {"city": "LIMA"}}]"#
        let wanted = #"[{"name": "get_weather", "arguments": {"city": "Lima"}}]"#
        #expect(
            try score(calls: shouted, expected: wanted).reason
                == #"call 1 get_weather: arguments.city: expected "Lima", found "LIMA""#)
        #expect(
            try score(#"{"type": "tool-call", "strings": "case-insensitive"}"#, calls: shouted, expected: wanted).passed
        )
    }

    @Test func anExpectedArgumentMayBeASchema() throws {
        let wanted =
            #"[{"name": "refund", "arguments": {"order_id": "A1", "amount": {"$json_schema": {"type": "number", "maximum": 50}}}}]"#
        #expect(try score(calls: "[\(Self.refund)]", expected: wanted).passed)
        let big = #"[{"name": "refund", "arguments": {"order_id": "A1", "amount": 80}}]"#
        let reason = try score(calls: big, expected: wanted).reason
        #expect(
            reason == "call 1 refund: arguments.amount: does not fit its $json_schema: maximum: 80 is greater than 50")
    }

    @Test func argumentsThatAreNotJSONFailWithThatReason() throws {
        let raw = #"[{"name": "lookup_order", "arguments": "{order_id: A1"}]"#
        let outcome = try score(calls: raw, expected: #"[{"name": "lookup_order"}]"#)
        #expect(!outcome.passed)
        #expect(outcome.reason == "call 1 lookup_order: its arguments are not JSON: {order_id: A1")
    }

    @Test func everyCallIsCheckedAgainstItsToolsParameters() throws {
        let tools = [
            "lookup_order":
                #"{"type": "object", "required": ["order_id"], "properties": {"order_id": {"type": "string", "pattern": "^[A-Z][0-9]+$"}}}"#
        ]
        let bad = #"[{"name": "lookup_order", "arguments": {"order_id": "a-1"}}]"#
        let outcome = try score(calls: bad, expected: #"[{"name": "lookup_order"}]"#, tools: tools)
        #expect(
            outcome.reason
                == #"call 1 lookup_order: its arguments do not fit the tool's parameters: /order_id: pattern: "a-1" does not match "^[A-Z][0-9]+$""#
        )
        #expect(try score(calls: "[\(Self.lookup)]", expected: #"[{"name": "lookup_order"}]"#, tools: tools).passed)
        let unknown = try score(
            calls: #"[{"name": "delete_everything", "arguments": {}}]"#, expected: "[]", tools: tools)
        #expect(
            unknown.reason
                == "call 1 delete_everything: the model's tools have no tool of that name (tools: lookup_order)")
    }

    /// Pairs are found optimally: a greedy pass would give the first call to the first expected
    /// call it fits and leave the second expected call without one.
    @Test func callsArePairedOptimally() throws {
        let calls =
            #"[{"name": "search", "arguments": {"q": "a", "n": 1}}, {"name": "search", "arguments": {"q": "b", "n": 1}}]"#
        let wanted = #"[{"name": "search"}, {"name": "search", "arguments": {"q": "a", "n": 1}}]"#
        #expect(try score(calls: calls, expected: wanted).passed)
        #expect(bestPairs(expected: 2, actual: 2, ordered: false) { i, j in i == 0 || j == 0 }.count == 2)
        #expect(
            bestPairs(expected: 3, actual: 3, ordered: true) { i, j in
                [(0, 1), (1, 0), (2, 2)].contains { $0 == (i, j) }
            }.count == 2)
    }

    @Test func optionsAndExpectedAreCheckedWhenLoaded() throws {
        #expect(throws: EvalGuardError.self) { try Self.scorer(#"{"type": "tool-call", "order": "strict"}"#) }
        #expect(throws: EvalGuardError.self) { try Self.scorer(#"{"type": "tool-call", "arguments": "partial"}"#) }
        #expect(throws: EvalGuardError.self) { try Self.scorer(#"{"type": "tool-call", "match": "exact"}"#) }
        let scorer = try Self.scorer(#""tool-call""#)
        #expect(
            scorer.problem(withExpected: nil)
                == #"missing "expected": the tool-call scorer compares the output with it"#)
        #expect(
            scorer.problem(withExpected: .string("lookup_order"))?.hasPrefix(
                "the tool-call scorer needs \"expected\" to be {\"tool_calls\"") == true)
        #expect(
            scorer.problem(withExpected: try JSONParser.parse(#"{"tool_calls": ["lookup_order"]}"#))
                == #"expected.tool_calls[0] must be an object with "name" (and optionally "arguments")"#)
        #expect(
            scorer.problem(withExpected: try JSONParser.parse(#"{"tool_calls": [{"name": "a", "args": {}}]}"#))
                == #"expected.tool_calls[0] has 'args'; a call is {"name", "arguments"}"#)
        #expect(
            scorer.problem(
                withExpected: try JSONParser.parse(
                    #"{"tool_calls": [{"name": "a", "arguments": {"x": {"$json_schema": 3}}}]}"#))
                == #"expected.tool_calls[0].arguments.x: a {"$json_schema": ...} argument holds a JSON Schema (an object or a boolean)"#
        )
        #expect(Scorer.names.contains("tool-call") && Scorer.names.contains("trajectory"))
    }

    /// A bad option is an error at its line of evalguard.json, with the options it may take.
    @Test func aBadOptionNamesItsLine() throws {
        let text = """
            {"model": {"command": ["true"]},
             "suites": {"orders": {"cases": "cases/orders.jsonl",
                                   "scorer": {"type": "tool-call",
                                              "order": "strict"}}}}
            """
        do {
            _ = try EvalConfig.parse(ConfigSource(displayPath: ".evals/evalguard.json", text: text))
            Issue.record("accepted")
        } catch let error as EvalGuardError {
            #expect(error.file == ".evals/evalguard.json" && error.line == 4, "\(error)")
            #expect(
                error.message == "suites.orders.scorer.order: 'strict' is not one of any, exact", "\(error.message)")
        }
    }

    /// In a list, the tool-call scorer's reason and score are the list's when it fails.
    @Test func inAListTheFailingStepsReasonIsKept() throws {
        let list = try Self.scorer(#"["tool-call", {"type": "trajectory", "match": "exact"}]"#)
        let outcome = try Self.outcome(
            list, #"{"content": null, "tool_calls": [\#(Self.lookup)], "steps": []}"#,
            #"{"tool_calls": [], "steps": []}"#)
        #expect(outcome.reason == #"extra call 1: lookup_order({"order_id":"A1"})"#)
    }
}
