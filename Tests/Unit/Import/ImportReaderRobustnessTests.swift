import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardImport
@testable import EvalGuardSupport

/// The readers of imported files take untrusted bytes: every prefix of a realistic file, and the
/// file with each character in turn deleted, either reads or fails with an EvalGuardError (a
/// trap would end the test process).
@Suite struct ImportReaderRobustnessTests {
    static let yaml = """
        description: "Router"
        tests:
          - description: 'it''s'
            vars: {ticket: "a\\tb", n: [1, 2]}
            assert:
              - type: equals
                value: |-
                  refund
                  now
          - vars:
              ticket: >
                folded
                text
            assert: [{type: contains, value: x}]   # c
        """

    static let csv = "id,\"question\",answer\r\n1,\"a, \"\"b\"\"\nc\",x\n2,plain,y\n"

    static let records = """
        {"input": {"text": "hi"}, "output": "hello"}
        {"resourceSpans": [{"scopeSpans": [{"spans": [{"spanId": "ab", "attributes": [{"key": "gen_ai.prompt.0.content", "value": {"stringValue": "x"}}, {"key": "gen_ai.completion.0.tool_calls.0.arguments", "value": {"stringValue": "{\\"a\\": 1}"}}], "events": [{"name": "gen_ai.choice", "attributes": [{"key": "message", "value": {"kvlistValue": {"values": []}}}]}]}]}]}]}
        """

    static func variants(_ text: String) -> [String] {
        let chars = Array(text)
        return (0...chars.count).map { String(chars[..<$0]) }
            + chars.indices.map { i in String(chars[..<i] + chars[(i + 1)...]) }
    }

    static func readsOrFailsCleanly(_ read: () throws -> Void) -> Bool {
        do { try read() } catch is EvalGuardError { return true } catch { return false }
        return true
    }

    @Test func theYAMLReader() {
        for v in Self.variants(Self.yaml) {
            #expect(Self.readsOrFailsCleanly { _ = try YAMLReader.parse(v, path: "t.yaml") }, "\(v.debugDescription)")
        }
    }

    @Test func theCSVReader() {
        for v in Self.variants(Self.csv) {
            #expect(
                Self.readsOrFailsCleanly { _ = try CSVTable.parse(v, separator: ",", path: "t.csv") },
                "\(v.debugDescription)")
        }
    }

    @Test func theRecordReader() {
        for v in Self.variants(Self.records) {
            #expect(
                Self.readsOrFailsCleanly {
                    let records = try ProductionRecords.read(v, display: "log.jsonl")
                    _ = ProductionRecords.cases(
                        records, inputField: "input", outputField: "output", expectedField: "output")
                }, "\(v.debugDescription)")
        }
    }
}
