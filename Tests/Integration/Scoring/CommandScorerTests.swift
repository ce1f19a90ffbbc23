import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardConfig
@testable import EvalGuardEvaluation
@testable import EvalGuardGit
@testable import EvalGuardStore
@testable import EvalGuardSupport

/// The `command` scorer: the team's own scoring program, run like a command model. A command
/// model echoes each input and counts its requests; the scoring program counts its own.
@Suite(.serialized) struct CommandScorerTests {
    final class Fixture {
        let repo: ScratchRepository
        let modelCounter = NSTemporaryDirectory() + "evalguard-model-\(UUID().uuidString).log"
        let scorerCounter = NSTemporaryDirectory() + "evalguard-scorer-\(UUID().uuidString).log"
        var evaluator: Evaluator { Evaluator(repository: try! Repository.discover(from: repo.root)) }

        init(cases: [String], scorer: String? = nil, maxErrorRate: Double = 0.5) throws {
            repo = try ScratchRepository()
            try repo.write(
                "model/echo.py",
                """
                import json, sys
                for line in sys.stdin:
                    r = json.loads(line)
                    open(\(JSONValue.string(modelCounter).canonicalText), "a").write("request\\n")
                    sys.stdout.write(json.dumps({"id": r["id"], "output": r["input"]}) + "\\n")
                    sys.stdout.flush()
                """)
            try writeScorer(passScore: 0.75)
            try repo.write("scorers/words.txt", "please\n")
            try repo.write(
                ".evals/evalguard.json",
                """
                {
                  "model": {"command": ["python3", "model/echo.py"], "jobs": 1, "timeout_s": 10},
                  "suites": {"tone": {"cases": "cases/tone.jsonl",
                    "scorer": \(scorer ?? #"{"type": "command", "command": ["python3", "scorers/tone.py"], "jobs": 2, "timeout_s": 10, "inputs": ["scorers/*.txt"], "max_error_rate": \#(maxErrorRate)}"#)}},
                  "thresholds": {"p95_latency_ms": false}
                }
                """)
            try repo.write(".evals/cases/tone.jsonl", cases.joined(separator: "\n") + "\n")
            try repo.write(".evals/.gitignore", "results/\n")
            try repo.commitAll("tone suite scored by a program")
        }

        deinit {
            try? FileManager.default.removeItem(atPath: modelCounter)
            try? FileManager.default.removeItem(atPath: scorerCounter)
        }

        /// Passes when the expected word is in the output (score `passScore`, else 0.25); inputs
        /// with a marker break the protocol on purpose.
        func writeScorer(passScore: Double) throws {
            try repo.write(
                "scorers/tone.py",
                """
                import json, sys
                for line in sys.stdin:
                    r = json.loads(line)
                    open(\(JSONValue.string(scorerCounter).canonicalText), "a").write("request\\n")
                    out = r["output"]
                    if "NOTJSON" in out: reply = "all good!"
                    elif "NOPASS" in out: reply = json.dumps({"id": r["id"], "score": 1})
                    elif "BIGSCORE" in out: reply = json.dumps({"id": r["id"], "pass": True, "score": 1.5})
                    elif "WRONGID" in out: reply = json.dumps({"id": "someone-else", "pass": True})
                    else:
                        ok = r["expected"] in out
                        reply = json.dumps({"id": r["id"], "pass": ok, "score": \(passScore) if ok else 0.25,
                                            "reason": "found <" + r["expected"] + ">" if ok else "missing"})
                    sys.stdout.write(reply + "\\n")
                    sys.stdout.flush()
                """)
        }

        func count(_ path: String) -> Int {
            ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").count
        }

        /// Evaluates the working tree; returns the requests the model and the program got.
        func evaluate() throws -> (model: Int, scorer: Int, result: RunResult) {
            let (m, s) = (count(modelCounter), count(scorerCounter))
            let e = try evaluator.evaluate(.workingTree)
            return (count(modelCounter) - m, count(scorerCounter) - s, e.result)
        }
    }

    static let politeCases = [
        caseLine("c1", "please help me", "please"), caseLine("c2", "help now", "please"),
        caseLine("c3", "could you please", "please"), caseLine("c4", "fix it", "please"),
    ]

    @Test func passesScoresAndReasonsComeFromTheProgram() throws {
        let f = try Fixture(cases: Self.politeCases)
        let (model, scorer, result) = try f.evaluate()
        #expect(model == 4)
        #expect(scorer == 4)
        let cases = Dictionary(uniqueKeysWithValues: result.suites[0].cases.map { ($0.id, $0) })
        #expect(cases["c1"]?.passed == true && cases["c1"]?.score == 0.75 && cases["c1"]?.reason == "found <please>")
        #expect(cases["c2"]?.passed == false && cases["c2"]?.score == 0.25 && cases["c2"]?.reason == "missing")
        #expect(cases["c3"]?.passed == true && cases["c4"]?.passed == false)
        #expect(result.suites[0].cases.allSatisfy { $0.error == nil })
        #expect(result.suites[0].scorer == "command")
    }

    @Test func aSecondRunAsksNeitherModelNorProgram() throws {
        let f = try Fixture(cases: Self.politeCases)
        _ = try f.evaluate()
        let (model, scorer, _) = try f.evaluate()
        #expect(model == 0)
        #expect(scorer == 0)
    }

    @Test func editingTheProgramReScoresStoredAnswersWithoutTheModel() throws {
        let f = try Fixture(cases: Self.politeCases)
        _ = try f.evaluate()
        try f.writeScorer(passScore: 0.9)
        try f.repo.commitAll("stricter tone scorer")
        let (model, scorer, result) = try f.evaluate()
        #expect(model == 0)
        #expect(scorer == 4)
        #expect(result.suites[0].cases.first { $0.id == "c1" }?.score == 0.9)
        #expect(result.suites[0].reuse?.rescored == 4)
    }

    @Test func editingAFileOfItsInputsReScoresToo() throws {
        let f = try Fixture(cases: Self.politeCases)
        _ = try f.evaluate()
        try f.repo.write("scorers/words.txt", "please\nthanks\n")
        try f.repo.commitAll("more polite words")
        let (model, scorer, _) = try f.evaluate()
        #expect(model == 0)
        #expect(scorer == 4)
    }

    @Test func malformedRepliesAreErrorsNeverPasses() throws {
        let f = try Fixture(
            cases: [
                caseLine("ok", "please", "please"), caseLine("a", "NOTJSON please", "please"),
                caseLine("b", "NOPASS please", "please"), caseLine("c", "BIGSCORE please", "please"),
                caseLine("d", "WRONGID please", "please"), caseLine("e", "please too", "please"),
                caseLine("f", "please three", "please"), caseLine("g", "please four", "please"),
            ],
            maxErrorRate: 0.5)
        let (_, _, result) = try f.evaluate()
        let cases = Dictionary(uniqueKeysWithValues: result.suites[0].cases.map { ($0.id, $0) })
        for id in ["a", "b", "c", "d"] {
            #expect(cases[id]?.passed == false)
            #expect(cases[id]?.error?.hasPrefix("scorer: ") == true)
        }
        #expect(cases["a"]?.error?.contains("not JSON") == true)
        #expect(cases["b"]?.error?.contains("no boolean \"pass\"") == true)
        #expect(cases["c"]?.error?.contains("from 0 to 1") == true)
        #expect(cases["d"]?.error?.contains("does not match") == true)
        #expect(cases["ok"]?.passed == true && cases["ok"]?.error == nil)
        #expect(result.suites[0].metrics.errors == 4)
    }

    @Test func tooManyMalformedRepliesStopTheRun() throws {
        let f = try Fixture(
            cases: [caseLine("a", "NOPASS please", "please"), caseLine("b", "please", "please")], maxErrorRate: 0)
        #expect {
            _ = try f.evaluate()
        } throws: { error in
            (error as? EvalGuardError)?.message.contains("failed on 1 of 2 answers") == true
        }
    }

    @Test func aProgramThatCrashesStopsTheRunNamingItself() throws {
        let f = try Fixture(
            cases: Self.politeCases,
            scorer: #"{"type": "command", "command": ["python3", "scorers/broken.py"], "max_error_rate": 0}"#)
        try f.repo.write("scorers/broken.py", "import sys\nsys.stderr.write('no tone model here\\n')\nsys.exit(5)\n")
        try f.repo.commitAll("a scorer that cannot start")
        #expect {
            _ = try f.evaluate()
        } throws: { error in
            guard let e = error as? EvalGuardError else { return false }
            return e.message.contains("the scoring program python3 scorers/broken.py failed")
                && e.message.contains("suites.tone.scorer.max_error_rate")
                && e.hint?.contains("no tone model here") == true && e.exitCode == .couldNotEvaluate
        }
    }

    @Test func inAListItRunsOnlyAfterTheCheapScorersPass() throws {
        let f = try Fixture(
            cases: Self.politeCases,
            scorer: #"["contains", {"type": "command", "command": ["python3", "scorers/tone.py"]}]"#)
        let (_, scorer, result) = try f.evaluate()
        #expect(scorer == 2) // c1 and c3 contain "please"
        #expect(result.suites[0].cases.filter(\.passed).map(\.id).sorted() == ["c1", "c3"])
    }

    @Test func badSettingsNameTheProblem() throws {
        func parse(_ scorer: String) throws -> Scorer {
            let text =
                "{\"model\": {\"command\": [\"m\"]}, \"suites\": {\"s\": {\"cases\": \"c.jsonl\", \"scorer\": \(scorer)}}}"
            return try EvalConfig.parse(ConfigSource(displayPath: ".evals/evalguard.json", text: text)).suites[0].scorer
        }
        #expect(throws: EvalGuardError.self) { try parse(#"{"type": "command"}"#) }
        #expect(throws: EvalGuardError.self) { try parse(#"{"type": "command", "command": ["x"], "colour": 1}"#) }
        #expect(throws: EvalGuardError.self) { try parse(#"[{"type": "command", "command": ["x"]}, "contains"]"#) }
        #expect(try parse(#"{"type": "command", "command": ["python3", "s.py"], "jobs": 3}"#).command?.jobs == 3)
    }
}
