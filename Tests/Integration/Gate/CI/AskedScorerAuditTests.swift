import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardCLI
@testable import EvalGuardGit
@testable import EvalGuardStore
@testable import EvalGuardSupport

/// `ci` audits reused answers of suites whose scorer evalguard asks (a judge, a scoring program,
/// embeddings) as it does any other: the audit's answers are scored by the same scorers, and
/// graded afresh, so a stored result cannot vouch for itself through the grades it carries.
@Suite(.serialized) struct AskedScorerAuditTests {
    static func judge(log: String) -> String { CommandJudge.script(log: log) }
    static let judgeModel = CommandJudge.model
    static let judgeScorer = CommandJudge.scorer

    static func judgedProject(log: String) throws -> AuditProject {
        try AuditProject(extra: judgeModel, scorer: judgeScorer, files: ["judge.py": judge(log: log)])
    }

    @Test func aJudgedSuitesReusedAnswersAreAuditedAndKept() throws {
        let log = NSTemporaryDirectory() + "evalguard-judge-\(UUID().uuidString).log"
        defer { try? FileManager.default.removeItem(atPath: log) }
        let p = try Self.judgedProject(log: log)
        try p.commitModel(flipping: ["not an input"], message: "Same answers, another model file")
        try p.storeResult(forging: false)
        let (run, asked) = try p.ci()
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(!run.stderr.contains("its judge was not loaded"))
        #expect(asked.count == 20)
        #expect(
            run.stdout.contains("audit: 20 of 30 reused cases re-run, 20 matched: stored answers kept"), "\(run.stdout)"
        )
    }

    @Test func aProgramScoredSuitesReusedAnswersAreAuditedAndKept() throws {
        let program = """
            import json, sys
            for line in sys.stdin:
                r = json.loads(line)
                sys.stdout.write(json.dumps({"id": r["id"], "pass": r["output"] == r["expected"]}) + "\\n")
                sys.stdout.flush()
            """
        let p = try AuditProject(
            scorer: #"{"type": "command", "command": ["python3", "scorer.py"]}"#, files: ["scorer.py": program])
        try p.commitModel(flipping: ["not an input"], message: "Same answers, another model file")
        try p.storeResult(forging: false)
        let (run, asked) = try p.ci()
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(asked.count == 20)
        #expect(
            run.stdout.contains("audit: 20 of 30 reused cases re-run, 20 matched: stored answers kept"), "\(run.stdout)"
        )
    }

    @Test func aSimilarityScoredSuitesReusedAnswersAreAuditedAndKept() throws {
        let server = try OpenAITestServer()
        let embedder = """
            "models": {"embedder": {"provider": "openai", "base_url": "\(server.baseURL)", "model": "text-embedding-3-small",
                                    "messages": [{"role": "user", "content": "{{input}}"}], "retry_backoff_s": 0.01}},
            """
        let p = try AuditProject(
            extra: embedder, scorer: #"{"type": "similarity", "model": "embedder", "threshold": 0.9}"#)
        try p.commitModel(flipping: ["not an input"], message: "Same answers, another model file")
        try p.storeResult(forging: false)
        let (run, asked) = try p.ci()
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(asked.count == 20)
        #expect(
            run.stdout.contains("audit: 20 of 30 reused cases re-run, 20 matched: stored answers kept"), "\(run.stdout)"
        )
    }

    /// The forger keeps the real (wrong) answers and marks them passed, with a judge cache that
    /// grades every one of them "pass": an audit that graded its fresh answers from that cache
    /// would find them agreeing with the stored ones.
    @Test func aForgedJudgeCacheCannotPassTheAudit() throws {
        let log = NSTemporaryDirectory() + "evalguard-judge-\(UUID().uuidString).log"
        defer { try? FileManager.default.removeItem(atPath: log) }
        let p = try Self.judgedProject(log: log)
        try p.commitModel(flipping: AuditTests.twelve, message: "Regress twelve cases")
        #expect(p.repo.evalguard("run").status == 0)
        let head = p.repo.head
        let store = ResultStore(root: p.repo.root, repository: try Repository.discover(from: p.repo.root))
        var result = try #require(store.load(commit: head))
        var judge = try #require(result.suites[0].judge)
        #expect(judge.cache.values.contains("fail"))
        for key in judge.cache.keys { judge.cache[key] = "pass" }
        result.suites[0].judge = judge
        for c in result.suites[0].cases.indices {
            (result.suites[0].cases[c].passed, result.suites[0].cases[c].score) = (true, 1)
        }
        result.suites[0].metrics = Metrics(result.suites[0].cases)
        result.overall = Metrics(result.suites.flatMap(\.cases))
        try store.save(result)
        try p.repo.git("push", "-q", "origin", "refs/notes/evalguard")

        try? FileManager.default.removeItem(atPath: log)
        let (run, _) = try p.ci()
        #expect(run.status == 1, "the real answers regress: \(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("DISCARDED, ran in full"), "\(run.stdout)")
        #expect(run.stdout.contains("Verdict: REGRESSION"))
        // The audit's answers and then the suite's were graded by the judge itself.
        let graded = ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").count
        #expect(graded >= 30, "\(graded) judge requests")
    }
}
