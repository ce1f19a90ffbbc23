import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardSupport

/// `max_cost_usd` / `--max-cost` with command models: what their answers report as `cost_usd`
/// counts, a judge's spend counts with the model's, and a command model that reports no cost
/// is refused under a limit, named with its suite.
@Suite struct CommandModelCostLimitTests {
    /// Echoes each input, logging its id to `log`; reports `cost` per answer when given.
    static func model(log: String, cost: Double?) -> String {
        """
        import json, sys
        for line in sys.stdin:
            r = json.loads(line)
            open(\(JSONValue.string(log).canonicalText), "a").write(r["id"] + "\\n")
            reply = {"id": r["id"], "output": r["input"]}
            \(cost.map { "reply[\"cost_usd\"] = \($0)" } ?? "pass")
            sys.stdout.write(json.dumps(reply) + "\\n")
            sys.stdout.flush()
        """
    }

    func lines(_ path: String) -> Int {
        (FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) } ?? "").split(
            separator: "\n"
        ).count
    }

    func project(cost: Double?, judgeCost: Double? = nil) throws -> (ScratchRepository, log: String, judgeLog: String) {
        let repo = try ScratchRepository()
        let log = repo.root + "/model.log"
        let judgeLog = repo.root + "/judge.log"
        let judged = judgeCost != nil
        try repo.setUpEvals(
            model: Self.model(log: log, cost: cost), cases: (1...10).map { caseLine("c\($0)", "q\($0)", "q\($0)") },
            extraConfig: (judged ? #""models": {"grader": {"command": ["python3", "judge.py"]}},"# : "")
                + "\"thresholds\": {\"p95_latency_ms\": false}", modelConfig: ", \"jobs\": 1")
        if let judgeCost {
            try repo.write(
                "judge.py",
                """
                import json, sys
                for line in sys.stdin:
                    r = json.loads(line)
                    open(\(JSONValue.string(judgeLog).canonicalText), "a").write("graded\\n")
                    sys.stdout.write(json.dumps({"id": r["id"], "output": "GRADE: pass", "cost_usd": \(judgeCost)}) + "\\n")
                    sys.stdout.flush()
                """)
            let config = try String(contentsOfFile: repo.root + "/.evals/evalguard.json", encoding: .utf8)
            try repo.write(
                ".evals/evalguard.json",
                config.replacingOccurrences(of: "\"scorer\": \"exact\"", with: "\"scorer\": " + CommandJudge.scorer))
        }
        try repo.write(".gitignore", "*.log\n")
        try repo.commitAll("evals")
        return (repo, log, judgeLog)
    }

    @Test func aCommandModelThatReportsItsCostRunsUnderTheLimitAndStopsAtIt() throws {
        let (repo, log, _) = try project(cost: 0.0625)
        let stopped = repo.evalguard("run", "--max-cost", "0.2")
        #expect(stopped.status == 3, "\(stopped.stderr)")
        #expect(
            stopped.stderr.contains(
                "stopped before going over the cost limit of $0.2000: spent $0.1875 on 3 of 10 requests"),
            "\(stopped.stderr)")
        #expect(lines(log) == 3)
        let whole = repo.evalguard("run", "--max-cost", "1")
        #expect(whole.status == 0, "\(whole.stderr)")
    }

    @Test func aCommandModelThatReportsNoCostIsRefusedNamingItsSuite() throws {
        let (repo, log, _) = try project(cost: nil)
        let run = repo.evalguard("run", "--max-cost", "1")
        #expect(run.status == 2, "\(run.stderr)")
        #expect(
            run.stderr.contains("the model (model, suite 'main') answered case c1 without \"cost_usd\""),
            "\(run.stderr)")
        #expect(lines(log) == 1, "one answer tells")
        #expect(repo.evalguard("run").status == 0, "without a limit nothing needs counting")
    }

    @Test func aJudgesSpendCountsTowardTheLimit() throws {
        let (repo, _, judgeLog) = try project(cost: 0.0625, judgeCost: 0.0625)
        // The model's ten answers cost $0.625; the judge may spend the $0.3125 left, not more.
        let run = repo.evalguard("run", "--max-cost", "0.9375")
        #expect(run.status == 3, "\(run.stderr)")
        #expect(
            run.stderr.contains(
                "stopped before going over the cost limit of $0.9375: spent $0.9375 on 5 of 10 requests"),
            "\(run.stderr)")
        #expect(lines(judgeLog) == 5)
        #expect(repo.evalguard("run", "--max-cost", "1.25").status == 0, "$0.625 for the model, as much for the judge")
    }
}
