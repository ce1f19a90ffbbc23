import Foundation

@testable import EvalGuardEvaluation
@testable import EvalGuardGit
@testable import EvalGuardStore
@testable import EvalGuardSupport

/// A judged suite: a command model returns each case's reply as written, and the stand-in
/// server in `--judge` mode grades it (pass when the reply contains the expected text).
package final class JudgedSuiteFixture {
    package static let rubric =
        #"{"type": "judge", "judge": "grader", "rubric": "A good reply mentions what the customer needs."}"#

    package let server: OpenAITestServer
    package let repo: ScratchRepository
    package var evaluator: Evaluator { Evaluator(repository: try! Repository.discover(from: repo.root)) }

    /// Cases are replies the feature returns as written; `expected` is what a good reply mentions.
    package init(
        cases: [(String, String, String)], scorer: String, serverArguments: [String] = [],
        humans: [String: String] = [:]
    ) throws {
        server = try OpenAITestServer(["--judge"] + serverArguments)
        repo = try ScratchRepository()
        try repo.write("feature/reply.py", Self.feature(version: 1))
        try repo.write(
            ".evals/cases/replies.jsonl",
            cases.map { id, reply, expected in
                var c: [String: JSONValue] = [
                    "id": .string(id), "input": .object(["reply": .string(reply)]), "expected": .string(expected),
                ]
                if let human = humans[id] { c["human"] = .string(human) }
                return JSONValue.object(c).canonicalText
            }.joined(separator: "\n") + "\n")
        try repo.write(".evals/.gitignore", "results/\n")
        try writeConfig(scorer: scorer)
        try repo.commitAll("a judged feature")
    }

    /// The feature returns each case's reply; with `rewrite`, "Nothing." becomes a reply that
    /// mentions a refund and every other "refund" becomes "credit".
    package static func feature(version: Int, rewrite: Bool = false) -> String {
        """
        # version \(version)
        import json, sys
        for line in sys.stdin:
            r = json.loads(line)
            out = r["input"]["reply"]
            if \(rewrite ? "True" : "False"):
                out = {"Nothing.": "A refund is coming."}.get(out, out.replace("refund", "credit"))
            sys.stdout.write(json.dumps({"id": r["id"], "output": out}) + "\\n")
            sys.stdout.flush()
        """
    }

    package func writeConfig(scorer: String) throws {
        try repo.write(
            ".evals/evalguard.json",
            """
            {
              "models": {
                "feature": {"command": ["python3", "feature/reply.py"], "jobs": 2, "timeout_s": 10, "inputs": ["feature/**"]},
                "grader": {"provider": "openai", "base_url": "\(server.baseURL)", "model": "judge-1",
                           "messages": [{"role": "user", "content": "{{input}}"}], "retry_backoff_s": 0.01, "jobs": 4}
              },
              "suites": {"replies": {"cases": "cases/replies.jsonl", "model": "feature", "scorer": \(scorer)}},
              "thresholds": {"p95_latency_ms": false}
            }
            """)
    }

    package var judgeRequests: Int { (try? server.requests().count) ?? -1 }

    /// Evaluates the working tree; returns the judge requests it made and the suite's result.
    package func evaluate(fresh: Bool = false) throws -> (judged: Int, suite: SuiteResult) {
        let before = judgeRequests
        let result = try evaluator.evaluate(.workingTree, fresh: fresh).result
        return (judgeRequests - before, result.suites[0])
    }
}
