import Foundation

@testable import EvalGuardConfig
@testable import EvalGuardEvaluation
@testable import EvalGuardGit
@testable import EvalGuardStore
@testable import EvalGuardSupport

/// Two features in one repository: an LLM router (the openai provider, against the counting
/// test server, with its system prompt in a file) and a keyword classifier (a command model that
/// counts its own requests).
package final class PerSuiteReuseFixture {
    package let server: OpenAITestServer
    package let repo: ScratchRepository
    package let counter: String
    package var evaluator: Evaluator { Evaluator(repository: try! Repository.discover(from: repo.root)) }

    package init(routerCases: Int = 6, priorityCases: Int = 4) throws {
        server = try OpenAITestServer()
        repo = try ScratchRepository()
        counter = NSTemporaryDirectory() + "evalguard-priority-\(UUID().uuidString).log"
        try repo.write("prompts/router_system.txt", "Route the ticket to a team.\n")
        try repo.write("classifier/keywords.json", #"["outage", "down"]"#)
        try repo.write(
            "classifier/model.py",
            """
            import json, sys
            words = json.load(open("classifier/keywords.json"))
            for line in sys.stdin:
                r = json.loads(line)
                open(\(JSONValue.string(counter).canonicalText), "a").write("request\\n")
                out = "high" if any(w in r["input"] for w in words) else "low"
                sys.stdout.write(json.dumps({"id": r["id"], "output": out}) + "\\n")
                sys.stdout.flush()
            """)
        try writeConfig()
        try repo.write(
            ".evals/cases/router.jsonl",
            (0..<routerCases).map { caseLine("r\($0)", "ticket \($0)") }.joined(separator: "\n") + "\n")
        try repo.write(
            ".evals/cases/priority.jsonl",
            (0..<priorityCases).map {
                caseLine("p\($0)", $0 % 2 == 0 ? "site down \($0)" : "question \($0)", $0 % 2 == 0 ? "high" : "low")
            }.joined(separator: "\n") + "\n")
        try repo.write(
            ".evals/prices.json", #"{"gpt-4o-mini": {"input_per_million": 0.15, "output_per_million": 0.60}}"#)
        try repo.write(".evals/.gitignore", "results/\n")
        try repo.commitAll("two features")
    }

    deinit { try? FileManager.default.removeItem(atPath: counter) }

    package func writeConfig(comment: String = "", accuracyDrop: Double = 0.01, priorityScorer: String = "exact") throws
    {
        try repo.write(
            ".evals/evalguard.json",
            """
            {
              // Two features. \(comment)
              "models": {
                "router": {"provider": "openai", "base_url": "\(server.baseURL)", "model": "gpt-4o-mini",
                           "messages": [{"role": "system", "content": {"file": "prompts/router_system.txt"}},
                                        {"role": "user", "content": "{{input}}"}],
                           "retry_backoff_s": 0.01, "jobs": 4, "inputs": ["prompts/**"]},
                "priority": {"command": ["python3", "classifier/model.py"], "jobs": 2, "timeout_s": 10, "inputs": ["classifier/**"]}
              },
              "suites": {
                "router": {"cases": "cases/router.jsonl", "model": "router", "scorer": "exact"},
                "priority": {"cases": "cases/priority.jsonl", "model": "priority", "scorer": "\(priorityScorer)"}
              },
              "thresholds": {"p95_latency_ms": false, "accuracy": {"max_drop": \(accuracyDrop)}}
            }
            """)
    }

    package var httpRequests: Int { (try? server.requests().count) ?? -1 }
    package var commandRequests: Int {
        ((try? String(contentsOfFile: counter, encoding: .utf8)) ?? "").split(separator: "\n").count
    }

    /// Commits the working tree and evaluates it; returns the requests each model got.
    package func commitAndEvaluate(_ message: String, subject: ((String) -> EvaluationSubject)? = nil) throws -> (
        http: Int, command: Int, result: RunResult
    ) {
        try repo.commitAll(message)
        let (h, c) = (httpRequests, commandRequests)
        let e = try evaluator.evaluate(subject?(repo.head) ?? .workingTree)
        return (httpRequests - h, commandRequests - c, e.result)
    }
}
