import Foundation
import Testing
@testable import EvalGuardConfig
@testable import EvalGuardSupport

/// `thresholds.avg_steps`: an agent that takes more steps per case is a regression beyond the
/// allowance, however right its answers stay; the figure is shown by `run` and in every form of
/// `check`'s verdict.
@Suite struct AgentStepsGateTests {
    /// An agent loop printed as `steps`: `lookup_order`, then `refund`, with `extra` lookups of
    /// its own in between.
    static func agent(extra: Int) -> String {
        """
        import json, sys
        for line in sys.stdin:
            r = json.loads(line)
            order = r["input"]
            steps = [{"name": "lookup_order", "arguments": {"order_id": order}, "result": {"total": 10}}]
            steps += [{"name": "lookup_order", "arguments": {"order_id": order}, "result": {"total": 10}}] * \(extra)
            steps.append({"name": "refund", "arguments": {"order_id": order, "amount": 10}, "result": {"ok": True}})
            out = {"content": "Refunded.", "tool_calls": [{"name": s["name"], "arguments": s["arguments"]} for s in steps], "steps": steps}
            sys.stdout.write(json.dumps({"id": r["id"], "output": out}) + "\\n")
            sys.stdout.flush()
        """
    }

    func project(threshold: String) throws -> ScratchRepository {
        let repo = try ScratchRepository()
        try repo.write("agent.py", Self.agent(extra: 0))
        try repo.write(".evals/.gitignore", "results/\n")
        try repo.write(".evals/cases/refunds.jsonl", (1...6).map {
            #"{"id": "r\#($0)", "input": "A\#($0)", "expected": {"steps": ["lookup_order", "refund"]}}"#
        }.joined(separator: "\n") + "\n")
        try repo.write(".evals/evalguard.json", """
            {
              "model": {"command": ["python3", "agent.py"], "jobs": 1},
              "suites": {"refunds": {"cases": "cases/refunds.jsonl", "scorer": "trajectory"}},
              "thresholds": {"p95_latency_ms": false, "avg_steps": \(threshold)}
            }
            """)
        try repo.commitAll("agent")
        let run = repo.evalguard("run")
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("refunds: 2 tool call(s) and 2 agent step(s) per case on average"), "\(run.stdout)")
        #expect(repo.evalguard("baseline").status == 0)
        try repo.commitAll("baseline")
        // The agent now looks the order up twice more: every case still passes.
        try repo.write("agent.py", Self.agent(extra: 2))
        return repo
    }

    @Test func anAgentThatDoubledItsStepsIsBlocked() throws {
        let repo = try project(threshold: #"{"max_increase_pct": 50}"#)
        let check = repo.evalguard("check")
        #expect(check.status == 1, "\(check.stdout)\(check.stderr)")
        #expect(check.stdout.contains("Verdict: REGRESSION (refunds avg_steps)"), "\(check.stdout)")
        let row = check.stdout.split(separator: "\n").first { $0.contains("avg_steps") }.map { $0.split(separator: " ") }
        #expect(row == ["refunds", "avg_steps", "2", "4", "+100.0%", "+50%", "-", "REGRESSION"], "\(check.stdout)")

        let json = try JSONParser.parse(repo.evalguard("check", "--format", "json").stdout)
        let metric = json["suites"]?["refunds"]?["metrics"]?["avg_steps"]
        #expect(metric?["verdict"] == .string("regression"), "\(String(describing: metric))")
        #expect(metric?["baseline"] == .number(2) && metric?["current"] == .number(4))
        #expect(repo.evalguard("check", "--format", "markdown").stdout.contains("| refunds | avg_steps |"))
    }

    @Test func withinTheThresholdItPasses() throws {
        let repo = try project(threshold: #"{"max_increase_pct": 150}"#)
        let check = repo.evalguard("check")
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        #expect(check.stdout.contains("avg_steps"), "\(check.stdout)")
    }

    @Test func thresholdKeysAreChecked() throws {
        let repo = try project(threshold: #"{"max_increase_pct": 50}"#)
        try repo.write(".evals/evalguard.json", repo.read(".evals/evalguard.json")!.replacingOccurrences(of: "max_increase_pct", with: "max_increase"))
        let check = repo.evalguard("check")
        #expect(check.status == 2)
        #expect(check.stderr.contains("thresholds.avg_steps.max_increase: unknown key 'max_increase'"), "\(check.stderr)")
    }
}
