import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardSupport

/// `check` settling an inconclusive accuracy verdict: only the cases that differ from the
/// baseline are asked again, each on the side that failed it (the baseline's model too, run from
/// its commit), counted by the models themselves.
@Suite struct SettleCommandTests {
    static let planted = (0..<8).map { "c\($0)" } // broken for good: the falls persist
    static let noise = (10..<12).map { "c\($0)" } // wrong the first time only: they revert
    static let baselineNoise = (50..<56).map { "c\($0)" } // wrong in the baseline's first run only: the rises revert

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

    /// 100 cases and a committed baseline recorded by the baseline's model (which logs to
    /// `baselineLog` and fails `baselineNoise` the first time only); `log` is the current model's.
    func repository(extraConfig: String = "") throws -> (repo: ScratchRepository, log: String, baselineLog: String) {
        let repo = try ScratchRepository()
        let log = repo.root + "/requests.log"
        let baselineLog = repo.root + "/baseline.log"
        try repo.setUpEvals(
            model: Self.model(log: baselineLog, wrong: [], firstOnly: Self.baselineNoise),
            cases: (0..<100).map { caseLine("c\($0)", "c\($0)") },
            extraConfig: "\"thresholds\": {\"p95_latency_ms\": false}" + extraConfig)
        try repo.write(".gitignore", "*.log\n")
        try repo.commitAll("evals")
        #expect(repo.evalguard("baseline").status == 0)
        try repo.commitAll("baseline")
        #expect(requests(baselineLog).count == 100)
        return (repo, log, baselineLog)
    }

    @Test func checkReasksOnlyTheFlippedCasesAndSettlesARegression() throws {
        let (repo, log, baselineLog) = try repository(extraConfig: ", \"settle\": {\"max_repeats\": 5}")
        try repo.write("model.py", Self.model(log: log, wrong: Self.planted, firstOnly: Self.noise))

        // First stage alone: 10 fell, 6 rose (p 0.23): inconclusive, and nothing asked again.
        let plain = repo.evalguard("check", "--no-settle", "--format", "json")
        #expect(plain.status == 0, "\(plain.stderr)")
        #expect(
            plain.stdout.contains("\"verdict\" : \"inconclusive\"")
                || plain.stdout.contains("\"verdict\": \"inconclusive\""))
        #expect(requests(log).count == 100)

        // Settled: the stored first stage is reused; only the 16 flipped cases are asked again.
        let settled = repo.evalguard("check", "--format", "json")
        #expect(settled.status == 1, "\(settled.stdout)\n\(settled.stderr)")
        let current = Array(requests(log).dropFirst(100))
        let baseline = Array(requests(baselineLog).dropFirst(100))
        #expect(Set(current) == Set(Self.planted + Self.noise))
        #expect(Set(baseline) == Set(Self.planted + Self.baselineNoise))
        // Falls: the current model until two failures agree, then the baseline's once; the current
        // side's noise once; the rises on the baseline's model, once each.
        #expect(current.count == 8 * 2 + 2)
        #expect(baseline.count == 8 + 6)
        #expect(
            settled.stderr.contains(
                "settled by re-asking 16 case(s), 32 extra model call(s) (14 of them of the baseline's model)"),
            "\(settled.stderr)")
        let doc = try JSONParser.parse(settled.stdout)
        let accuracy = doc["suites"]?["main"]?["metrics"]?["accuracy"]
        let settle = accuracy?["settle"]
        #expect(settle?["extra_model_calls"]?.numberValue == 32)
        #expect(settle?["persisted_worse"]?.numberValue == 8 && settle?["persisted_better"]?.numberValue == 0)
        #expect(settle?["baseline_model_asked"]?.boolValue == true)
        #expect(settle?["persisting_drop"]?.numberValue == 0.08)
        #expect(accuracy?["verdict"]?.stringValue == "regression")

        // The re-asks are stored: the current side's as extra runs beside the first answer, the
        // baseline model's under the baseline's commit.
        let stored = try JSONParser.parse(repo.read(".evals/results/\(repo.head).json") ?? "")
        let suite = stored["suites"]?.arrayValue?.first
        let c0 = suite?["cases"]?.arrayValue?.first { $0["id"]?.stringValue == "c0" }
        #expect(
            c0?["runs"]?.numberValue == 3 && c0?["settled_runs"]?.numberValue == 2 && c0?["passes"]?.numberValue == 0)
        #expect(suite?["baseline_reasks"]?["cases"]?["c0"]?["runs"]?.numberValue == 1)
        #expect(suite?["baseline_reasks"]?["commit"]?.stringValue?.count == 40)

        // Checking again reads the stored evidence: no model call, the same verdict and report.
        let third = repo.evalguard("check")
        #expect(third.status == 1)
        #expect(requests(log).count == 118 && requests(baselineLog).count == 114)
        #expect(third.stdout.contains("settled by re-asking 16 flipped case(s)"), "\(third.stdout)")
    }

    /// The same change pushed through the installed pre-push hook to a bare remote, and checked
    /// by `evalguard ci` on a feature branch: both settle it the same way, and both block.
    @Test func theHookAndCISettleTheSameWay() throws {
        let (repo, log, baselineLog) = try repository()
        let remote = NSTemporaryDirectory() + "evalguard-settle-remote-\(UUID().uuidString).git"
        defer { try? FileManager.default.removeItem(atPath: remote) }
        try Shell.run(["git", "init", "-q", "--bare", "-b", "main", remote])
        try repo.git("remote", "add", "origin", remote)
        try repo.git("push", "-q", "--no-verify", "-u", "origin", "main")
        #expect(try runBinary(["install-hook"], in: repo.root).status == 0)

        // ci on a feature branch: the model runs once, then the 16 flipped cases are settled.
        try repo.git("checkout", "-q", "-b", "feature")
        try repo.write("model.py", Self.model(log: log, wrong: Self.planted, firstOnly: Self.noise))
        try repo.commitAll("a cheaper model")
        let ci = repo.evalguard("ci", "--no-fetch", "--base", "main")
        #expect(ci.status == 1, "\(ci.stdout)\n\(ci.stderr)")
        #expect(ci.stdout.contains("accuracy: settled by re-asking 16 flipped case(s)"), "\(ci.stdout)")
        #expect(requests(log).count == 100 + 18 && requests(baselineLog).count == 100 + 14)

        // The hook: the pushed commit's stored result and its re-asks are read, nothing is asked,
        // and the push is blocked; the remote keeps its main.
        let before = try repo.git("rev-parse", "origin/main")
        let push = try Shell.run(["git", "push", "origin", "feature:main"], in: repo.root)
        #expect(push.status != 0, "\(push.stdout)\n\(push.stderr)")
        #expect((push.stdout + push.stderr).contains("settled by re-asking 16"), "\(push.stdout)\n\(push.stderr)")
        #expect(requests(log).count == 118 && requests(baselineLog).count == 114)
        let remoteMain = try Shell.run(["git", "rev-parse", "main"], in: remote).stdout
        #expect(
            remoteMain.trimmingCharacters(in: .whitespacesAndNewlines)
                == before.trimmingCharacters(in: .whitespacesAndNewlines))

        // Another commit with the same drop, never checked: the hook settles it on its own.
        try repo.git("checkout", "-q", "main")
        try repo.git("checkout", "-q", "-b", "feature2")
        try repo.write("model.py", Self.model(log: log, wrong: Self.planted, firstOnly: []))
        try repo.commitAll("the same cheaper model")
        let (c0, b0) = (requests(log).count, requests(baselineLog).count)
        let second = try Shell.run(["git", "push", "origin", "feature2:main"], in: repo.root)
        #expect(second.status != 0, "\(second.stdout)\n\(second.stderr)")
        #expect((second.stdout + second.stderr).contains("settled by re-asking"), "\(second.stderr)")
        #expect(requests(log).count > c0 + 100 && requests(baselineLog).count > b0, "the hook asked both models again")
    }
}
