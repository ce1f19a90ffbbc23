import EvalGuardTestSupport
import Testing

@testable import EvalGuardConfig
@testable import EvalGuardSupport

/// Numeric case ids: refused with the file and line where they cannot be written back exactly,
/// accepted as written up to 2^53.
@Suite struct CaseIdTests {
    func caseFileError(_ text: String) -> EvalGuardError? {
        do {
            _ = try CaseFile.parse(Array(text.utf8), displayPath: ".evals/cases/main.jsonl", scorer: .exact(.init()))
            return nil
        } catch let error as EvalGuardError { return error } catch { return nil }
    }

    @Test(arguments: ["1e19", "-1e19", "9223372036854775808", "1e300"])
    func aNumberIdTooLargeToWriteExactlyIsAnErrorOnItsLine(_ id: String) throws {
        let error = try #require(
            caseFileError(
                """
                {"id": 1, "input": "a", "expected": "a"}
                {"id": \(id), "input": "b", "expected": "b"}
                """))
        #expect(error.file == ".evals/cases/main.jsonl")
        #expect(error.line == 2)
        #expect(error.message.contains("\"id\""))
        #expect(error.hint?.contains("string") == true)
        #expect(error.exitCode == .usage)
    }

    @Test func wholeNumberIdsUpToTwoToTheFiftyThreeAreAcceptedAsWritten() throws {
        let cases = try CaseFile.parse(
            Array(
                """
                {"id": 9007199254740992, "input": "a", "expected": "a"}
                {"id": -42, "input": "b", "expected": "b"}
                """.utf8), displayPath: "c.jsonl", scorer: .exact(.init()))
        #expect(cases.map(\.id) == ["9007199254740992", "-42"])
    }
}
