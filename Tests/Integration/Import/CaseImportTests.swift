import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardCLI
@testable import EvalGuardSupport

/// `evalguard cases import`: other tools' test files become cases a suite runs, importing again
/// adds nothing, and a bad record stops the import at its line with nothing written.
@Suite struct CaseImportTests {
    static let router = KeywordRouter.model

    func project(suites: String) throws -> ScratchRepository {
        let repo = try ScratchRepository()
        try repo.write("router.py", Self.router)
        try repo.write(".evals/.gitignore", "results/\n")
        try repo.write(
            ".evals/evalguard.json",
            """
            {"model": {"command": ["python3", "router.py"], "jobs": 1, "timeout_s": 10},
             "suites": {\(suites)}, "thresholds": {"p95_latency_ms": false}}
            """)
        return repo
    }

    static let promptfooConfig = """
        # yaml-language-server: $schema=https://promptfoo.dev/config-schema.json
        description: Ticket router
        prompts:
          - file://prompts/route.txt
          - 'Route this ticket: {{ticket}}'
        providers:
          - id: openai:gpt-4o-mini
            config:
              temperature: 0
        tests:
          - description: refund request
            vars:
              ticket: I want my money back
            assert:
              - type: equals
                value: refund
          - vars:
              ticket: >
                The app crashes
                when I log in
            assert:
              - type: equals
                value: bug
              - type: javascript
                value: output.length < 10
          - vars: {ticket: 'Where''s my order?'}
            assert: [{type: icontains, value: SHIPPING}]
          - vars:
              ticket: |
                Please call me
            assert:
              - type: python
                value: file://checks/call.py
          - file://tests/*.csv
        """

    static let promptfooCSV = """
        ticket,__expected,__description
        "Card declined, twice",equals: billing,card declined
        "hello
        there",greeting,
        Cancel my plan,javascript: output === 'cancel',

        """

    @Test func aPromptfooConfigurationImportsRunsAndImportsNothingAgain() throws {
        let repo = try project(suites: #""main": {"cases": "cases/main.jsonl", "scorer": "exact"}"#)
        try repo.write(".evals/cases/main.jsonl", caseLine("m1", "hello") + "\n")
        try repo.write("promptfoo/promptfooconfig.yaml", Self.promptfooConfig)
        try repo.write("promptfoo/tests/more.csv", Self.promptfooCSV)
        try repo.commitAll("promptfoo tests")

        let first = repo.evalguard(
            "cases", "import", "promptfoo", "promptfoo/promptfooconfig.yaml", "--suite", "tickets")
        #expect(first.status == 0, "\(first.stderr)")
        #expect(
            first.stdout == """
                wrote 4 new case(s) to .evals/cases/tickets.jsonl
                skipped 3:
                  promptfoo/promptfooconfig.yaml:26: its assertions map to contains; this import writes exact cases (import it again with --scorer contains and another --to)
                  promptfoo/promptfooconfig.yaml:28: no assertion evalguard can score: python runs code, which evalguard does not import (write a command scorer)
                  promptfoo/tests/more.csv:5: no assertion evalguard can score: javascript runs code, which evalguard does not import (write a command scorer)
                assertions mapped: equals → exact (4), icontains → contains (1)
                not mapped: javascript (2), python (1)
                no suite 'tickets' in .evals/evalguard.json yet; add it (evalguard changes no configuration):
                  "tickets": {"cases": "cases/tickets.jsonl", "scorer": "exact"}

                """)
        #expect(
            repo.read(".evals/cases/tickets.jsonl")
                == """
                {"id":"refund request","input":"I want my money back","expected":"refund"}
                {"id":"case-6b0f5e5a0b6d","input":"The app crashes when I log in\\n","expected":"bug"}
                {"id":"card declined","input":"Card declined, twice","expected":"billing"}
                {"id":"case-4fc1b0a0c7a7","input":"hello\\nthere","expected":"greeting"}

                """.replacingOccurrences(
                    of: "case-6b0f5e5a0b6d", with: Self.id("The app crashes when I log in\n", "bug")
                )
                .replacingOccurrences(of: "case-4fc1b0a0c7a7", with: Self.id("hello\nthere", "greeting")))
        // The configuration is the user's: nothing was added to it.
        #expect(try repo.git("status", "--porcelain", ".evals/evalguard.json").isEmpty)

        let contains = repo.evalguard(
            "cases", "import", "promptfoo", "promptfoo/promptfooconfig.yaml", "--scorer", "contains",
            "--to", ".evals/cases/tickets-contains.jsonl")
        #expect(contains.stdout.hasPrefix("wrote 1 new case(s) to .evals/cases/tickets-contains.jsonl\n"))
        #expect(
            contains.stdout.contains(
                #""tickets-contains": {"cases": "cases/tickets-contains.jsonl", "scorer": {"type": "contains", "case_insensitive": true}}"#
            ))

        try repo.write(
            ".evals/evalguard.json",
            """
            {"model": {"command": ["python3", "router.py"], "jobs": 1, "timeout_s": 10},
             "suites": {"main": {"cases": "cases/main.jsonl", "scorer": "exact"},
                        "tickets": {"cases": "cases/tickets.jsonl", "scorer": "exact"},
                        "tickets-contains": {"cases": "cases/tickets-contains.jsonl", "scorer": {"type": "contains", "case_insensitive": true}}},
             "thresholds": {"p95_latency_ms": false}}
            """)
        let run = repo.evalguard("run", "--format", "json")
        #expect(run.status == 0, "\(run.stderr)")
        let result = try JSONParser.parse(run.stdout)
        #expect(result["suites"]?["tickets"]?["accuracy"] == .number(1), "\(run.stdout)")
        #expect(result["suites"]?["tickets"]?["cases"] == .number(4), "\(run.stdout)")
        #expect(result["suites"]?["tickets-contains"]?["accuracy"] == .number(1), "\(run.stdout)")

        let before = repo.read(".evals/cases/tickets.jsonl")
        let again = repo.evalguard(
            "cases", "import", "promptfoo", "promptfoo/promptfooconfig.yaml", "--suite", "tickets")
        #expect(again.status == 0)
        #expect(
            again.stdout.hasPrefix(
                "no new cases: .evals/cases/tickets.jsonl is unchanged\nalready there: 4 case(s) with the same id\n"))
        #expect(!again.stdout.contains("no suite 'tickets'"))
        #expect(repo.read(".evals/cases/tickets.jsonl") == before)
    }

    static func id(_ input: String, _ expected: String) -> String {
        let text = JSONValue.object(["input": .string(input), "expected": .string(expected)]).canonicalText
        return "case-" + SHA256.digest(Array(text.utf8)).prefix(6).map { String(format: "%02x", $0) }.joined()
    }

    @Test func openAIEvalsSamplesBecomeOneOfCasesThatRun() throws {
        let repo = try project(suites: #""evals": {"cases": "cases/evals.jsonl", "scorer": "one-of"}"#)
        try repo.write(
            "samples.jsonl",
            """
            {"input": [{"role": "system", "content": "Route the ticket."}, {"role": "user", "content": "My card was declined"}], "ideal": "billing"}
            {"input": [{"role": "user", "content": "hello!"}], "ideal": ["greeting", "hello"]}

            """)
        let imported = repo.evalguard("cases", "import", "openai-evals", "samples.jsonl", "--suite", "evals")
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(
            imported.stdout
                == "wrote 2 new case(s) to .evals/cases/evals.jsonl\nassertions mapped: ideal → one-of (1), ideal (a list) → one-of (1)\n"
        )
        let lines =
            repo.read(".evals/cases/evals.jsonl")?.split(separator: "\n").map { try? JSONParser.parse(String($0)) }
            ?? []
        #expect(lines.count == 2)
        #expect(lines.first??["input"]?.arrayValue?.count == 2)
        #expect(lines.first??["expected"] == .array([.string("billing")]))
        #expect(lines.last??["expected"] == .array([.string("greeting"), .string("hello")]))
        let run = repo.evalguard("run", "--format", "json")
        #expect(run.status == 0, "\(run.stderr)")
        #expect((try JSONParser.parse(run.stdout))["suites"]?["evals"]?["accuracy"] == .number(1))
        #expect(
            repo.evalguard("cases", "import", "openai-evals", "samples.jsonl", "--suite", "evals").stdout
                .hasPrefix("no new cases: .evals/cases/evals.jsonl is unchanged\n"))

        // Single ideals only, into the one-of suite: each becomes a list of one.
        try repo.write(
            "single.jsonl", "{\"input\": [{\"role\": \"user\", \"content\": \"it crashes\"}], \"ideal\": \"bug\"}\n")
        let single = repo.evalguard("cases", "import", "openai-evals", "single.jsonl", "--suite", "evals")
        #expect(
            single.stdout == "wrote 1 new case(s) to .evals/cases/evals.jsonl\nassertions mapped: ideal → one-of (1)\n")
        #expect(repo.read(".evals/cases/evals.jsonl")?.hasSuffix(#""expected":["bug"]}"# + "\n") == true)

        // Nothing importable into a new file: no suite line to add.
        try repo.write("none.jsonl", "{\"input\": \"x\"}\n")
        let none = repo.evalguard("cases", "import", "openai-evals", "none.jsonl")
        #expect(
            none.stdout
                == "no new cases: .evals/cases/none.jsonl is unchanged\nskipped 1:\n  none.jsonl:1: no assertion evalguard can score: no \"ideal\": nothing says what a right answer is\nnot mapped: no ideal (1)\n"
        )
    }

    /// Ids hold when a later import makes the file's single ideals lists of one; a case file that
    /// starts with a byte order mark is read as every command reads it; text from the imported
    /// file is shown terminal-safe.
    @Test func reimportingEvalsSamplesAddsOnlyTheNewOne() throws {
        let repo = try project(suites: #""evals": {"cases": "cases/evals.jsonl", "scorer": "exact"}"#)
        let two = """
            {"input": [{"role": "user", "content": "a"}], "ideal": "A"}
            {"input": [{"role": "user", "content": "b"}], "ideal": "B"}

            """
        try repo.write("e.jsonl", two)
        let first = repo.evalguard("cases", "import", "openai-evals", "e.jsonl", "--to", "e-cases.jsonl")
        #expect(first.stdout.hasPrefix("wrote 2 new case(s) to e-cases.jsonl\n"), "\(first.stdout)\(first.stderr)")
        try repo.write("e.jsonl", two + #"{"input": [{"role": "user", "content": "c"}], "ideal": ["C", "c"]}"# + "\n")
        let again = repo.evalguard("cases", "import", "openai-evals", "e.jsonl", "--to", "e-cases.jsonl")
        #expect(
            again.stdout.hasPrefix("wrote 1 new case(s) to e-cases.jsonl\nalready there: 2 case(s) with the same id\n"),
            "\(again.stdout)\(again.stderr)")

        try repo.write("bom.jsonl", "\u{FEFF}" + #"{"id": "x", "input": "hi", "expected": "A"}"# + "\n")
        let bom = repo.evalguard("cases", "import", "openai-evals", "e.jsonl", "--to", "bom.jsonl")
        #expect(
            bom.status == 0 && bom.stdout.hasPrefix("wrote 3 new case(s) to bom.jsonl\n"), "\(bom.stdout)\(bom.stderr)")

        try repo.write("promptfooconfig.yaml", "tests:\n  - vars: {q: x}\n    assert:\n      - type: \"\\e[31mevil\"\n")
        let evil = repo.evalguard("cases", "import", "promptfoo", "promptfooconfig.yaml", "--to", "evil.jsonl")
        #expect(
            !evil.stdout.contains("\u{1B}") && evil.stdout.contains("\u{FFFD}[31mevil"), "\(evil.stdout)\(evil.stderr)")
    }

    @Test func aCSVWithQuotedMultiLineFieldsKeepsItsIDsAndRuns() throws {
        let repo = try project(suites: #""table": {"cases": "cases/table.jsonl", "scorer": "exact"}"#)
        try repo.write(
            "cases.csv",
            "ref,question,answer\r\nt-1,\"My card was \"\"declined\"\"\",billing\r\nt-2,\"hello,\r\nanyone?\",greeting\r\n"
        )
        try repo.write("cases.tsv", "ticket\tlabel\n\"it crashes\"\tbug\n")
        let csv = repo.evalguard(
            "cases", "import", "csv", "cases.csv", "--suite", "table",
            "--input-column", "question", "--expected-column", "answer", "--id-column", "ref")
        #expect(csv.status == 0, "\(csv.stderr)")
        #expect(
            repo.read(".evals/cases/table.jsonl") == """
                {"id":"t-1","input":"My card was \\"declined\\"","expected":"billing"}
                {"id":"t-2","input":"hello,\\nanyone?","expected":"greeting"}

                """)
        let tsv = repo.evalguard(
            "cases", "import", "tsv", "cases.tsv", "--to", ".evals/cases/table.jsonl",
            "--input-column", "ticket", "--expected-column", "label")
        #expect(tsv.status == 0, "\(tsv.stderr)")
        #expect(tsv.stdout.hasPrefix("wrote 1 new case(s) to .evals/cases/table.jsonl\n"))
        let run = repo.evalguard("run", "--format", "json")
        #expect((try JSONParser.parse(run.stdout))["suites"]?["table"]?["cases"] == .number(3), "\(run.stderr)")
        let missing = repo.evalguard("cases", "import", "csv", "cases.csv", "--input-column", "prompt")
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("error: cases.csv:1: no column 'prompt' in the header"))
        #expect(missing.stderr.contains("the header has: ref, question, answer"))
    }

    @Test func aBadRecordStopsTheImportAtItsLineAndWritesNothing() throws {
        let repo = try project(suites: #""main": {"cases": "cases/main.jsonl", "scorer": "exact"}"#)
        try repo.write("samples.jsonl", "{\"input\": \"a\", \"ideal\": \"b\"}\n{\"input\": \"c\", \"ideal\": \n")
        try repo.write("broken.csv", "input,expected\n\"open,x\n")
        try repo.write("ragged.csv", "input,expected\na,b\nc\n")
        try repo.write("pf.yaml", "tests:\n  - vars: &shared\n      ticket: hi\n")
        try repo.write("pf-tab.yaml", "tests:\n  - vars:\n\t  ticket: hi\n")
        let bad: [([String], String)] = [
            (["openai-evals", "samples.jsonl"], "error: samples.jsonl:2:"),
            (["csv", "broken.csv"], "error: broken.csv:2: a quoted field is not closed"),
            (["csv", "ragged.csv"], "error: ragged.csv:3: 1 field(s), the header has 2"),
            (["promptfoo", "pf.yaml"], "error: pf.yaml:2: anchors, aliases and tags (&, *, !) are not supported"),
            (["promptfoo", "pf-tab.yaml"], "error: pf-tab.yaml:3: a tab indents this line"),
            (["yaml", "pf.yaml"], "Unknown format 'yaml'"),
        ]
        for (arguments, message) in bad {
            let (console, captured) = Console.capturing()
            let result = CLI.run(
                arguments: ["cases", "import"] + arguments + ["--to", ".evals/cases/out.jsonl"], console: console,
                environment: [:], workingDirectory: repo.root)
            #expect(result == 2, "\(arguments)")
            #expect(captured.stderr.contains(message), "\(arguments): \(captured.stderr)")
            #expect(!repo.exists(".evals/cases/out.jsonl"))
        }
        // A case file that is itself broken is not appended to.
        try repo.write(".evals/cases/out.jsonl", "{\"id\": \"a\", \"input\": \"x\"}\nnot json\n")
        try repo.write("good.jsonl", "{\"input\": \"a\", \"ideal\": \"b\"}\n")
        let onBroken = repo.evalguard("cases", "import", "openai-evals", "good.jsonl", "--to", ".evals/cases/out.jsonl")
        #expect(onBroken.status == 2)
        #expect(onBroken.stderr.contains("error: .evals/cases/out.jsonl:2:"))
        #expect(repo.read(".evals/cases/out.jsonl") == "{\"id\": \"a\", \"input\": \"x\"}\nnot json\n")
    }

    @Test func aConfiguredSuitesScorerChecksEachExpectedAnswer() throws {
        let repo = try project(suites: #""patterns": {"cases": "cases/patterns.jsonl", "scorer": "regex"}"#)
        try repo.write(
            "pf.yaml",
            """
            tests:
              - vars: {ticket: hello}
                assert: [{type: regex, value: "^greet"}]
              - vars: {ticket: broken}
                assert: [{type: regex, value: "(unclosed"}]
            """)
        let result = repo.evalguard("cases", "import", "promptfoo", "pf.yaml", "--suite", "patterns")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(
            result.stdout == """
                wrote 1 new case(s) to .evals/cases/patterns.jsonl
                skipped 1:
                  pf.yaml:4: invalid regular expression "(unclosed": expected ')'
                assertions mapped: regex → regex (2)

                """)
    }

    @Test func usageMistakesExitTwo() throws {
        let repo = try project(suites: #""main": {"cases": "cases/main.jsonl", "scorer": "exact"}"#)
        for (arguments, message) in [
            (["cases", "import", "csv"], "needs a FORMAT"),
            (["cases", "export"], "Unknown action 'export'"),
            (["cases", "import", "csv", "x.csv", "--sample", "3"], "'--sample' applies to 'evalguard cases add'"),
            (["cases", "add"], "needs --from FILE"),
            (
                ["cases", "add", "--from", "x", "--input-column", "q"],
                "'--input-column' applies to 'evalguard cases import'"
            ),
        ] {
            let (console, captured) = Console.capturing()
            #expect(CLI.run(arguments: arguments, console: console, environment: [:], workingDirectory: repo.root) == 2)
            #expect(captured.stderr.contains(message), "\(arguments): \(captured.stderr)")
        }
    }
}
