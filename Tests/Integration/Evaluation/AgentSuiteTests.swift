import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardStore
@testable import EvalGuardSupport

/// A support agent gated as a user gates it: an openai model with tools from a file, a system
/// prompt from a file, each case's conversation spliced in and its tool results canned, scored
/// by the `json` scorer on the agent's output; `run`, `baseline` and `check` against the test
/// server, which plays the agent from each case's script.
@Suite(.serialized) struct AgentSuiteTests {
    static let tools =
        #"[{"type": "function", "function": {"name": "lookup_order", "parameters": {"type": "object"}}}, {"type": "function", "function": {"name": "refund"}}]"#

    final class Fixture {
        let server: OpenAITestServer
        let repo: ScratchRepository
        var requests: Int { (try? server.requests().count) ?? -1 }

        init(extraModel: String = "") throws {
            server = try OpenAITestServer()
            repo = try ScratchRepository()
            try repo.write("prompts/agent.txt", "You are the support agent of a shop.\n")
            try repo.write("agent/tools.json", AgentSuiteTests.tools)
            try repo.write(
                ".evals/evalguard.json",
                """
                {
                  "model": {"provider": "openai", "base_url": "\(server.baseURL)", "model": "gpt-4o-mini", "max_steps": 3,
                            "tools": {"file": "agent/tools.json"}, "tool_choice": "auto",
                            "messages": [{"role": "system", "content": {"file": "prompts/agent.txt"}}, "{{input.messages}}"],
                            "retry_backoff_s": 0.01, "jobs": 2, "inputs": ["prompts/**"]\(extraModel)},
                  "suites": {"agent": {"cases": "cases/agent.jsonl", "scorer": "json", "on_inconclusive": "fail"}},
                  "thresholds": {"p95_latency_ms": false}
                }
                """)
            try writeCases(refundTotal: 30)
            try repo.write(".evals/.gitignore", "results/\n")
            try repo.commitAll("a support agent")
        }

        static func user(_ text: String) -> JSONValue {
            .object(["messages": .array([.object(["role": .string("user"), "content": .string(text)])])])
        }

        func writeCases(refundTotal: Int) throws {
            func json(_ text: String) throws -> JSONValue { try JSONParser.parse(text) }
            let order = JSONValue.object([
                "id": .string("order"),
                "input": Self.user(#"call:lookup_order:{"order_id": "A1"} then final:Order A1 has shipped."#),
                "tool_results": try json(
                    #"[{"name": "lookup_order", "arguments": {"order_id": "A1"}, "result": {"status": "shipped"}}]"#),
                "expected": try json(
                    #"""
                    {"content": "Order A1 has shipped.", "tool_calls": [{"name": "lookup_order", "arguments": {"order_id": "A1"}}],
                     "steps": [{"name": "lookup_order", "arguments": {"order_id": "A1"}, "result": {"status": "shipped"}}]}
                    """#),
            ])
            let refund = JSONValue.object([
                "id": .string("refund"),
                "input": Self.user(#"call:lookup_order:{"order_id": "A2"} then call:refund:{"order_id": "A2"}"#),
                "tool_results": try json(
                    #"[{"name": "lookup_order", "result": {"total": \#(refundTotal)}}, {"name": "refund", "result": "ok"}]"#
                ),
                "expected": try json(
                    #"""
                    {"content": "done: {\"total\":30} | ok",
                     "tool_calls": [{"name": "lookup_order", "arguments": {"order_id": "A2"}}, {"name": "refund", "arguments": {"order_id": "A2"}}],
                     "steps": [{"name": "lookup_order", "arguments": {"order_id": "A2"}, "result": {"total": 30}},
                               {"name": "refund", "arguments": {"order_id": "A2"}, "result": "ok"}]}
                    """#),
            ])
            let hello = JSONValue.object([
                "id": .string("hello"), "input": Self.user("Hello there"), "expected": .string("Hello there"),
            ])
            try repo.write(
                ".evals/cases/agent.jsonl", [order, refund, hello].map(\.canonicalText).joined(separator: "\n") + "\n")
        }
    }

    @Test func runBaselineAndCheckGateTheAgentAndEachInputReRunsWhatDependsOnIt() throws {
        let f = try Fixture()
        let run = f.repo.evalguard("run")
        #expect(run.status == 0, "\(run.stderr)")
        // 2 requests for the order, 3 for the refund, 1 for the greeting.
        #expect(f.requests == 6)
        let result = try #require(try ResultStore(root: f.repo.root).load(commit: f.repo.head))
        #expect(result.suites[0].cases.map(\.passed) == [true, true, true])
        // The refund's latency is the sum of its three requests', each kept; a single request keeps none.
        let refund = result.suites[0].cases[1]
        #expect(refund.requestLatenciesMs?.count == 3)
        #expect(abs((refund.requestLatenciesMs ?? []).reduce(0, +) - refund.latencyMs) < 0.01)
        #expect(result.suites[0].cases[2].requestLatenciesMs == nil)
        #expect(result.model["tools"] == (try JSONParser.parse(Self.tools)))
        #expect(result.model["max_steps"] == .number(3))
        let first = try JSONParser.parse(try #require(try f.server.requests().first?["body"]?.stringValue))
        #expect(first["messages"]?.arrayValue?.first?["content"] == .string("You are the support agent of a shop.\n"))
        #expect(first["tools"] == (try JSONParser.parse(Self.tools)) && first["tool_choice"] == .string("auto"))

        #expect(f.repo.evalguard("baseline").status == 0)
        try f.repo.commitAll("baseline")
        let same = f.repo.evalguard("check")
        #expect(same.status == 0, "\(same.stdout)\(same.stderr)")
        #expect(f.requests == 6)

        // The tools file is an input of the model although `inputs` leaves it out: every case runs again.
        try f.repo.write(
            "agent/tools.json",
            Self.tools.replacingOccurrences(
                of: #""name": "refund""#, with: #""name": "refund", "description": "Refund an order.""#))
        let tools = f.repo.evalguard("check")
        #expect(tools.status == 0, "\(tools.stdout)\(tools.stderr)")
        #expect(f.requests == 12)
        try f.repo.commitAll("describe refund")
        #expect(f.repo.evalguard("check").status == 0)
        #expect(f.requests == 12)

        // A case's canned tool results are part of what its answer depends on: that case alone runs again, and fails.
        try f.writeCases(refundTotal: 25)
        let changed = f.repo.evalguard("check")
        #expect(changed.status == 1, "\(changed.stdout)\(changed.stderr)")
        #expect(f.requests == 15)
        #expect(changed.stdout.contains("refund"))
    }

    @Test func aBadConversationInACaseStopsTheRunAtItsLine() throws {
        let f = try Fixture()
        var lines = try #require(f.repo.read(".evals/cases/agent.jsonl")).split(separator: "\n").map(String.init)
        lines.append(
            #"{"id": "bad", "input": {"messages": [{"role": "user", "content": "hi"}, {"role": "tool", "content": "42"}]}, "expected": "x"}"#
        )
        try f.repo.write(".evals/cases/agent.jsonl", lines.joined(separator: "\n") + "\n")
        let run = f.repo.evalguard("run")
        #expect(run.status == 2)
        #expect(
            run.stderr.contains(
                ".evals/cases/agent.jsonl:4: case bad: {{input.messages}}[1]: a tool message needs \"tool_call_id\""),
            "\(run.stderr)")
        #expect(f.requests == 0)
    }

    @Test func theToolsProgramAnswersCallsAndItsScriptIsAnInput() throws {
        let f = try Fixture(extraModel: #", "tools_command": ["python3", "agent/tools.py"]"#)
        try f.repo.write(
            "agent/tools.py",
            """
            import json, sys
            for line in sys.stdin:
                call = json.loads(line)
                result = {"total": 30} if call["name"] == "lookup_order" else "ok"
                if call["arguments"].get("order_id") == "A1":
                    result = {"status": "shipped"}
                print(json.dumps({"id": call["id"], "result": result}), flush=True)
            """)
        try f.repo.commitAll("a tools program")
        let run = f.repo.evalguard("run")
        #expect(run.status == 0, "\(run.stderr)")
        let result = try #require(try ResultStore(root: f.repo.root).load(commit: f.repo.head))
        #expect(result.suites[0].cases.map(\.passed) == [true, true, true])
        #expect(f.requests == 6)
        try f.repo.write(
            "agent/tools.py", try #require(f.repo.read("agent/tools.py")).replacingOccurrences(of: "30", with: "31"))
        let check = f.repo.evalguard("run")
        #expect(check.status == 0)
        #expect(f.requests == 12)
    }
}
