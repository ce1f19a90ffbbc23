import EvalGuardTestSupport
import Testing

@testable import EvalGuardConfig
@testable import EvalGuardScoring
@testable import EvalGuardSupport

@Suite struct ScorerTests {
    let session = ScoringSession()

    func passes(_ scorer: Scorer, _ output: String, _ expected: String) throws -> Bool {
        session.passes(scorer, output: try JSONParser.parse(output), expected: try JSONParser.parse(expected))
    }

    @Test func exact() throws {
        #expect(try passes(.exact(.init()), #"" Yes ""#, #""Yes""#))
        #expect(try !passes(.exact(.init(trim: false)), #"" Yes ""#, #""Yes""#))
        #expect(try !passes(.exact(.init()), #""yes""#, #""Yes""#))
        #expect(try passes(.exact(.init(caseInsensitive: true)), #""yes""#, #""Yes""#))
        #expect(try passes(.exact(.init()), "42", "42"))
    }

    @Test func containsAndRegex() throws {
        #expect(try passes(.contains(.init()), #""the answer is Paris.""#, #""Paris""#))
        #expect(try !passes(.contains(.init()), #""the answer is London""#, #""Paris""#))
        #expect(try passes(.regex, ##""order #1234 shipped""##, ##""#\\d{4}""##))
        #expect(try !passes(.regex, ##""order shipped""##, ##""^#\\d+$""##))
    }

    @Test func jsonIgnoresKeyOrderAndParsesStrings() throws {
        #expect(try passes(.json, #"{"b": [1, 2], "a": {"c": null}}"#, #"{"a": {"c": null}, "b": [1, 2]}"#))
        #expect(try passes(.json, #""{\"b\": 2, \"a\": 1}""#, #"{"a": 1, "b": 2}"#))
        #expect(try !passes(.json, #"{"a": 1}"#, #"{"a": 2}"#))
    }

    @Test func numericTolerances() throws {
        #expect(try passes(.numeric(absolute: 0.01, relative: 0), "3.141", "3.14"))
        #expect(try !passes(.numeric(absolute: 0.0001, relative: 0), "3.141", "3.14"))
        #expect(try passes(.numeric(absolute: 0, relative: 0.01), #"" 101 ""#, "100"))
        #expect(try !passes(.numeric(absolute: 0, relative: 0.01), #""n/a""#, "100"))
    }

    @Test func oneOf() throws {
        #expect(try passes(.oneOf(.init(caseInsensitive: true)), #""NYC""#, #"["New York", "nyc"]"#))
        #expect(try !passes(.oneOf(.init()), #""LA""#, #"["New York", "nyc"]"#))
    }
}
