import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardConfig
@testable import EvalGuardSupport

/// A byte-order mark is skipped in every file evalguard reads; bytes that are not UTF-8 are an
/// error naming the file and line, never silently replaced.
@Suite struct TextEncodingTests {
    static let bom: [UInt8] = [0xEF, 0xBB, 0xBF]

    @Test func aCaseFileMayStartWithAByteOrderMark() throws {
        let bytes = Self.bom + Array("{\"id\": \"a\", \"input\": \"x\", \"expected\": \"x\"}\n".utf8)
        let cases = try CaseFile.parse(bytes, displayPath: "c.jsonl", scorer: .exact(.init()))
        #expect(cases.map(\.id) == ["a"])
    }

    @Test func invalidUTF8InACaseLineIsAnErrorNamingFileAndLine() throws {
        let bytes =
            Array("{\"id\": \"a\", \"input\": \"x\", \"expected\": \"x\"}\n{\"id\": \"b\", \"input\": \"".utf8)
            + [0x78, 0xC3, 0x28] + Array("\", \"expected\": \"y\"}\n".utf8)
        do {
            _ = try CaseFile.parse(bytes, displayPath: ".evals/cases/main.jsonl", scorer: .exact(.init()))
            Issue.record("invalid UTF-8 was accepted")
        } catch let error as EvalGuardError {
            #expect(error.file == ".evals/cases/main.jsonl")
            #expect(error.line == 2)
            #expect(error.column == 24)
            #expect(error.message.contains("UTF-8"))
            #expect(error.exitCode == .usage)
        }
    }

    @Test func theValidatorFindsTheFirstBadByte() {
        #expect(TextBytes.firstInvalidUTF8(Array("héllo ✓ 😀".utf8)) == nil)
        #expect(TextBytes.firstInvalidUTF8([0x61, 0x80]) == 1)
        #expect(TextBytes.firstInvalidUTF8([0x61, 0xE2, 0x9C]) == 1, "a truncated sequence")
        #expect(TextBytes.firstInvalidUTF8([0xC0, 0xAF]) == 0, "an overlong encoding")
        #expect(TextBytes.firstInvalidUTF8([0xED, 0xA0, 0x80]) == 0, "a surrogate")
        #expect(TextBytes.firstInvalidUTF8([0xF4, 0x90, 0x80, 0x80]) == 0, "beyond U+10FFFF")
    }

    @Test func configurationBaselineAndPricesMayStartWithAByteOrderMark() throws {
        let repo = try ScratchRepository()
        try repo.setUpEvals(model: Models.echo(), cases: [caseLine("a", "a")])
        let bomText = String(decoding: Self.bom, as: UTF8.self)
        for file in [".evals/evalguard.json", ".evals/cases/main.jsonl"] {
            try repo.write(file, bomText + (repo.read(file) ?? ""))
        }
        try repo.commitAll("Add evals with byte-order marks")
        #expect(repo.evalguard("baseline").status == 0)
        try repo.write(".evals/baseline.json", bomText + (repo.read(".evals/baseline.json") ?? ""))
        try repo.commitAll("Baseline")
        let check = repo.evalguard("check")
        #expect(check.status == 0, "\(check.stderr)")

        let prices = try PriceTable.parse(
            ConfigSource(
                displayPath: ".evals/prices.json",
                text: bomText + #"{"m": {"input_per_million": 1, "output_per_million": 2}}"#))
        #expect(prices.models["m"] != nil)
    }

    @Test func invalidUTF8InTheConfigurationIsAnErrorNamingTheLine() throws {
        let repo = try ScratchRepository()
        try repo.setUpEvals(model: Models.echo(), cases: [caseLine("a", "a")])
        var bytes = Array((repo.read(".evals/evalguard.json") ?? "").utf8)
        let secondLineEnd = bytes.firstIndex(of: 0x0A)! + 1 + 10
        bytes.insert(0xFF, at: secondLineEnd)
        try Data(bytes).write(to: URL(fileURLWithPath: repo.path(".evals/evalguard.json")))
        let r = repo.evalguard("run")
        #expect(r.status == 2)
        #expect(r.stderr.contains(".evals/evalguard.json:2:"), "\(r.stderr)")
        #expect(r.stderr.contains("UTF-8"), "\(r.stderr)")
    }
}
