import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardCLI
@testable import EvalGuardConfig
@testable import EvalGuardSupport

/// `evalguard cases add --from FILE`: production records (JSON Lines logs, OTLP JSON GenAI
/// spans) become cases, filtered, deduplicated, sampled and redacted before one write.
@Suite struct CaseAddTests {
    func project() throws -> ScratchRepository {
        let repo = try ScratchRepository()
        try repo.write("router.py", KeywordRouter.model)
        try repo.write(".evals/.gitignore", "results/\n")
        try repo.write(
            ".evals/evalguard.json",
            """
            {"model": {"command": ["python3", "router.py"], "jobs": 1, "timeout_s": 10},
             "suites": {"week": {"cases": "cases/week.jsonl", "scorer": "exact"}}, "thresholds": {"p95_latency_ms": false}}
            """)
        return repo
    }

    static let log = """
        {"ts": "2026-11-30T09:00:00Z", "model": "router-v2", "request": {"text": "I want my money back"}, "response": {"text": "refund"}}
        {"ts": "2026-11-30T09:01:00Z", "model": "router-v1", "request": {"text": "old model"}, "response": {"text": "other"}}
        {"ts": "2026-11-30T09:02:00Z", "model": "router-v2", "request": {"text": "The app crashes"}, "response": {"text": "bug"}}
        {"ts": "2026-11-30T09:03:00Z", "model": "router-v2", "response": {"text": "no request logged"}}

        {"ts": "2026-11-30T09:04:00Z", "model": "router-v2", "request": {"text": "hello"}, "response": {"text": "greeting"}}

        """

    @Test func aJSONLinesLogBecomesASuiteThatRunsAndAddingAgainAddsNothing() throws {
        let repo = try project()
        try repo.write("logs/week.jsonl", Self.log)
        let add = repo.evalguard(
            "cases", "add", "--from", "logs/week.jsonl", "--suite", "week", "--input-field", "request.text",
            "--expected-from", "response.text", "--where", "model=router-v2")
        #expect(add.status == 0, "\(add.stderr)")
        #expect(
            add.stdout == """
                wrote 3 new case(s) to .evals/cases/week.jsonl
                skipped 1:
                  logs/week.jsonl:4: no field 'request.text' (name the input with --input-field)
                left out by --where: 1 record(s)

                """)
        let lines =
            repo.read(".evals/cases/week.jsonl")?.split(separator: "\n").compactMap {
                try? JSONParser.parse(String($0))
            } ?? []
        #expect(
            lines.map { $0["input"] } == [
                .string("I want my money back"), .string("The app crashes"), .string("hello"),
            ])
        #expect(lines.map { $0["expected"] } == [.string("refund"), .string("bug"), .string("greeting")])
        let run = repo.evalguard("run", "--format", "json")
        #expect(run.status == 0, "\(run.stderr)")
        #expect((try JSONParser.parse(run.stdout))["suites"]?["week"]?["accuracy"] == .number(1))

        let before = repo.read(".evals/cases/week.jsonl")
        let again = repo.evalguard(
            "cases", "add", "--from", "logs/week.jsonl", "--suite", "week", "--input-field", "request.text",
            "--expected-from", "response.text", "--where", "model=router-v2")
        #expect(
            again.stdout.hasPrefix(
                "no new cases: .evals/cases/week.jsonl is unchanged\nalready there: 3 case(s) with the same id\n"))
        #expect(repo.read(".evals/cases/week.jsonl") == before)
    }

    @Test func aMalformedRecordStopsAtItsLineAndWritesNothing() throws {
        let repo = try project()
        try repo.write("bad.jsonl", "{\"input\": \"a\"}\n{\"input\": \"b\",\n")
        try repo.write("array.jsonl", "{\"input\": \"a\"}\n[1, 2]\n")
        for (file, message) in [
            ("bad.jsonl", "error: bad.jsonl:2:"),
            ("array.jsonl", "error: array.jsonl:2: expected a record (a JSON object), found an array"),
        ] {
            let result = repo.evalguard("cases", "add", "--from", file, "--suite", "week")
            #expect(result.status == 2)
            #expect(result.stderr.contains(message), "\(result.stderr)")
            #expect(!repo.exists(".evals/cases/week.jsonl"))
        }
    }

    @Test func dedupeSkipsInputsTheSuiteAlreadyHas() throws {
        let repo = try project()
        try repo.write(".evals/cases/week.jsonl", caseLine("old-1", "hello", "greeting") + "\n")
        try repo.write(
            "log.jsonl",
            "{\"input\": \"hello\", \"output\": \"hi\"}\n{\"input\": \"new one\", \"output\": \"x\"}\n{\"input\": \"new one\", \"output\": \"y\"}\n"
        )
        let deduped = repo.evalguard(
            "cases", "add", "--from", "log.jsonl", "--suite", "week", "--expected-from", "output", "--dedupe")
        #expect(
            deduped.stdout.hasPrefix(
                """
                wrote 1 new case(s) to .evals/cases/week.jsonl
                skipped 2:
                  log.jsonl:1: its input is already a case's input (--dedupe)
                  log.jsonl:3: its input is already a case's input (--dedupe)

                """), "\(deduped.stdout)")
        let plain = repo.evalguard(
            "cases", "add", "--from", "log.jsonl", "--to", ".evals/cases/plain.jsonl", "--expected-from", "output")
        #expect(plain.stdout.hasPrefix("wrote 3 new case(s) to .evals/cases/plain.jsonl\n"))
    }

    @Test func aSampleIsDrawnBySeedFromTheNewCases() throws {
        let repo = try project()
        try repo.write("log.jsonl", (1...10).map { "{\"input\": \"ticket \($0)\"}" }.joined(separator: "\n") + "\n")
        func sample(_ to: String, seed: String) -> [String] {
            let result = repo.evalguard(
                "cases", "add", "--from", "log.jsonl", "--to", to, "--sample", "3", "--seed", seed)
            #expect(
                result.stdout.contains("left out by --sample 3: 7 new case(s) not drawn (seed \(seed))"),
                "\(result.stdout)")
            return repo.read(to)?.split(separator: "\n").map(String.init) ?? []
        }
        let a = sample(".evals/cases/a.jsonl", seed: "week-49")
        let b = sample(".evals/cases/b.jsonl", seed: "week-49")
        let c = sample(".evals/cases/c.jsonl", seed: "week-50")
        #expect(a.count == 3 && a == b)
        #expect(a != c)
        // Cases without an expected answer, for a judged suite.
        #expect(a.allSatisfy { !$0.contains("\"expected\"") })
    }

    @Test func aRedactionProgramRewritesEachRecordAndAFailingOneWritesNothing() throws {
        let repo = try project()
        try repo.write(
            "log.jsonl",
            "{\"input\": \"mail me at ann@example.com\", \"output\": \"ok\"}\n{\"input\": \"call 555-0100\", \"output\": \"ok\"}\n"
        )
        try repo.write(
            "redact.py",
            """
            import json, re, sys
            for line in sys.stdin:
                r = json.loads(line)
                r["input"] = re.sub(r"\\S+@\\S+", "<email>", re.sub(r"\\d{3}-\\d{4}", "<phone>", r["input"]))
                print(json.dumps(r))
            """)
        try repo.write(
            "fails.py", "import sys\nsys.stdin.read()\nsys.stderr.write('cannot load the name list\\n')\nsys.exit(3)\n")
        try repo.write("short.py", "import sys\nprint(sys.stdin.readline().strip())\n")
        let redacted = repo.evalguard(
            "cases", "add", "--from", "log.jsonl", "--suite", "week", "--expected-from", "output", "--redact",
            "python3 redact.py")
        #expect(redacted.status == 0, "\(redacted.stderr)")
        #expect(repo.read(".evals/cases/week.jsonl")?.contains("mail me at <email>") == true)
        #expect(repo.read(".evals/cases/week.jsonl")?.contains("call <phone>") == true)
        #expect(repo.read(".evals/cases/week.jsonl")?.contains("ann@example.com") == false)

        for (program, message) in [
            (
                "python3 fails.py",
                "the redaction program 'python3 fails.py' exited with status 3; nothing was written:\n  | cannot load the name list"
            ),
            (
                "python3 short.py",
                "the redaction program 'python3 short.py' wrote 1 line(s) for 2 record(s); nothing was written"
            ),
        ] {
            let result = repo.evalguard(
                "cases", "add", "--from", "log.jsonl", "--to", ".evals/cases/other.jsonl", "--redact", program)
            #expect(result.status == 2)
            #expect(result.stderr.contains(message), "\(result.stderr)")
            #expect(!repo.exists(".evals/cases/other.jsonl"))
        }
    }

    @Test func aLabellingFileHoldsTheProductionAnswerAndAVerdictToFillIn() throws {
        let repo = try project()
        try repo.write(
            "log.jsonl",
            "{\"input\": \"hello\", \"output\": \"greeting\"}\n{\"input\": \"refund?\", \"output\": \"other\"}\n")
        let add = repo.evalguard(
            "cases", "add", "--from", "log.jsonl", "--suite", "replies", "--label", "labels/replies.jsonl")
        #expect(add.status == 0, "\(add.stderr)")
        #expect(
            add.stdout.contains(
                "wrote 2 case(s) to label to labels/replies.jsonl: set each \"human\" to \"pass\" or \"fail\""))
        #expect(
            add.stdout.contains(
                #""replies": {"cases": "cases/replies.jsonl", "scorer": {"type": "judge", "judge": "grader", "rubric": "..."}}"#
            ))
        let labels = try #require(repo.read("labels/replies.jsonl"))
        #expect(
            labels.split(separator: "\n").map { try? JSONParser.parse(String($0)) }.compactMap { $0?["output"] } == [
                .string("greeting"), .string("other"),
            ])

        // Unfilled, the file is refused where a judged suite reads it; filled, its verdicts are read.
        let judge = try Scorer(
            node: ConfigNode(
                value: try JSONParser.parse(#"{"type": "judge", "judge": "grader", "rubric": "r"}"#),
                path: ["scorer"], source: ConfigSource(displayPath: "c", text: "")))
        #expect(throws: EvalGuardError.self) {
            try CaseFile.parse(Array(labels.utf8), displayPath: "labels/replies.jsonl", scorer: judge)
        }
        var filled = labels
        filled.replace("\"human\":\"\"}", with: "\"human\":\"pass\"}", maxReplacements: 1)
        filled.replace("\"human\":\"\"}", with: "\"human\":\"fail\"}")
        let cases = try CaseFile.parse(Array(filled.utf8), displayPath: "labels/replies.jsonl", scorer: judge)
        #expect(cases.map(\.human) == [true, false])

        let again = repo.evalguard(
            "cases", "add", "--from", "log.jsonl", "--to", ".evals/cases/more.jsonl", "--label", "labels/replies.jsonl")
        #expect(again.status == 2)
        #expect(again.stderr.contains("labels/replies.jsonl already exists"))
        #expect(!repo.exists(".evals/cases/more.jsonl"))
    }

    @Test func casesTheConfiguredSuiteCannotScoreAreSkippedWithWhy() throws {
        let repo = try project()
        try repo.write("log.jsonl", "{\"input\": \"hello\", \"output\": \"greeting\"}\n")
        let add = repo.evalguard("cases", "add", "--from", "log.jsonl", "--suite", "week")
        #expect(add.status == 0)
        #expect(
            add.stdout == """
                no new cases: .evals/cases/week.jsonl is unchanged
                skipped 1:
                  log.jsonl:1: missing "expected": the exact scorer compares the output with it

                """)
        #expect(!repo.exists(".evals/cases/week.jsonl"))
    }

    @Test func labelledProductionCasesCalibrateTheJudge() throws {
        let f = try JudgedSuiteFixture(cases: [("seed", "Refund done.", "refund")], scorer: JudgedSuiteFixture.rubric)
        try f.repo.write(
            "logs/replies.jsonl",
            """
            {"input": {"reply": "Your refund is on its way."}, "output": "Your refund is on its way.", "want": "refund"}
            {"input": {"reply": "Please wait."}, "output": "Please wait.", "want": "refund"}

            """)
        let add = f.repo.evalguard(
            "cases", "add", "--from", "logs/replies.jsonl", "--to", ".evals/cases/new.jsonl",
            "--expected-from", "want", "--label", ".evals/cases/replies.labels.jsonl")
        #expect(add.status == 0, "\(add.stderr)")
        var labels = try #require(f.repo.read(".evals/cases/replies.labels.jsonl"))
        labels.replace(#""human":""}"#, with: #""human":"pass"}"#, maxReplacements: 1)
        labels.replace(#""human":""}"#, with: #""human":"fail"}"#)
        try f.repo.write(".evals/cases/replies.jsonl", labels)
        let calibrate = f.repo.evalguard("judge", "calibrate")
        #expect(calibrate.status == 0, "\(calibrate.stderr)")
        #expect(calibrate.stdout.contains("replies: the judge against 2 human verdict(s)"), "\(calibrate.stdout)")
        #expect(calibrate.stdout.contains("accuracy         100.0% (2 of 2 agree)"), "\(calibrate.stdout)")
    }
}
