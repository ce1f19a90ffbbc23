import Foundation
import Testing
@testable import EvalGuardHistory
@testable import EvalGuardSupport

/// `log` reads a result's figures without parsing its cases.
@Suite struct CaseStrippingTests {
    @Test func casesArraysAreEmptiedAndNothingElseChanges() throws {
        let text = #"""
            {"overall": {"cases": 3, "accuracy": 1},
             "suites": [{"name": "a", "cases" : [ {"id": "x", "output": "\"cases\": [ ] } ] {"}, {"id": "y\\", "n": [1, [2]]} ],
                         "metrics": {"cases": 2}},
                        {"cases": [], "name": "b"}],
             "note": "\"cases\": [1, 2]"}
            """#
        let stripped = String(decoding: CaseStripping.strip(Data(text.utf8)), as: UTF8.self)
        let value = try JSONParser.parse(stripped)
        let original = try JSONParser.parse(text)
        #expect(value["overall"] == original["overall"])
        #expect(value["note"] == original["note"])
        let suites = try #require(value["suites"]?.arrayValue)
        #expect(suites.count == 2)
        #expect(suites[0]["cases"] == .array([]))
        #expect(suites[0]["metrics"] == .object(["cases": .number(2)]))
        #expect(suites[1]["name"] == .string("b"))
        // Nothing to strip: the same bytes.
        let plain = Data(#"{"a": 1}"#.utf8)
        #expect(CaseStripping.strip(plain) == plain)
    }
}
