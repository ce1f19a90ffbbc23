import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardSupport

/// Paths that ask a model about some cases again (settling an inconclusive drop, blame's partial
/// probes, `check --bisect`) score the answers as a run does: a judged suite's answers go to its judge.
@Suite(.serialized) struct JudgedSettlingTests {
    func lines(_ path: String) -> [String] {
        (FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) } ?? "").split(
            separator: "\n"
        ).map(String.init)
    }

    /// Makes the configuration's suite judged by `judge.py` (see `CommandJudge.script(log:)`).
    func judged(_ repo: ScratchRepository, judgeLog: String) throws {
        try repo.write("judge.py", CommandJudge.script(log: judgeLog))
        let config = try String(contentsOfFile: repo.root + "/.evals/evalguard.json", encoding: .utf8)
        try repo.write(
            ".evals/evalguard.json",
            config.replacingOccurrences(of: "\"scorer\": \"exact\"", with: "\"scorer\": " + CommandJudge.scorer))
    }

    @Test func anInconclusiveDropOnAJudgedSuiteSettles() throws {
        let repo = try ScratchRepository()
        let log = repo.root + "/requests.log"
        let baselineLog = repo.root + "/baseline.log"
        let judgeLog = repo.root + "/judge.log"
        try repo.setUpEvals(
            model: SettleCommandTests.model(log: baselineLog, wrong: [], firstOnly: SettleCommandTests.baselineNoise),
            cases: (0..<100).map { caseLine("c\($0)", "c\($0)") },
            extraConfig: CommandJudge.model
                + "\"thresholds\": {\"p95_latency_ms\": false}, \"settle\": {\"max_repeats\": 5}")
        try judged(repo, judgeLog: judgeLog)
        try repo.write(".gitignore", "*.log\n")
        try repo.commitAll("judged evals")
        #expect(repo.evalguard("baseline").status == 0)
        try repo.commitAll("baseline")
        try repo.write(
            "model.py",
            SettleCommandTests.model(log: log, wrong: SettleCommandTests.planted, firstOnly: SettleCommandTests.noise))

        let check = repo.evalguard("check")
        #expect(check.status == 1, "\(check.stdout)\n\(check.stderr)")
        #expect(!check.stderr.contains("its judge was not loaded"), "\(check.stderr)")
        #expect(check.stderr.contains("settled by re-asking 16 case(s)"), "\(check.stderr)")
        // The re-asked answers were graded: the current model's re-asks of the planted and noisy cases.
        #expect(Set(lines(log).dropFirst(100)) == Set(SettleCommandTests.planted + SettleCommandTests.noise))
    }

    static let flipped = (1...10).map { "q\($0 * 20)" }

    /// 200 judged cases, a committed baseline (`base`), then 12 commits that change the model's
    /// inputs; the 8th breaks `flipped`. The model logs every request's id to `log`.
    func judgedHistory(log: String, judgeLog: String) throws -> (repo: ScratchRepository, shas: [String], base: String)
    {
        let flipped = Self.flipped
        let repo = try ScratchRepository()
        try repo.write(
            "model.py",
            """
            import json, os, sys
            bug = set(open('model/bug.txt').read().split()) if os.path.exists('model/bug.txt') else set()
            with open(\(JSONValue.string(log).canonicalText), 'a') as f:
                for line in sys.stdin:
                    r = json.loads(line)
                    f.write(r['id'] + '\\n'); f.flush()
                    sys.stdout.write(json.dumps({'id': r['id'], 'output': 'wrong' if r['input'] in bug else r['input']}) + '\\n')
                    sys.stdout.flush()
            """)
        try repo.write("model/params.txt", "0\n")
        try repo.write(
            ".evals/cases/main.jsonl", (1...200).map { caseLine("q\($0)", "q\($0)") }.joined(separator: "\n") + "\n")
        try repo.write(".evals/.gitignore", "results/\n")
        try repo.write(
            ".evals/evalguard.json",
            """
            {"model": {"command": ["python3", "model.py"], "jobs": 1, "inputs": ["model.py", "model/"]},
             \(CommandJudge.model)
             "suites": {"main": {"cases": "cases/main.jsonl", "scorer": "exact"}},
             "thresholds": {"p95_latency_ms": false}}
            """)
        try judged(repo, judgeLog: judgeLog)
        try repo.commitAll("judged evals")
        #expect(repo.evalguard("baseline").status == 0)
        try repo.commitAll("baseline")
        let base = repo.head
        let shas = try SyntheticHistory.append((0..<12).map { $0 == 7 ? .plant(flipped) : .tweak }, to: repo)
        return (repo, shas, base)
    }

    @Test func blamesPartialProbesOfAJudgedSuiteAskTheJudge() throws {
        let log = NSTemporaryDirectory() + "evalguard-requests-\(UUID().uuidString)"
        let judgeLog = NSTemporaryDirectory() + "evalguard-judge-\(UUID().uuidString)"
        defer { for path in [log, judgeLog] { try? FileManager.default.removeItem(atPath: path) } }
        let (repo, shas, base) = try judgedHistory(log: log, judgeLog: judgeLog)
        let flipped = Self.flipped
        let (run, doc) = try repo.evalguardJSON(["blame", "--good", base])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(!run.stderr.contains("its judge was not loaded"), "\(run.stderr)")
        #expect(doc["culprit"]?["sha"]?.stringValue == shas[7], "\(run.stdout)\n\(run.stderr)")
        // The two ends in full, then probes of the flipped cases and controls only.
        let asked = lines(log)
        #expect(asked.count > 400 && asked.count < 400 + 200, "\(asked.count) requests")
        #expect(Set(asked.dropFirst(400)).isSuperset(of: Set(flipped)))
    }

    @Test func gitBisectRunOverAJudgedSuiteNamesThePlantedCommit() throws {
        let log = NSTemporaryDirectory() + "evalguard-requests-\(UUID().uuidString)"
        let judgeLog = NSTemporaryDirectory() + "evalguard-judge-\(UUID().uuidString)"
        defer { for path in [log, judgeLog] { try? FileManager.default.removeItem(atPath: path) } }
        let binary = try #require(evalguardBinary())
        let (repo, shas, base) = try judgedHistory(log: log, judgeLog: judgeLog)
        try repo.git("bisect", "start", "HEAD", base)
        let run = try Shell.run(["git", "bisect", "run", binary.path, "check", "--bisect"], in: repo.root)
        #expect(
            run.stdout.contains("\(shas[7]) is the first bad commit"),
            "\(run.stdout.suffix(3000))\n\(run.stderr.suffix(2000))")
        #expect(!run.stdout.contains("its judge was not loaded") && !run.stderr.contains("its judge was not loaded"))
        try repo.git("bisect", "reset")
    }
}
