import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardConfig
@testable import EvalGuardSupport

/// `expected` is optional in a case file: a scorer that compares the output with it says so
/// for the case's line, at load; the others see null.
@Suite struct OptionalExpectedTests {
    func scorer(_ json: String) throws -> Scorer {
        try Scorer(
            node: ConfigNode(
                value: try JSONParser.parse(json), path: ["suites", "s", "scorer"],
                source: ConfigSource(displayPath: ".evals/evalguard.json", text: json)))
    }

    func load(_ scorer: Scorer, _ text: String) throws -> [EvalCase] {
        try CaseFile.parse(Array(text.utf8), displayPath: ".evals/cases/s.jsonl", scorer: scorer)
    }

    static let lines = """
        {"id": "a", "input": "hi", "expected": "hello"}
        {"id": "b", "input": "bye"}

        """

    @Test func scorersThatJudgeWithoutItLoadACaseWithout() throws {
        let judged = try scorer(#"{"type": "judge", "judge": "grader", "rubric": "Polite and correct."}"#)
        let program = try scorer(#"{"type": "command", "command": ["python3", "score.py"]}"#)
        for s in [judged, program, .list([.jsonSchema(.init(schema: .object([:]))), judged])] {
            let cases = try load(s, Self.lines)
            #expect(cases.map(\.expected) == [.string("hello"), .null])
        }
    }

    @Test func scorersThatCompareWithItNameTheLine() throws {
        let named: [(Scorer, String, String)] = [
            (.exact(.init()), "exact", #""hello""#), (.contains(.init()), "contains", #""hello""#),
            (.regex, "regex", #""h.*""#),
            (.json, "json", #"{"a": 1}"#), (.numeric(absolute: 0, relative: 0), "numeric", "3"),
            (.oneOf(.init()), "one-of", #"["hello"]"#),
            (try scorer(#"{"type": "similarity", "model": "embedder", "threshold": 0.8}"#), "similarity", #""hello""#),
            (
                .list([.contains(.init()), try scorer(#"{"type": "judge", "judge": "grader", "rubric": "r"}"#)]),
                "contains", #""hello""#
            ),
        ]
        for (s, name, expected) in named {
            let lines =
                #"{"id": "a", "input": "hi", "expected": \#(expected)}"# + "\n" + #"{"id": "b", "input": "bye"}"# + "\n"
            #expect {
                _ = try load(s, lines)
            } throws: { error in
                let e = error as? EvalGuardError
                return e?.file == ".evals/cases/s.jsonl" && e?.line == 2
                    && e?.message == "case b: missing \"expected\": the \(name) scorer compares the output with it"
            }
        }
    }

    @Test func aRunOfAnExactSuiteWithoutExpectedExitsTwoAtLoad() throws {
        let repo = try ScratchRepository()
        try repo.setUpEvals(model: Models.echo(), cases: [caseLine("a", "x"), #"{"id": "b", "input": "y"}"#])
        let run = repo.evalguard("run")
        #expect(run.status == 2)
        #expect(
            run.stderr.contains(
                #"error: .evals/cases/main.jsonl:2: case b: missing "expected": the exact scorer compares the output with it"#
            ),
            "\(run.stderr)")
        #expect(!repo.exists(".evals/results"))
    }
}
