import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardSupport

/// A close call in compare is settled as check settles it: the current model fails cases 6 and
/// 7 the first time it is asked, a variant fails cases 0 to 5 every time; over 20 cases the first
/// answers are inconclusive (one-sided McNemar p = P(X >= 6 | Bin(8, 1/2)) = 37/256). Asking
/// again, each flipped case on the side that failed it (the variant, and the current result's
/// commit in an isolated checkout), shows the variant's 6 failures persist and the current
/// model's 2 do not: a regression, as check would find it. The settled runs are stored with
/// the variant's answers, so another compare asks nothing.
@Suite(.serialized) struct CompareSettlingTests {
    /// The project: suite `main` (and, with `other`, a second suite over the same cases), the
    /// steady model and the flaky variant; `log` records each request as "<mode> <case id>".
    func project(log: String, other: Bool = false) throws -> ScratchRepository {
        let repo = try ScratchRepository()
        try repo.write(
            "model.py",
            """
            import json, os, sys
            mode = sys.argv[1] if len(sys.argv) > 1 else "steady"
            for line in sys.stdin:
                r = json.loads(line)
                seen = open(\(JSONValue.string(log).canonicalText)).read().split("\\n") if os.path.exists(\(JSONValue.string(log).canonicalText)) else []
                first = (mode + " " + r["id"]) not in seen
                open(\(JSONValue.string(log).canonicalText), "a").write(mode + " " + r["id"] + "\\n")
                n = int(r["input"].split()[1])
                out = "wrong" if (n < 6 if mode == "flaky" else n in (6, 7) and first) else r["input"]
                sys.stdout.write(json.dumps({"id": r["id"], "output": out}) + "\\n")
                sys.stdout.flush()
            """)
        try repo.write(
            ".evals/cases/main.jsonl", (0..<20).map { caseLine("c\($0)", "case \($0)") }.joined(separator: "\n") + "\n")
        try repo.write(".evals/.gitignore", "results/\n")
        try repo.write(
            ".evals/evalguard.json",
            """
            {
              "models": {"m": {"command": ["python3", "model.py"], "jobs": 1, "timeout_s": 10}},
              "suites": {"main": {"cases": "cases/main.jsonl", "model": "m"}\(other ? #", "other": {"cases": "cases/main.jsonl", "model": "m"}"# : "")},
              "thresholds": {"p95_latency_ms": false, "avg_cost_usd": false},
              "variants": {"flaky": {"models": {"m": {"command": ["python3", "model.py", "flaky"]}}}}
            }
            """)
        try repo.commitAll("a model and a flaky candidate")
        return repo
    }

    @Test func aCloseCallIsSettledByReaskingTheVariantsFlippedCases() throws {
        let log = NSTemporaryDirectory() + "evalguard-settle-\(UUID().uuidString).log"
        defer { try? FileManager.default.removeItem(atPath: log) }
        let repo = try project(log: log)
        func requests(_ mode: String) -> Int {
            ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").count {
                $0.hasPrefix(mode + " ")
            }
        }
        func flakyRequests() -> Int { requests("flaky") }
        let unsettled = repo.evalguard("compare", "--no-settle", "--format", "json")
        #expect(unsettled.status == 0, "\(unsettled.stderr)")
        let first = try JSONDecoder().decode(JSONValue.self, from: Data(unsettled.stdout.utf8))
        let before = try #require(first["suites"]?.arrayValue?.first?["candidates"]?.arrayValue?.first)
        #expect(before["check_verdict"] == .string("inconclusive"))
        #expect(flakyRequests() == 20)

        let settling = repo.evalguard("compare", "--format", "json")
        #expect(settling.status == 0, "\(settling.stderr)")
        #expect(settling.stderr.contains("flaky: settled by asking 8 flipped case(s) again"))
        let report = try JSONDecoder().decode(JSONValue.self, from: Data(settling.stdout.utf8))
        let after = try #require(report["suites"]?.arrayValue?.first?["candidates"]?.arrayValue?.first)
        #expect(after["check_verdict"] == .string("regression"))
        #expect(after["settled"]?["persisted_worse"] == .number(6))
        #expect(
            after["worse"] == .number(6) && after["better"] == .number(2), "the paired test reads the first answers")
        #expect(after["settled"]?["persisted_better"] == .number(0))
        let asked = flakyRequests()
        let current = requests("steady")
        #expect(asked > 20)
        #expect(current > 20, "the current model was asked about the cases it failed")

        let again = repo.evalguard("compare", "--format", "json")
        #expect(again.status == 0, "\(again.stderr)")
        #expect(
            flakyRequests() == asked && requests("steady") == current,
            "the re-asks of both sides are stored with the variant's answers")
    }

    /// Settling under `--suite` keeps the variant's answers without making them its whole
    /// result: a later compare still evaluates the variant on every suite.
    @Test func aSettledCompareOfOneSuiteLeavesTheOtherSuitesToTheNextCompare() throws {
        let log = NSTemporaryDirectory() + "evalguard-settle-\(UUID().uuidString).log"
        defer { try? FileManager.default.removeItem(atPath: log) }
        let repo = try project(log: log, other: true)
        let one = repo.evalguard("compare", "--suite", "main")
        #expect(one.status == 0 && one.stderr.contains("flaky: settled by asking"), "\(one.stderr)")
        let all = repo.evalguard("compare", "--no-settle", "--format", "json")
        #expect(all.status == 0, "\(all.stderr)")
        let suites = try JSONParser.parse(all.stdout)["suites"]?.arrayValue ?? []
        let other = try #require(suites.first { $0["name"] == .string("other") })
        #expect(other["candidates"]?.arrayValue?.first?["name"] == .string("flaky"), "\(all.stdout)")
    }
}
