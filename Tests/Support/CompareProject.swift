import Foundation

@testable import EvalGuardSupport

/// `evalguard compare`'s project: variants of a command model over 200 cases. The current model
/// answers every case right at $0.01; "mini" gets the first 2 wrong at $0.001; "broken" the first
/// 100 at $0.002, and sleeps 20 ms a request. The model counts its requests by mode in a file.
package final class CompareProject {
    package let repo: ScratchRepository
    package let counter = NSTemporaryDirectory() + "evalguard-compare-\(UUID().uuidString).log"

    package init(variants: String = CompareProject.variants) throws {
        repo = try ScratchRepository()
        try repo.write(
            "model.py",
            """
            import json, sys, time
            mode = sys.argv[1] if len(sys.argv) > 1 else "good"
            wrong = {"good": 0, "mini": 2, "broken": 100}[mode]
            cost = {"good": 0.01, "mini": 0.001, "broken": 0.002}[mode]
            for line in sys.stdin:
                r = json.loads(line)
                open(\(JSONValue.string(counter).canonicalText), "a").write(mode + "\\n")
                if mode == "broken":
                    time.sleep(0.02)
                out = "wrong <b>\\u001b[31m</pre><script>window.evalguardInjected=1</script><img src=x onerror='window.evalguardInjected=1'>" if int(r["input"].split()[1]) < wrong else r["input"]
                sys.stdout.write(json.dumps({"id": r["id"], "output": out, "cost_usd": cost,
                                             "usage": {"prompt_tokens": 10, "completion_tokens": 5}}) + "\\n")
                sys.stdout.flush()
            """)
        try repo.write(
            ".evals/cases/main.jsonl", (0..<200).map { caseLine("c\($0)", "case \($0)") }.joined(separator: "\n") + "\n"
        )
        try repo.write(".evals/.gitignore", "results/\n")
        try repo.write(
            ".evals/evalguard.json",
            """
            {
              // The model in production.
              "models": {"answerer": {"command": ["python3", "model.py"], "jobs": 2, "timeout_s": 10}},
              "suites": {"main": {"cases": "cases/main.jsonl", "model": "answerer", "scorer": "exact"}},
              "thresholds": {"p95_latency_ms": false},
              "variants": \(variants)
            }
            """)
        try repo.commitAll("a model and two candidates")
    }

    package static let variants = """
        {
                "mini": {"models": {"answerer": {"command": ["python3", "model.py", "mini"]}}},
                "broken": {"models": {"answerer": {"command": ["python3", "model.py", "broken"]}}}
              }
        """

    deinit { try? FileManager.default.removeItem(atPath: counter) }

    /// Requests each mode got so far.
    package func requests() -> [String: Int] {
        let text = (try? String(contentsOfFile: counter, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").reduce(into: [:]) { $0[String($1), default: 0] += 1 }
    }

    package func json(_ invocation: Invocation) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(invocation.stdout.utf8))
    }
}
