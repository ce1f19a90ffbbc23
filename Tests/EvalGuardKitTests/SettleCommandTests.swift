import Foundation
import Testing
@testable import EvalGuardSupport

/// `check` settling an inconclusive accuracy verdict through the command model: only the cases
/// that differ from the baseline are asked again, counted by the model itself.
@Suite struct SettleCommandTests {
    static let planted = (0..<6).map { "c\($0)" }      // broken for good: the flips persist
    static let noise = (10..<13).map { "c\($0)" }       // wrong the first time only: they revert
    static let fixed = (50..<56).map { "c\($0)" }       // wrong in the baseline, right now

    /// A model that logs every request's id to `log`, and answers wrong for `wrong` ids, and
    /// for `firstOnly` ids the first time each is asked.
    static func model(log: String, wrong: [String], firstOnly: [String]) -> String {
        func list(_ ids: [String]) -> String { JSONValue.array(ids.map(JSONValue.string)).canonicalText }
        return """
            import json, os, sys
            LOG = \(JSONValue.string(log).canonicalText)
            WRONG = set(\(list(wrong)))
            FIRST = set(\(list(firstOnly)))
            for line in sys.stdin:
                r = json.loads(line)
                seen = sum(1 for l in open(LOG) if l.strip() == r["id"]) if os.path.exists(LOG) else 0
                with open(LOG, "a") as f:
                    f.write(r["id"] + "\\n")
                bad = r["id"] in WRONG or (r["id"] in FIRST and seen == 0)
                sys.stdout.write(json.dumps({"id": r["id"], "output": "wrong" if bad else r["input"]}) + "\\n")
                sys.stdout.flush()
            """
    }

    func requests(_ log: String) -> [String] {
        (FileManager.default.contents(atPath: log).map { String(decoding: $0, as: UTF8.self) } ?? "")
            .split(separator: "\n").map(String.init)
    }

    @Test func checkReasksOnlyTheFlippedCasesAndSettlesARegression() throws {
        let repo = try ScratchRepository()
        let log = repo.root + "/requests.log"
        let baselineLog = repo.root + "/baseline.log"
        try repo.setUpEvals(model: Self.model(log: baselineLog, wrong: Self.fixed, firstOnly: []),
                            cases: (0..<100).map { caseLine("c\($0)", "c\($0)") },
                            extraConfig: "\"thresholds\": {\"p95_latency_ms\": false}, \"settle\": {\"max_repeats\": 5}")
        try repo.write(".gitignore", "*.log\n")
        try repo.commitAll("evals")
        #expect(repo.evalguard("baseline").status == 0)
        try repo.commitAll("baseline")
        try repo.write("model.py", Self.model(log: log, wrong: Self.planted, firstOnly: Self.noise))

        // First stage alone: 9 fell, 6 rose: inconclusive, and nothing asked again.
        let plain = repo.evalguard("check", "--no-settle", "--format", "json")
        #expect(plain.status == 0, "\(plain.stderr)")
        #expect(plain.stdout.contains("\"verdict\" : \"inconclusive\"") || plain.stdout.contains("\"verdict\": \"inconclusive\""))
        #expect(requests(log).count == 100)

        // Settled: the stored first stage is reused; only the 15 flipped cases are asked again.
        let settled = repo.evalguard("check", "--format", "json")
        #expect(settled.status == 1, "\(settled.stdout)\n\(settled.stderr)")
        let again = Array(requests(log).dropFirst(100))
        let flipped = Set(Self.planted + Self.noise + Self.fixed)
        #expect(Set(again).isSubset(of: flipped))
        #expect(Set(again) == flipped)
        // Persisting falls until two failures agree (2 each), reverting flips once, fixes once.
        #expect(again.count == 6 * 2 + 3 + 6)
        #expect(settled.stderr.contains("settled by re-asking 15 case(s), 21 extra model call(s)"), "\(settled.stderr)")
        let doc = try JSONParser.parse(settled.stdout)
        let settle = doc["suites"]?["main"]?["metrics"]?["accuracy"]?["settle"]
        #expect(settle?["extra_model_calls"]?.numberValue == 21)
        #expect(settle?["persisted_worse"]?.numberValue == 6)
        #expect(doc["suites"]?["main"]?["metrics"]?["accuracy"]?["verdict"]?.stringValue == "regression")

        // The re-asks are stored as extra runs beside the first answer.
        let stored = try JSONParser.parse(repo.read(".evals/results/\(repo.head).json") ?? "")
        let c0 = stored["suites"]?.arrayValue?.first?["cases"]?.arrayValue?.first { $0["id"]?.stringValue == "c0" }
        #expect(c0?["runs"]?.numberValue == 3 && c0?["settled_runs"]?.numberValue == 2 && c0?["passes"]?.numberValue == 0)

        // Checking again reads the stored evidence: no model call, the same verdict and report.
        let third = repo.evalguard("check")
        #expect(third.status == 1)
        #expect(requests(log).count == 121)
        #expect(third.stdout.contains("settled by re-asking 15 case(s), 21 extra model call(s)"), "\(third.stdout)")
    }
}
