import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardSupport

/// Judges work in variants: a variant of the feature's model is graded by the suite's judge, a
/// variant of the judge's rubric re-grades the stored answers without asking the feature, and a
/// second compare asks neither.
@Suite(.serialized) struct CompareJudgedVariantsTests {
    @Test func variantsAreJudgedAndTheirGradesReused() throws {
        let server = try OpenAITestServer(["--judge"])
        let repo = try ScratchRepository()
        let counter = NSTemporaryDirectory() + "evalguard-judged-\(UUID().uuidString).log"
        defer { try? FileManager.default.removeItem(atPath: counter) }
        try repo.write(
            "reply.py",
            """
            import json, sys
            mode = sys.argv[1] if len(sys.argv) > 1 else "full"
            for line in sys.stdin:
                r = json.loads(line)
                open(\(JSONValue.string(counter).canonicalText), "a").write(mode + "\\n")
                n = int(r["input"].split()[1])
                out = "ok" if mode == "terse" and n % 2 == 1 else "We will " + r["input"] + " today."
                sys.stdout.write(json.dumps({"id": r["id"], "output": out}) + "\\n")
                sys.stdout.flush()
            """)
        try repo.write(
            ".evals/cases/replies.jsonl",
            (0..<6).map { caseLine("r\($0)", "refund \($0)") }.joined(separator: "\n") + "\n")
        try repo.write(".evals/.gitignore", "results/\n")
        try repo.write(
            ".evals/evalguard.json",
            """
            {
              "models": {
                "feature": {"command": ["python3", "reply.py"], "timeout_s": 10},
                "grader": {"provider": "openai", "base_url": "\(server.baseURL)", "model": "judge-1", "retry_backoff_s": 0.01}
              },
              "suites": {"replies": {"cases": "cases/replies.jsonl", "model": "feature",
                                     "scorer": {"type": "judge", "judge": "grader", "rubric": "A good reply says what happens next."}}},
              "thresholds": {"p95_latency_ms": false},
              "variants": {
                "terse": {"models": {"feature": {"command": ["python3", "reply.py", "terse"]}}},
                "strict-rubric": {"suites": {"replies": {"scorer": {"rubric": "A good reply names the order."}}}}
              }
            }
            """)
        try repo.commitAll("a judged feature and two candidates")
        func feature() -> [String: Int] {
            ((try? String(contentsOfFile: counter, encoding: .utf8)) ?? "").split(separator: "\n").reduce(into: [:]) {
                $0[String($1), default: 0] += 1
            }
        }
        let first = repo.evalguard("compare", "--format", "json")
        #expect(first.status == 0, "\(first.stderr)")
        #expect(feature() == ["full": 6, "terse": 6], "the rubric's variant asks the feature nothing")
        let judged = try server.requests().count
        // Current's 6; terse's 3 new answers (its other 3 are current's, whose grades are cached by
        // judge and prompt); current's 6 again under the new rubric.
        #expect(judged == 15)
        let report = try JSONDecoder().decode(JSONValue.self, from: Data(first.stdout.utf8))
        let candidates = report["suites"]?.arrayValue?.first?["candidates"]?.arrayValue ?? []
        let terse = try #require(candidates.first { $0["name"] == .string("terse") })
        #expect(terse["accuracy"] == .number(0.5))
        #expect(terse["worse"] == .number(3))
        let strict = try #require(candidates.first { $0["name"] == .string("strict-rubric") })
        #expect(strict["accuracy"] == .number(1))

        let second = repo.evalguard("compare")
        #expect(second.status == 0, "\(second.stderr)")
        #expect(feature() == ["full": 6, "terse": 6])
        let again = try server.requests().count
        #expect(again == 15, "a second compare asks no model and no judge")
    }
}
