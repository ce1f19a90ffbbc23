import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardConfig
@testable import EvalGuardStore
@testable import EvalGuardSupport

/// A tool-call suite end to end, over a command model that prints tool-call objects: the
/// reasons land in the result with each case's call count, the model's `tools` file checks the
/// arguments, a changed expected answer re-scores the stored answers without asking the model,
/// and bad cases or tools stop the run at load naming their file and line.
@Suite struct ToolCallSuiteTests {
    /// Calls `lookup_order` with the input's order id (and `refund` when the input asks), and
    /// counts its requests in `counter`.
    static func agent(counter: String) -> String {
        """
        import json, sys
        for line in sys.stdin:
            r = json.loads(line)
            open(\(JSONValue.string(counter).canonicalText), 'a').write('request\\n')
            calls = [{"name": "lookup_order", "arguments": {"order_id": r["input"]["order"]}}]
            if r["input"].get("refund"):
                calls.append({"name": "refund", "arguments": {"order_id": r["input"]["order"], "amount": r["input"]["refund"]}})
            sys.stdout.write(json.dumps({"id": r["id"], "output": {"content": None, "tool_calls": calls}}) + "\\n")
            sys.stdout.flush()
        """
    }

    static let tools = #"""
        [
          {"type": "function", "function": {"name": "lookup_order", "parameters": {"type": "object", "required": ["order_id"],
            "properties": {"order_id": {"type": "string"}}}}},
          {"type": "function", "function": {"name": "refund", "parameters": {"type": "object",
            "properties": {"order_id": {"type": "string"}, "amount": {"type": "number", "maximum": 100}}}}}
        ]
        """#

    static let cases = [
        #"{"id": "look", "input": {"order": "A1"}, "expected": {"tool_calls": [{"name": "lookup_order", "arguments": {"order_id": "A1"}}]}}"#,
        #"{"id": "refund", "input": {"order": "B2", "refund": 10}, "expected": {"tool_calls": [{"name": "lookup_order"}, {"name": "refund", "arguments": {"order_id": "B2", "amount": 10}}]}}"#,
        #"{"id": "nocall", "input": {"order": "C3"}, "expected": {"tool_calls": []}}"#,
    ]

    func project() throws -> (ScratchRepository, () -> Int) {
        let repo = try ScratchRepository()
        let counter = repo.path(".git/requests.log")
        try repo.write("agent/model.py", Self.agent(counter: counter))
        try repo.write("agent/tools.json", Self.tools)
        try repo.write(".evals/.gitignore", "results/\n")
        try repo.write(".evals/cases/orders.jsonl", Self.cases.joined(separator: "\n") + "\n")
        try repo.write(
            ".evals/evalguard.json",
            """
            {
              "model": {"command": ["python3", "agent/model.py"], "jobs": 1, "inputs": ["agent/model.py"],
                        "tools": {"file": "agent/tools.json"}},
              "suites": {"orders": {"cases": "cases/orders.jsonl", "scorer": {"type": "tool-call", "order": "exact"}}},
              "thresholds": {"p95_latency_ms": false}
            }
            """)
        try repo.commitAll("agent")
        let requests = { (try? String(contentsOfFile: counter, encoding: .utf8))?.split(separator: "\n").count ?? 0 }
        return (repo, requests)
    }

    func stored(_ repo: ScratchRepository) throws -> [String: CaseResult] {
        let result = try JSONDecoder().decode(
            RunResult.self, from: Data(repo.read(".evals/results/\(repo.head).json")!.utf8))
        return Dictionary(uniqueKeysWithValues: result.suites[0].cases.map { ($0.id, $0) })
    }

    @Test func reasonsCountsAndReuse() throws {
        let (repo, requests) = try project()
        let run = repo.evalguard("run")
        #expect(run.status == 0, "\(run.stderr)")
        var cases = try stored(repo)
        #expect(cases["look"]?.passed == true && cases["refund"]?.passed == true)
        #expect(cases["nocall"]?.passed == false)
        #expect(cases["nocall"]?.reason == #"extra call 1: lookup_order({"order_id":"C3"})"#)
        #expect(
            cases["refund"]?.toolCallCount == 2 && cases["look"]?.toolCallCount == 1 && cases["look"]?.stepCount == nil)
        #expect(requests() == 3)

        // A new expected answer re-scores the stored answers; the model is not asked.
        try repo.write(
            ".evals/cases/orders.jsonl",
            Self.cases.joined(separator: "\n").replacingOccurrences(
                of: #""tool_calls": []"#, with: #""tool_calls": [{"name": "lookup_order"}]"#) + "\n")
        try repo.commitAll("lookups are fine")
        let again = repo.evalguard("run")
        #expect(again.status == 0, "\(again.stderr)")
        cases = try stored(repo)
        #expect(cases.values.allSatisfy { $0.passed })
        #expect(cases["refund"]?.toolCallCount == 2, "the counts survive reuse")
        #expect(requests() == 3)

        // A tool's schema now refuses the amount: the call fails with the path that broke it.
        try repo.write(
            "agent/tools.json", Self.tools.replacingOccurrences(of: #""maximum": 100"#, with: #""maximum": 5"#))
        try repo.commitAll("small refunds only")
        #expect(repo.evalguard("run").status == 0)
        cases = try stored(repo)
        #expect(cases["refund"]?.passed == false)
        #expect(
            cases["refund"]?.reason
                == "call 2 refund: its arguments do not fit the tool's parameters: /amount: maximum: 10 is greater than 5"
        )
    }

    @Test func aBadExpectedCallNamesTheCaseLine() throws {
        let (repo, requests) = try project()
        try repo.write(
            ".evals/cases/orders.jsonl",
            Self.cases[0] + "\n"
                + #"{"id": "bad", "input": {"order": "X"}, "expected": {"tool_calls": [{"tool": "lookup_order"}]}}"#
                + "\n")
        let run = repo.evalguard("run")
        #expect(run.status == 2)
        #expect(
            run.stderr.contains(
                #".evals/cases/orders.jsonl:2: case bad: expected.tool_calls[0] must be an object with "name""#),
            "\(run.stderr)")
        #expect(requests() == 0)
    }

    @Test func badToolsNameTheirFileAndLine() throws {
        let (repo, requests) = try project()
        try repo.write(
            "agent/tools.json",
            "[\n  {\"type\": \"function\", \"function\": {\"name\": \"lookup_order\",\n    \"parameters\": {\"type\": \"object\", \"required\": \"order_id\"}}}\n]\n"
        )
        let run = repo.evalguard("run")
        #expect(run.status == 2)
        #expect(run.stderr.contains("agent/tools.json:3"), "\(run.stderr)")
        #expect(run.stderr.contains("required must be an array of strings"), "\(run.stderr)")
        try repo.write("agent/tools.json", "[\n  {\"type\": \"function\", \"name\": \"lookup_order\"}\n]\n")
        let flat = repo.evalguard("run")
        #expect(flat.status == 2)
        #expect(
            flat.stderr.contains(#"agent/tools.json:2: [0]: a tool must be {"type": "function", "function""#),
            "\(flat.stderr)")
        try FileManager.default.removeItem(atPath: repo.path("agent/tools.json"))
        let missing = repo.evalguard("run")
        #expect(missing.status == 2)
        #expect(
            missing.stderr.contains(
                ".evals/evalguard.json:3: model.tools.file: the tools file agent/tools.json does not exist"),
            "\(missing.stderr)")
        #expect(requests() == 0)
    }
}
