import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardCompare
@testable import EvalGuardConfig
@testable import EvalGuardReport
@testable import EvalGuardStore
@testable import EvalGuardSupport

/// `thresholds.avg_steps`: an agent that takes more steps per case is a regression beyond the
/// allowance, however right its answers stay; the figure is shown by `run` and in every form of
/// `check`'s verdict.
@Suite struct AgentStepsGateTests {
    /// An agent loop printed as `steps`: `lookup_order`, then `refund`, with `extra` lookups of
    /// its own in between.
    static func agent(extra: Int, counter: String? = nil) -> String {
        """
        import json, sys
        for line in sys.stdin:
            r = json.loads(line)
            \(counter.map { "open(\(JSONValue.string($0).canonicalText), 'a').write('request\\n')" } ?? "")
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
        try repo.write(
            ".evals/cases/refunds.jsonl",
            (1...6).map {
                #"{"id": "r\#($0)", "input": "A\#($0)", "expected": {"steps": ["lookup_order", "refund"]}}"#
            }.joined(separator: "\n") + "\n")
        try repo.write(
            ".evals/evalguard.json",
            """
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
        let row = check.stdout.split(separator: "\n").first { $0.contains("avg_steps") }.map {
            $0.split(separator: " ")
        }
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

    /// New expected steps re-score the stored answers: the agent is not asked again.
    @Test func newExpectedStepsReScoreWithoutTheModel() throws {
        let repo = try ScratchRepository()
        let counter = repo.path(".git/requests.log")
        try repo.write("agent.py", Self.agent(extra: 1, counter: counter))
        try repo.write(".evals/.gitignore", "results/\n")
        let cases = { (steps: String) in
            (1...3).map { #"{"id": "r\#($0)", "input": "A\#($0)", "expected": {"steps": \#(steps)}}"# }.joined(
                separator: "\n") + "\n"
        }
        try repo.write(".evals/cases/refunds.jsonl", cases(#"["lookup_order", "refund"]"#))
        try repo.write(
            ".evals/evalguard.json",
            """
            {"model": {"command": ["python3", "agent.py"], "jobs": 1},
             "suites": {"refunds": {"cases": "cases/refunds.jsonl", "scorer": {"type": "trajectory", "match": "exact"}}},
             "thresholds": {"p95_latency_ms": false}}
            """)
        try repo.commitAll("agent")
        #expect(repo.evalguard("run").status == 0)
        let requests = { (try? String(contentsOfFile: counter, encoding: .utf8))?.split(separator: "\n").count ?? 0 }
        #expect(requests() == 3)
        var result = try JSONParser.parse(repo.read(".evals/results/\(repo.head).json")!)
        var first = result["suites"]?.arrayValue?.first?["cases"]?.arrayValue?.first
        #expect(first?["passed"] == .bool(false))
        #expect(first?["reason"] == .string("step 2: expected refund, found lookup_order"))
        #expect(first?["step_count"] == .number(3))

        try repo.write(
            ".evals/cases/refunds.jsonl",
            cases(#"["lookup_order", "lookup_order", {"name": "refund", "arguments": {"amount": 10}}]"#))
        try repo.commitAll("two lookups are right")
        #expect(repo.evalguard("run").status == 0)
        #expect(requests() == 3, "re-scored from the stored answers")
        result = try JSONParser.parse(repo.read(".evals/results/\(repo.head).json")!)
        first = result["suites"]?.arrayValue?.first?["cases"]?.arrayValue?.first
        #expect(first?["passed"] == .bool(true) && first?["step_count"] == .number(3))
        #expect(result["suites"]?.arrayValue?.first?["reuse"]?["rescored"] == .number(3))
    }

    @Test func thresholdKeysAreChecked() throws {
        let repo = try project(threshold: #"{"max_increase_pct": 50}"#)
        try repo.write(
            ".evals/evalguard.json",
            repo.read(".evals/evalguard.json")!.replacingOccurrences(of: "max_increase_pct", with: "max_increase"))
        let check = repo.evalguard("check")
        #expect(check.status == 2)
        #expect(
            check.stderr.contains("thresholds.avg_steps.max_increase: unknown key 'max_increase'"), "\(check.stderr)")
    }
}

/// The avg_steps rule in-process: the point rule with its floor, the row only for agent suites,
/// and the JUnit testcase it makes.
@Suite struct AgentStepsRuleTests {
    static func suite(steps: [Int?]) -> SuiteResult {
        let cases = steps.enumerated().map { i, s in
            var c = CaseResult(id: "c\(i)", passed: true, score: 1, latencyMs: 10)
            c.stepCount = s
            c.toolCallCount = s
            return c
        }
        return SuiteResult(
            name: "main", casesFile: ".evals/cases/main.jsonl", casesDigest: "", scorer: "trajectory",
            metrics: Metrics(cases), cases: cases)
    }

    func compare(_ before: [Int?], _ after: [Int?], _ threshold: String) throws -> Comparison {
        let config = try GateInputs.config(
            """
            {"model": {"command": ["true"]}, "suites": {"main": {"cases": "cases/main.jsonl"}},
             "thresholds": {"p95_latency_ms": false, "avg_cost_usd": false\(threshold.isEmpty ? "" : ", \"avg_steps\": " + threshold)}}
            """)
        return Gate.compare(
            baseline: Baseline(result: GateInputs.run([Self.suite(steps: before)])),
            current: GateInputs.run([Self.suite(steps: after)]), config: config)
    }

    @Test func pointRuleWithFloor() throws {
        let doubled = try compare([2, 2], [4, 4], #"{"max_increase_pct": 50}"#)
        let row = try #require(doubled.suites[0].metrics.first { $0.metric == .avgSteps })
        #expect(row.verdict == .regression && row.baseline == 2 && row.current == 4)
        let junit = JUnitReport.xml(doubled)
        #expect(
            junit.contains(#"<testcase classname="evalguard.main" name="avg_steps""#)
                && junit.contains(#"<failure type="regression" message="avg_steps"#), "\(junit)")
        // Within a floor of 3 steps: a rise of 2 passes.
        #expect(
            try compare([2, 2], [4, 4], #"{"max_increase_pct": 50, "min_increase_steps": 3}"#).suites[0].metrics.first {
                $0.metric == .avgSteps
            }?.verdict == .pass)
        // A case without steps counts 0: the mean is over every answered case.
        #expect(
            try compare([2, nil], [2, 2], #"{"max_increase_pct": 50}"#).suites[0].metrics.first {
                $0.metric == .avgSteps
            }.map { $0.baseline == 1 && $0.verdict == .regression } == true)
        // Not written: shown, not gated.
        #expect(
            try compare([2, 2], [4, 4], "").suites[0].metrics.first { $0.metric == .avgSteps }?.verdict == .skipped)
    }

    /// A baseline agent that answered without calls took no steps: one that starts calling is gated.
    @Test func anAgentThatStartsCallingIsGated() throws {
        let started = try compare([nil, nil], [3, 3], #"{"max_increase_pct": 50}"#)
        let row = try #require(started.suites[0].metrics.first { $0.metric == .avgSteps })
        #expect(row.verdict == .regression && row.baseline == 0 && row.current == 3)
        #expect(
            try compare([2, 2], [nil, nil], #"{"max_increase_pct": 50}"#).suites[0].metrics.first {
                $0.metric == .avgSteps
            }?.verdict == .pass)
    }

    @Test func noRowForSuitesWithoutCalls() throws {
        #expect(
            try compare([nil, nil], [nil, nil], #"{"max_increase_pct": 50}"#).suites[0].metrics.allSatisfy {
                $0.metric != .avgSteps
            })
    }
}
