import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardImport
@testable import EvalGuardSupport

/// How promptfoo's tests are read: test files named by a `file://` glob, `defaultTest` merged in,
/// each assertion mapped to the scorer that scores the same thing, and nothing run.
@Suite struct PromptfooTestsReadingTests {
    func directory(_ files: [String: String]) throws -> String {
        let root = NSTemporaryDirectory() + "evalguard-promptfoo-\(UUID().uuidString)"
        for (name, text) in files {
            let path = root + "/" + name
            try FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        }
        return root
    }

    @Test func testFilesByGlobWithDefaultTestAndNothingRun() throws {
        let root = try directory([
            "promptfooconfig.yaml": """
            prompts: ['Answer: {{question}}']
            providers: [openai:gpt-4o-mini]
            defaultTest:
              vars:
                tone: polite
              assert:
                - type: llm-rubric
                  value: Answers the question politely
            tests: file://tests/*.yaml
            scenarios:
              - config: []
            """,
            "tests/a.yaml": """
            - vars: {question: What is 2+2?}
              assert:
                - type: similar
                  value: four
                  threshold: 0.9
            - vars: {question: JSON please, tone: curt}
              assert: [{type: is-json, value: {type: object, required: [answer]}}]
            """,
            "tests/b.yaml": "- vars: file://vars.yaml\n",
            "tests/c.txt": "not a test file\n",
        ])
        defer { try? FileManager.default.removeItem(atPath: root) }
        let error = #expect(throws: EvalGuardError.self) {
            try PromptfooImport.read(path: root + "/promptfooconfig.yaml", display: "promptfooconfig.yaml")
        }
        #expect(error?.file == "tests/b.yaml" && error?.line == 1 && error?.message == "vars from a file are not read")

        try "- vars: {question: Why?}\n  assert: [{type: python, value: file://grade.py}]\n".write(
            toFile: root + "/tests/b.yaml", atomically: true, encoding: .utf8)
        let read = try PromptfooImport.read(path: root + "/promptfooconfig.yaml", display: "promptfooconfig.yaml")
        #expect(
            read.skipped == [
                SkippedCase(
                    source: "promptfooconfig.yaml:11",
                    reason: "scenarios are not imported: list their tests under tests:")
            ])
        #expect(read.tests.map(\.source) == ["tests/a.yaml:1", "tests/a.yaml:6", "tests/b.yaml:1"])
        #expect(read.tests[0].input == .object(["question": .string("What is 2+2?"), "tone": .string("polite")]))
        #expect(read.tests[1].input == .object(["question": .string("JSON please"), "tone": .string("curt")]))
        let types = read.tests.map { $0.assertions.map(\.type) }
        #expect(types == [["llm-rubric", "similar"], ["llm-rubric", "is-json"], ["llm-rubric", "python"]])

        // Every test has the rubric: the judge is the scorer, the rubric each case's expected answer.
        let selection = ImportSelection(read.tests, family: nil)
        #expect(selection.scorer == .judge)
        #expect(selection.cases.map(\.expected) == Array(repeating: .string("Answers the question politely"), count: 3))
        #expect(
            selection.mapped.map { "\($0.from) → \($0.to) (\($0.count))" } == [
                "llm-rubric → judge (3)", "similar → similarity (1)", "is-json → json-schema (1)",
            ])
        #expect(selection.notMapped.map(\.from) == ["python"])
        let similar = ImportSelection(read.tests, family: "similarity")
        #expect(similar.scorer == .similarity(threshold: 0.9))
        #expect(similar.scorer?.configText == #"{"type": "similarity", "model": "embedder", "threshold": 0.9}"#)
        var otherThreshold = read.tests
        otherThreshold[1].assertions.append(
            ("similar", .mapped(.similarity(threshold: 0.5), expected: .string("json"))))
        otherThreshold.append(otherThreshold[1])
        #expect(
            ImportSelection(otherThreshold, family: "similarity").skipped.map(\.reason) == [
                "its similarity assertion has settings of its own; this import writes {\"type\": \"similarity\", \"model\": \"embedder\", \"threshold\": 0.5} (import it again with another --to)",
                "its assertions map to judge; this import writes similarity cases (import it again with --scorer judge and another --to)",
            ])
        let schema = ImportSelection(read.tests, family: "json-schema")
        #expect(schema.cases.map(\.expected) == [nil])
        #expect(
            schema.scorer?.configText == #"{"type": "json-schema", "schema": {"required":["answer"],"type":"object"}}"#)
    }

    @Test func aTestGeneratorIsReportedNotRun() throws {
        let root = try directory([
            "promptfooconfig.yaml": "tests:\n  - file://make_tests.py\n  - huggingface://datasets/x\n",
            "make_tests.py": "open('/tmp/ran', 'w')\n",
        ])
        defer { try? FileManager.default.removeItem(atPath: root) }
        let read = try PromptfooImport.read(path: root + "/promptfooconfig.yaml", display: "promptfooconfig.yaml")
        #expect(read.tests.isEmpty)
        #expect(
            read.skipped.map(\.reason) == [
                "tests made by make_tests.py are not imported: evalguard never runs code from an imported file",
                "tests from huggingface://datasets/x are not imported: only files are read",
            ])
    }

    @Test func csvExpectedCellsMapByPrefix() {
        let cells: [(String, String, ImportScorer?)] = [
            ("equals: refund", "equals", .exact), ("refund", "equals", .exact),
            ("contains: Paris", "contains", .contains(caseInsensitive: false)),
            ("icontains: paris", "icontains", .contains(caseInsensitive: true)), ("regex: ^\\d+$", "regex", .regex),
            ("is-json", "is-json", .jsonSchema(schema: "true")),
            ("similar(0.8): four", "similar", .similarity(threshold: 0.8)),
            ("llm-rubric: is polite", "llm-rubric", .judge), ("grade: is polite", "llm-rubric", .judge),
            ("javascript: output.length < 5", "javascript", nil), ("fn: x", "javascript", nil),
            ("python: True", "python", nil),
            ("not-contains: x", "not-contains", nil), ("starts-with: x", "starts-with", nil),
        ]
        for (cell, type, scorer) in cells {
            let mapped = PromptfooAssertions.map(expectedCell: cell)
            #expect(mapped.type == type, "\(cell)")
            if case .mapped(let s, _) = mapped.mapped {
                #expect(s == scorer, "\(cell)")
            } else {
                #expect(scorer == nil, "\(cell)")
            }
        }
    }

    @Test func aSharedDescriptionNamesTheFirstTestAndTheContentTheOther() {
        let tests = ["a", "b"].map {
            ReadTest(
                source: "t.yaml:\($0)", id: "greeting", input: .string($0),
                assertions: [("equals", .mapped(.exact, expected: .string("hi")))])
        }
        let selection = ImportSelection(tests, family: nil)
        #expect(
            selection.cases.map(\.id) == [
                "greeting", ImportedCase.contentID(input: .string("b"), expected: .string("hi")),
            ])
    }

    @Test func equalsComparesTextAsPromptfooDoes() {
        let node = try? YAMLReader.parse(
            "- {type: equals, value: 4}\n- {type: equals, value: true}\n- {type: equals, value: {a: 1}}\n",
            path: "t.yaml")
        guard case .sequence(let items, _)? = node else {
            Issue.record("not a list")
            return
        }
        let expected = items.map { item -> JSONValue? in
            if case .mapped(_, let e) = PromptfooAssertions.map(item).mapped { return e }
            return nil
        }
        #expect(expected == [.string("4"), .string("true"), .object(["a": .number(1)])])
    }
}
