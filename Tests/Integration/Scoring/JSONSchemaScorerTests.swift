import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardConfig
@testable import EvalGuardEvaluation
@testable import EvalGuardScoring
@testable import EvalGuardStore
@testable import EvalGuardSupport

@Suite struct JSONSchemaScorerTests {
    static let person =
        #"{"type": "object", "required": ["name"], "properties": {"name": {"type": "string", "maxLength": 3}, "age": {"type": "integer", "minimum": 0}}, "additionalProperties": false}"#

    func scorer(_ json: String) throws -> Scorer {
        let source = ConfigSource(displayPath: ".evals/evalguard.json", text: json)
        return try Scorer(node: ConfigNode.parse(source))
    }

    func outcome(_ schema: String, _ output: String) throws -> ScoreOutcome {
        ScoringSession().score(
            try scorer(#"{"type": "json-schema", "schema": \#(schema)}"#),
            output: try JSONParser.parse(output), expected: .null)
    }

    @Test func validatesParsedOutputAndNamesPathAndKeyword() throws {
        #expect(try outcome(Self.person, #"{"name": "Bo", "age": 4}"#) == ScoreOutcome(passed: true))
        // A string output is parsed as JSON first.
        #expect(try outcome(Self.person, #""{\"name\": \"Bo\"}""#).passed)
        let bad = try outcome(Self.person, #"{"name": "Bo", "age": -1}"#)
        #expect(!bad.passed && bad.score == 0)
        #expect(bad.reason == "/age: minimum: -1 is less than 0")
        #expect(
            try outcome(Self.person, #"{"age": 1}"#).reason
                == #"(root): required: missing the required property "name""#)
        #expect(
            try outcome(Self.person, #"{"name": "Bo", "x/y": 1}"#).reason
                == #"(root): additionalProperties: the property "x/y" is not allowed"#)
        #expect(
            try outcome(#"{"items": {"type": "string"}}"#, #"["a", 2]"#).reason
                == "/1: type: expected string, found an integer")
    }

    @Test func numbersCompareByValueAndStringsCountCodePoints() throws {
        #expect(try outcome(#"{"const": 1}"#, "1.0").passed)
        #expect(try outcome(#"{"enum": [2.0]}"#, "2").passed)
        #expect(try outcome(#"{"type": "integer"}"#, "3.0").passed)
        #expect(
            try outcome(#"{"uniqueItems": true}"#, "[1, 1.0]").reason == "(root): uniqueItems: items 0 and 1 are equal")
        // One code point, two UTF-16 units, four bytes.
        #expect(try outcome(#"{"maxLength": 1}"#, #""💩""#).passed)
        #expect(try !outcome(#"{"minLength": 2}"#, #""💩""#).passed)
    }

    @Test func configurationErrors() throws {
        #expect(throws: EvalGuardError.self) { try scorer(#"{"type": "json-schema"}"#) }
        #expect(throws: EvalGuardError.self) {
            try scorer(#"{"type": "json-schema", "schema": {}, "schema_file": "s.json"}"#)
        }
        #expect(throws: EvalGuardError.self) { try scorer(#"{"type": "json-schema", "schema": 3}"#) }
        #expect(throws: EvalGuardError.self) {
            try scorer(#"{"type": "json-schema", "schema_file": "../outside.json"}"#)
        }
        let node = try ConfigNode.parse(
            ConfigSource(
                displayPath: "s.json", text: "{\n  \"properties\": {\n    \"a\": {\"minLength\": -1}\n  }\n}\n"))
        do {
            _ = try JSONSchema(node: node)
            Issue.record("a negative minLength was accepted")
        } catch let error as EvalGuardError {
            #expect(error.file == "s.json")
            #expect(error.line == 3)
            #expect(error.message.contains("minLength must be a non-negative integer"))
        }
        let unresolved = try ConfigNode.parse(
            ConfigSource(displayPath: "s.json", text: ##"{"$ref": "#/$defs/missing"}"##))
        #expect(throws: EvalGuardError.self) { try JSONSchema(node: unresolved) }
    }

    /// A schema file from the repository root: the reason lands in the result, a bad schema stops
    /// the run with exit 2 naming the file and line, and a schema change re-scores stored answers
    /// without asking the model again: with the model's inputs unset (every file but evalguard's)
    /// and with `inputs` naming the model's files (the schema file still keys the whole result).
    @Test(arguments: [false, true]) func schemaFileEndToEnd(namedInputs: Bool) throws {
        let repo = try ScratchRepository()
        let counter = repo.path(".git/model-starts.log")
        try repo.write("model.py", Models.echo(counter: counter))
        try repo.write(".evals/.gitignore", "results/\n")
        try repo.write(".evals/schemas/person.json", Self.person + "\n")
        try repo.write(
            ".evals/cases/people.jsonl",
            [
                #"{"id": "ok", "input": {"name": "Bo", "age": 3}}"#,
                #"{"id": "long", "input": {"name": "Robert"}}"#,
            ].joined(separator: "\n") + "\n")
        try repo.write(
            ".evals/evalguard.json",
            """
            {
              "model": {"command": ["python3", "model.py"], "jobs": 1\(namedInputs ? #", "inputs": ["model.py"]"# : "")},
              "suites": {"people": {"cases": "cases/people.jsonl",
                                    "scorer": {"type": "json-schema", "schema_file": ".evals/schemas/person.json"}}},
              "thresholds": {"p95_latency_ms": false}
            }
            """)
        try repo.commitAll("people")
        let first = repo.evalguard("run")
        #expect(first.status == 0, "\(first.stderr)")
        var result = try JSONDecoder().decode(
            RunResult.self, from: Data(repo.read(".evals/results/\(repo.head).json")!.utf8))
        let cases = Dictionary(uniqueKeysWithValues: result.suites[0].cases.map { ($0.id, $0) })
        #expect(cases["ok"]?.passed == true && cases["ok"]?.reason == nil)
        #expect(cases["long"]?.passed == false)
        #expect(cases["long"]?.reason == "/name: maxLength: 6 characters, more than 3")
        let starts = {
            (try? String(contentsOfFile: counter, encoding: .utf8))?.split(separator: "\n").count { $0 == "start" } ?? 0
        }
        #expect(starts() == 1)

        try repo.write(
            ".evals/schemas/person.json",
            Self.person.replacingOccurrences(of: "\"maxLength\": 3", with: "\"maxLength\": 10") + "\n")
        try repo.commitAll("longer names")
        let second = repo.evalguard("run")
        #expect(second.status == 0, "\(second.stderr)")
        result = try JSONDecoder().decode(
            RunResult.self, from: Data(repo.read(".evals/results/\(repo.head).json")!.utf8))
        #expect(result.suites[0].cases.allSatisfy { $0.passed })
        #expect(result.suites[0].reuse?.rescored == 2)
        #expect(starts() == 1, "a schema change re-scores stored answers, it does not ask the model")

        try repo.write(".evals/schemas/person.json", "{\n  \"type\": \"object\",\n  \"required\": \"name\"\n}\n")
        let broken = repo.evalguard("run")
        #expect(broken.status == 2)
        #expect(broken.stderr.contains(".evals/schemas/person.json:3"), "\(broken.stderr)")
        #expect(broken.stderr.contains("required must be an array of strings"))
        #expect(starts() == 1)
    }
}

extension JSONSchemaScorerTests {
    /// A key of the model's output lands in the instance path: its control characters must not
    /// reach a terminal raw.
    @Test func controlCharactersInKeysAreEscaped() throws {
        let reason = try outcome(#"{"additionalProperties": false}"#, #"{"\u001b[31mred": 1}"#).reason
        #expect(reason == #"(root): additionalProperties: the property "\u001b[31mred" is not allowed"#)
        let nested = try outcome(#"{"additionalProperties": {"type": "string"}}"#, #"{"\u001b[2J": 1}"#).reason
        #expect(nested == #"/\u{1B}[2J: type: expected string, found an integer"#)
    }
}

extension JSONSchemaScorerTests {
    /// `check` blocks on a schema regression and prints, beside the case that broke, the
    /// violation that broke it.
    @Test func checkShowsTheViolationOfABrokenCase() throws {
        let repo = try ScratchRepository()
        try repo.write("model.py", Models.echo())
        try repo.write(".evals/.gitignore", "results/\n")
        try repo.write(
            ".evals/cases/people.jsonl",
            (0..<6).map { #"{"id": "p\#($0)", "input": {"name": "Al"}}"# }.joined(separator: "\n") + "\n")
        try repo.write(
            ".evals/evalguard.json",
            """
            {
              "model": {"command": ["python3", "model.py"], "jobs": 1},
              "suites": {"people": {"cases": "cases/people.jsonl", "scorer": {"type": "json-schema", "schema": \(Self.person)}}},
              "thresholds": {"p95_latency_ms": false}
            }
            """)
        try repo.commitAll("people")
        #expect(repo.evalguard("baseline").status == 0)
        try repo.commitAll("baseline")
        // The new model answers with names too long for the schema.
        try repo.write(
            "model.py",
            Models.echo().replacingOccurrences(of: #""output": r["input"]"#, with: #""output": {"name": "Roberta"}"#))
        let check = repo.evalguard("check")
        #expect(check.status == 1, "\(check.stdout)\(check.stderr)")
        #expect(
            check.stdout.contains(
                "- p0  got {\"name\":\"Roberta\"}  because /name: maxLength: 7 characters, more than 3"),
            "\(check.stdout)")
    }
}

extension JSONSchemaScorerTests {
    /// An invalid inline schema stops the suite's loading with the configuration's file and the
    /// line of the bad keyword.
    @Test func invalidInlineSchemaNamesTheConfigurationLine() throws {
        let text = """
            {
              "model": {"command": ["true"]},
              "suites": {"s": {"cases": "cases/s.jsonl", "scorer": {"type": "json-schema", "schema": {
                "properties": {
                  "name": {"type": "strin"}
                }
              }}}}
            }
            """
        let config = try EvalConfig.parse(ConfigSource(displayPath: ".evals/evalguard.json", text: text))
        do {
            _ = try Evaluation.loadSuites(config) { _ in Array(#"{"id": "a", "input": 1}"#.utf8) }
            Issue.record("an invalid inline schema was accepted")
        } catch let error as EvalGuardError {
            #expect(error.file == ".evals/evalguard.json")
            #expect(error.line == 5)
            #expect(error.message.contains("invalid JSON Schema: type must be one of"), "\(error.message)")
        }
    }
}
