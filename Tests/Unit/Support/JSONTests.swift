import EvalGuardTestSupport
import Testing

@testable import EvalGuardSupport

@Suite struct JSONTests {
    @Test func parsesAndWritesCanonically() throws {
        let v = try JSONParser.parse(#" {"b": [1, 2.5, -3e2, true, null], "a": "x\"\u00e9\n"} "#)
        #expect(v.canonicalText == #"{"a":"x\"é\n","b":[1,2.5,-300,true,null]}"#)
    }

    @Test func reportsTheColumnOfASyntaxError() {
        #expect(throws: JSONParser.SyntaxError(offset: 9, message: "expected ',' or '}' in object")) {
            try JSONParser.parse(#"{"a": 1  "b": 2}"#)
        }
        #expect(throws: JSONParser.SyntaxError.self) { try JSONParser.parse("hello") }
        #expect(throws: JSONParser.SyntaxError.self) { try JSONParser.parse("{} x") }
    }

    @Test func decodesSurrogatePairs() throws {
        #expect(try JSONParser.parse(#""\ud83d\ude00""#) == .string("😀"))
    }

    @Test func objectEqualityIgnoresKeyOrder() throws {
        #expect(try JSONParser.parse(#"{"a":1,"b":[1,{"c":2}]}"#) == JSONParser.parse(#"{"b":[1,{"c":2}],"a":1.0}"#))
    }
}
