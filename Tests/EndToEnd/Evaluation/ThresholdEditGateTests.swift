import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardSupport

/// `check` after a threshold edit gates on the new threshold with the stored answers taken whole:
/// no case planned, no model asked (`EVALGUARD_TRACE=plan`, one process per command).
@Suite struct ThresholdEditGateTests {
    static let environment = [
        "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
        "HOME": ProcessInfo.processInfo.environment["HOME"] ?? "/root", "EVALGUARD_TRACE": "plan",
    ]

    static func planned(_ stderr: String) -> String? {
        stderr.split(separator: "\n").last { $0.hasPrefix("trace: planned") }.map(String.init)
    }

    /// Echoes its input, but answers q1...q10 wrongly; writes a line to `counter` per request.
    static func model(counter: String) -> String {
        """
        import json, sys
        for line in sys.stdin:
            r = json.loads(line)
            open(\(JSONValue.string(counter).canonicalText), "a").write("request\\n")
            out = "wrong" if r["input"] in ["q%d" % i for i in range(1, 11)] else r["input"]
            sys.stdout.write(json.dumps({"id": r["id"], "output": out}) + "\\n")
            sys.stdout.flush()
        """
    }

    @Test func aThresholdEditRegatesOnTheNewThresholdWithoutPlanningOrAskingTheModel() throws {
        let repo = try ScratchRepository()
        let counter = repo.root + "-requests.log"
        defer { try? FileManager.default.removeItem(atPath: counter) }
        func requests() -> Int {
            ((try? String(contentsOfFile: counter, encoding: .utf8)) ?? "").split(separator: "\n").count
        }
        let lenient = "\"thresholds\": {\"p95_latency_ms\": false, \"accuracy\": {\"max_drop\": 0.5}}"
        try repo.setUpEvals(model: Models.echo(), cases: (1...30).map { caseLine("c\($0)", "q\($0)") })
        try repo.commitAll("Add evals")
        #expect(repo.evalguard("baseline").status == 0)
        try repo.commitAll("Record the baseline")
        let config = try #require(repo.read(".evals/evalguard.json"))
        try repo.write("model.py", Self.model(counter: counter))
        try repo.write(
            ".evals/evalguard.json",
            config.replacingOccurrences(of: "\"thresholds\": {\"p95_latency_ms\": false}", with: lenient))
        try repo.commitAll("A worse model, a lenient threshold")
        let first = try runBinary(["check"], in: repo.root, environment: Self.environment)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(requests() == 30)
        #expect(Self.planned(first.stderr) == "trace: planned 30 case(s), took 0 suite(s) whole", "\(first.stderr)")

        try repo.write(".evals/evalguard.json", config)
        try repo.commitAll("The default threshold")
        let strict = try runBinary(["check"], in: repo.root, environment: Self.environment)
        #expect(strict.status == 1, "the new threshold decides: \(strict.stdout)")
        #expect(requests() == 30, "no model was asked")
        #expect(Self.planned(strict.stderr) == "trace: planned 0 case(s), took 1 suite(s) whole", "\(strict.stderr)")
    }
}
