import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardSupport

/// A tool-call regression planted in a 20-commit history: the agent's prompt changes so that it
/// refunds without looking the order up first. `check` blocks it and `blame` names the commit,
/// over the openai provider's agent loop against the stand-in server (which plays each case's
/// script from the prompt the model is sent).
@Suite(.serialized) struct AgentBlameTests {
    static let tools = #"""
        [{"type": "function", "function": {"name": "lookup_order", "parameters": {"type": "object", "required": ["order_id"], "properties": {"order_id": {"type": "string"}}}}},
         {"type": "function", "function": {"name": "refund", "parameters": {"type": "object", "required": ["order_id"]}}}]
        """#

    static func cases() -> String {
        (1...8).map { i in
            let order = #"{"order_id": "A\#(i)"}"#
            let line: JSONValue = .object([
                "id": .string("refund-\(i)"),
                "input": .object([
                    "careful": .string(
                        "call:lookup_order:\(order) then call:refund:\(order) then final:Refunded A\(i)."),
                    "hasty": .string("call:refund:\(order) then final:Refunded A\(i)."),
                ]),
                "tool_results": .array([
                    .object(["name": .string("lookup_order"), "result": .object(["total": .number(Double(10 * i))])]),
                    .object(["name": .string("refund"), "result": .string("ok")]),
                ]),
                "expected": .object([
                    "tool_calls": .array(
                        ["lookup_order", "refund"].map {
                            .object(["name": .string($0), "arguments": .object(["order_id": .string("A\(i)")])])
                        }),
                    "steps": .array([.string("lookup_order"), .string("refund")]),
                ]),
            ])
            return line.canonicalText
        }.joined(separator: "\n") + "\n"
    }

    @Test func blameNamesTheCommitThatMadeTheAgentSkipItsLookup() throws {
        let server = try OpenAITestServer()
        let repo = try ScratchRepository()
        try repo.write("prompts/agent.txt", "{{input.careful}}")
        try repo.write(
            ".evals/evalguard.json",
            """
            {
              "model": {"provider": "openai", "base_url": "\(server.baseURL)", "model": "agent-1", "max_steps": 4,
                        "tools": \(Self.tools), "messages": [{"role": "user", "content": {"file": "prompts/agent.txt"}}],
                        "retry_backoff_s": 0.01, "jobs": 2},
              "suites": {"refunds": {"cases": "cases/refunds.jsonl",
                                     "scorer": [{"type": "tool-call", "order": "exact"}, {"type": "trajectory", "match": "exact"}]}},
              "thresholds": {"p95_latency_ms": false}
            }
            """)
        try repo.write(".evals/cases/refunds.jsonl", Self.cases())
        try repo.write(".evals/.gitignore", "results/\n")
        try repo.commitAll("A refund agent and its evals")
        let baseline = repo.evalguard("baseline")
        #expect(baseline.status == 0, "\(baseline.stderr)")
        let recorded = try JSONParser.parse(repo.read(".evals/baseline.json") ?? "")
        #expect(recorded["suites"]?["refunds"]?["metrics"]?["accuracy"] == .number(1), "\(recorded)")
        try repo.commitAll("Record the baseline")

        // Nineteen more commits; the twelfth of them makes the agent hasty.
        var planted = ""
        for n in 1...19 {
            try repo.write("docs/notes.md", "Release notes, revision \(n).\n")
            if n == 12 {
                try repo.write("prompts/agent.txt", "{{input.hasty}}")
                try repo.commitAll("Shorter agent prompt")
                planted = try repo.git("rev-parse", "HEAD").trimmingCharacters(in: .whitespacesAndNewlines)
            } else {
                try repo.commitAll("Notes, revision \(n)")
            }
        }

        let check = repo.evalguard("check")
        #expect(check.status == 1, "\(check.stdout)\n\(check.stderr)")
        #expect(check.stdout.contains("refunds"), "\(check.stdout)")

        let blame = repo.evalguard("blame", "--format", "json")
        #expect(blame.status == 0, "\(blame.stderr)")
        let doc = try JSONParser.parse(blame.stdout)
        #expect(doc["culprit"]?["sha"]?.stringValue == planted, "\(blame.stdout)\n\(blame.stderr)")
        let text = repo.evalguard("blame")
        #expect(text.stdout.contains("Shorter agent prompt"), "\(text.stdout)")
    }
}
