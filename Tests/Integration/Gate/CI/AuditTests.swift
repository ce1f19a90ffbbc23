import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardCLI
@testable import EvalGuardConfig
@testable import EvalGuardEvaluation
@testable import EvalGuardGit
@testable import EvalGuardReport
@testable import EvalGuardStore
@testable import EvalGuardSupport

/// `ci` audits stored answers before it relies on them: a result in a git note was written by
/// whoever could push. Each test runs `ci` in a fresh clone that fetches the notes, and reads the
/// model's own log of the cases it was asked about.
@Suite(.serialized) struct AuditTests {
    static let twelve = (1...12).map { "q\($0)" }

    @Test func aForgedNoteIsCaughtByTheSampleAndTheSuiteRunsInFull() throws {
        let p = try AuditProject()
        try p.commitModel(flipping: Self.twelve, message: "Regress twelve cases")
        try p.storeResult(forging: true)
        let (run, asked) = try p.ci(["--junit", "report.xml"])
        // 20 sampled cases (the default for 30 reused), then all 30.
        #expect(asked.count == 50, "\(asked)")
        #expect(Set(asked.prefix(20)).count == 20)
        #expect(Set(asked.suffix(30)) == Set((1...30).map { "c\($0)" }))
        #expect(run.status == 1, "the real answers regress: \(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("Verdict: REGRESSION"))
        // At least 2 of the 12 forged cases are among any 20 of 30; only they can differ.
        let line = try #require(run.stdout.split(separator: "\n").first { $0.hasPrefix("  main: 20 of 30 re-run") })
        #expect(
            line.contains("(deterministic model: every answer must match): DISCARDED, ran in full; differed: c"),
            "\(line)")
        let sampled = Set(asked.prefix(20))
        let forgedSampled = sampled.intersection((1...12).map { "c\($0)" }).count
        #expect(forgedSampled >= 2)
        #expect(
            run.stdout.contains(
                "audit: 20 of 30 reused cases re-run, \(20 - forgedSampled) matched: stored answers of main discarded, run in full"
            ),
            "\(run.stdout)")
        let clone = try #require(
            try FileManager.default.contentsOfDirectory(atPath: p.root).first { $0.hasPrefix("ci-") })
        let junit = try String(contentsOfFile: p.root + "/" + clone + "/report.xml", encoding: .utf8)
        #expect(
            junit.contains(
                "<property name=\"evalguard.audit\" value=\"audit: main: 20 of 30 re-run, \(20 - forgedSampled) matched"
            ))
    }

    @Test func anHonestResultPassesWithExactlyTheSamplesRequestsAndTheSameSampleEachTime() throws {
        let p = try AuditProject()
        try p.commitModel(flipping: ["not an input"], message: "Same answers, another model file")
        let head = try p.storeResult(forging: false)
        let summary = p.root + "/summary.md"
        let first = try p.ci(["--markdown", summary])
        #expect(first.run.status == 0, "\(first.run.stdout)\(first.run.stderr)")
        #expect(first.asked.count == 20)
        #expect(
            first.run.stdout.contains("audit: 20 of 30 reused cases re-run, 20 matched: stored answers kept"),
            "\(first.run.stdout)")
        #expect(first.run.stdout.contains("  main: 20 of 30 re-run, 20 matched: kept"))
        #expect(
            try String(contentsOfFile: summary, encoding: .utf8).contains(
                "- audit: 20 of 30 reused cases re-run, 20 matched: stored answers kept"))
        // The same commit audits the same cases, and they are the ones its seed picks.
        let page = p.root + "/page.html"
        let second = try p.ci(["--format", "json", "--html", page])
        #expect(second.asked.count == 20 && Set(second.asked) == Set(first.asked))
        let json = try JSONParser.parse(second.run.stdout)
        #expect(
            json["audit"]?["sampled"] == .number(20) && json["audit"]?["matched"] == .number(20), "\(second.run.stdout)"
        )
        #expect(
            json["audit"]?["suites"]?["main"]?["sampled"]
                == .array(
                    first.asked.sorted { $0.dropFirst().count == $1.dropFirst().count ? $0 < $1 : $0.count < $1.count }
                        .map(JSONValue.string)))
        #expect(
            try String(contentsOfFile: page, encoding: .utf8).contains(
                "audit: 20 of 30 reused cases re-run, 20 matched: stored answers kept"))
        let seed = Evaluation.auditSeed(commit: head, suite: "main", secret: nil)
        #expect(Set(first.asked) == Set(Evaluation.sample(Array(0..<30), count: 20, seed: seed).map { "c\($0 + 1)" }))
        // A secret kept by CI picks a sample nobody could compute from the commit alone.
        let secret = try p.ci(environment: ["EVALGUARD_AUDIT_KEY": "ci-only secret"])
        #expect(secret.asked.count == 20 && Set(secret.asked) != Set(first.asked))
    }

    @Test func trustStoredAsksNothingAndSaysSo() throws {
        let p = try AuditProject()
        try p.commitModel(flipping: Self.twelve, message: "Regress twelve cases")
        try p.storeResult(forging: true)
        let (run, asked) = try p.ci(["--trust-stored"])
        #expect(asked.isEmpty)
        #expect(run.status == 0, "the forged result is believed: that is what --trust-stored means")
        #expect(
            run.stdout.contains(
                "audit: skipped (--trust-stored): stored answers were reused without re-running any case"))
    }

    @Test func aNoisyModelKeepsStoredAnswersThatDifferByChanceWhereADeterministicOneDoesNot() throws {
        let noisy = try AuditProject(cases: 20, deterministic: false)
        try noisy.commitModel(flipping: ["not an input"], message: "Same answers")
        try noisy.storeResult(forging: false)
        try noisy.setMood(["q3"]) // one answer differs today
        let kept = try noisy.ci()
        #expect(kept.asked.count == 20)
        #expect(
            kept.run.stdout.contains(
                "  main: 20 of 20 re-run, 19 matched (noisy model: 1 passed only as stored, 0 only now; exact McNemar p = 1): kept; differed: c3"
            ),
            "\(kept.run.stdout)")

        let strict = try AuditProject(cases: 20)
        try strict.commitModel(flipping: ["not an input"], message: "Same answers")
        try strict.storeResult(forging: false)
        try strict.setMood(["q3"])
        let discarded = try strict.ci()
        #expect(discarded.asked.count == 40)
        #expect(
            discarded.run.stdout.contains(
                "  main: 20 of 20 re-run, 19 matched (deterministic model: every answer must match): DISCARDED, ran in full; differed: c3"
            ),
            "\(discarded.run.stdout)")
    }

    @Test func aNoisyModelsForgedNoteIsASignificantMismatch() throws {
        let p = try AuditProject(cases: 20, deterministic: false)
        try p.commitModel(flipping: (1...8).map { "q\($0)" }, message: "Regress eight cases")
        try p.storeResult(forging: true)
        let (run, asked) = try p.ci()
        #expect(asked.count == 40, "all 20 audited, then all 20 run")
        #expect(
            run.stdout.contains(
                "  main: 20 of 20 re-run, 12 matched (noisy model: 8 passed only as stored, 0 only now; exact McNemar p = 0.00781): DISCARDED"
            ),
            "\(run.stdout)")
        #expect(run.status == 1)
    }

    @Test func auditSampleSetsHowManyCasesAreAskedAgain() throws {
        let count = try AuditProject(extra: "\"audit_sample\": 5,")
        try count.commitModel(flipping: ["not an input"], message: "Same answers")
        try count.storeResult(forging: false)
        #expect(try count.ci().asked.count == 5)
        let share = try AuditProject(extra: "\"audit_sample\": \"10%\",")
        try share.commitModel(flipping: ["not an input"], message: "Same answers")
        try share.storeResult(forging: false)
        let run = try share.ci()
        #expect(run.asked.count == 3)
        #expect(run.run.stdout.contains("audit: 3 of 30 reused cases re-run, 3 matched"))
    }

    /// Reuse is per suite: only the suite whose answers came from stored results is audited, and
    /// an `openai` model is noisy unless it says otherwise.
    @Test func onlyReusedSuitesAreAuditedAndAnOpenAIModelIsNoisy() throws {
        let f = try PerSuiteReuseFixture()
        _ = try f.evaluator.evaluate(.workingTree)
        try f.repo.write("classifier/keywords.json", #"["outage", "down", "broken"]"#)
        try f.repo.commitAll("more keywords")
        let (h, c) = (f.httpRequests, f.commandRequests)
        let evaluator = f.evaluator
        evaluator.audit = AuditRequest()
        let e = try evaluator.evaluate(.workingTree)
        #expect(
            f.httpRequests - h == 6 && f.commandRequests - c == 4,
            "the router's 6 reused answers audited, the priority suite run")
        let audit = try #require(e.audit)
        #expect(audit.map(\.suite) == ["router"])
        #expect(audit[0].noisy && audit[0].trusted && audit[0].sampled.count == 6 && audit[0].matched == 6)
        #expect(e.result.suite("router")?.reuse?.reused == 6)
    }
}

/// `audit_sample`, `deterministic` and the audit's own arithmetic.
@Suite struct AuditSettingsTests {
    func config(_ extra: String, model: String = "") throws -> EvalConfig {
        try EvalConfig.parse(
            ConfigSource(
                displayPath: EvalConfig.path,
                text: """
                    {
                      "model": {"command": ["python3", "model.py"]\(model)},
                      "suites": {"main": {"cases": "cases/main.jsonl"}},
                      \(extra)
                    }
                    """))
    }

    @Test func sampleSizes() throws {
        #expect(AuditSample.standard.size(reused: 10) == 10)
        #expect(AuditSample.standard.size(reused: 400) == 20)
        #expect(AuditSample.standard.size(reused: 412) == 21)
        #expect(AuditSample.standard.size(reused: 1000) == 50)
        #expect(AuditSample.standard.size(reused: 0) == 0)
        #expect(try config("\"audit_sample\": 50").auditSample.size(reused: 30) == 30)
        #expect(try config("\"audit_sample\": 0.1").auditSample.size(reused: 30) == 3)
        #expect(try config("\"audit_sample\": \"7%\"").auditSample.size(reused: 100) == 7)
        #expect(try config("\"audit_sample\": 0.001").auditSample.size(reused: 30) == 1)
        #expect(try config("\"audit_sample\": \"100%\"").auditSample.size(reused: 30) == 30)
    }

    @Test func badSampleSizesNameTheLineAndTheFix() throws {
        for bad in ["0", "-3", "2.5", "\"150%\"", "\"some\"", "true"] {
            let error = try #require(throws: EvalGuardError.self) { try config("\n  \"audit_sample\": \(bad)") }
            #expect(error.file == EvalConfig.path && error.line == 5, "\(bad): \(error)")
            #expect(error.hint?.contains("--trust-stored") == true)
        }
    }

    @Test func whichModelsAreDeterministic() throws {
        #expect(try config("").model.isDeterministic(repeats: 1))
        #expect(!(try config("").model.isDeterministic(repeats: 3)), "repeats exist because answers vary")
        #expect(!(try config("", model: ", \"deterministic\": false").model.isDeterministic(repeats: 1)))
        #expect(try config("", model: ", \"deterministic\": true").model.isDeterministic(repeats: 3))
        // Not part of what the model answers: changing it re-runs nothing.
        #expect(try config("", model: ", \"deterministic\": false").model.keySettings == config("").model.keySettings)
    }

    @Test func theSampleIsUniformWithoutRepeatsAndFollowsTheSeed() {
        let items = Array(0..<30)
        let a = Evaluation.sample(items, count: 20, seed: 42)
        #expect(a.count == 20 && Set(a).count == 20 && a == a.sorted() && Set(a).isSubset(of: Set(items)))
        #expect(Evaluation.sample(items, count: 20, seed: 42) == a)
        #expect(Evaluation.sample(items, count: 20, seed: 43) != a)
        #expect(Evaluation.sample(items, count: 50, seed: 1) == items)
        // Every case is as likely to be picked: 3,000 draws of 5 of 10 pick each about 1,500 times.
        var picked = [Int](repeating: 0, count: 10)
        for seed in 0..<3000 {
            for i in Evaluation.sample(Array(0..<10), count: 5, seed: UInt64(seed)) { picked[i] += 1 }
        }
        #expect(picked.allSatisfy { (1380...1620).contains($0) }, "\(picked)")
        let s = Evaluation.auditSeed(commit: String(repeating: "a", count: 40), suite: "main", secret: nil)
        #expect(s != Evaluation.auditSeed(commit: String(repeating: "a", count: 40), suite: "other", secret: nil))
        #expect(s != Evaluation.auditSeed(commit: String(repeating: "a", count: 40), suite: "main", secret: "k"))
        #expect(s != Evaluation.auditSeed(commit: String(repeating: "b", count: 40), suite: "main", secret: nil))
    }

    @Test func answersAgreeOnlyWhenEverythingTheMetricsUseMatches() {
        let stored = CaseResult(
            id: "a", passed: true, score: 1, latencyMs: 3, usage: ["prompt_tokens": 5, "completion_tokens": 2],
            outputDigest: "d1", output: "\"x\"")
        var same = stored
        same.latencyMs = 90 // latency is never compared: it is measured, not answered
        #expect(Evaluation.agrees(stored, same, noisy: false))
        var otherOutput = stored
        otherOutput.outputDigest = "d2"
        #expect(!Evaluation.agrees(stored, otherOutput, noisy: false))
        #expect(
            Evaluation.agrees(stored, otherOutput, noisy: true),
            "a noisy model's outputs may differ; the outcome is what counts")
        var moreTokens = stored
        moreTokens.usage = ["prompt_tokens": 5, "completion_tokens": 9]
        #expect(!Evaluation.agrees(stored, moreTokens, noisy: false), "forged usage would forge the cost")
        var failed = stored
        failed.passed = false
        #expect(!Evaluation.agrees(stored, failed, noisy: true))
        var errored = stored
        errored.error = "timed out"
        #expect(!Evaluation.agrees(stored, errored, noisy: false))
    }

    @Test func theReportSaysWhatWasAudited() {
        let audits = [
            SuiteAudit(
                suite: "intents", reused: 412, sampled: (1...21).map { "c\($0)" }, mismatched: [], noisy: false,
                trusted: true)
        ]
        let status = AuditStatus.audited(audits)
        #expect(
            status.lines == [
                "audit: 21 of 412 reused cases re-run, 21 matched: stored answers kept",
                "  intents: 21 of 412 re-run, 21 matched: kept",
            ])
        #expect(status.json["sampled"] == .number(21) && status.json["suites"]?["intents"]?["kept"] == .bool(true))
        #expect(AuditStatus.audited([]).lines == ["audit: no stored answers were reused, nothing to audit"])
        #expect(AuditStatus.skipped.json == .object(["skipped": .bool(true)]))
    }
}
