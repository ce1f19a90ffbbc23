import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardStore
@testable import EvalGuardSupport

/// A result file is mapped and read by hand with the pages already read let go as the reader
/// passes them (`MappedFile`, `ResultStore.decode(_:source:)`): it reads what `JSONDecoder`
/// reads, and a file the hand reader refuses near its end, after pages were let go, is still
/// decoded whole by `JSONDecoder` from the same mapping.
@Suite struct MappedResultFileTests {
    /// A result that passes the stored results' checks: plain answers, blob ids where they belong.
    static func plainResult(count: Int) -> RunResult {
        let cases = (0..<count).map { i in
            var c = CaseResult(
                id: "case-\(i)", passed: i % 3 != 0, score: i % 3 != 0 ? 1 : 0, latencyMs: Double(i % 97) / 7,
                coldStart: i == 0, output: "\"answer \(i)\"")
            c.inputDigest = String(repeating: "a", count: 40)
            return c
        }
        let suite = SuiteResult(
            name: "bench", casesFile: ".evals/cases/bench.jsonl", casesDigest: String(repeating: "d", count: 40),
            scorer: "exact", metrics: Metrics(cases), cases: cases)
        return RunResult(
            format: RunResult.formatVersion, evalguardVersion: "v", commit: String(repeating: "c", count: 40),
            dirty: false,
            key: String(repeating: "e", count: 40), createdAt: "t", configDigest: "cd", model: [:], suites: [suite],
            overall: Metrics(cases))
    }

    /// A pretty result of several release steps (1 MB each), written to a temporary file.
    static func file(_ result: RunResult, _ edit: (String) -> String = { $0 }) throws -> (path: String, text: String) {
        let text = edit(String(decoding: try ResultStore.encode(result, pretty: true), as: UTF8.self))
        let path = NSTemporaryDirectory() + "evalguard-mapped-\(UUID().uuidString).json"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return (path, text)
    }

    static func written(_ result: RunResult?) throws -> [UInt8]? {
        try result.map { Array(try ResultStore.encode($0, pretty: false)) }
    }

    @Test func aMappedResultReadsAsJSONDecoderReadsIt() throws {
        let (path, text) = try Self.file(ResultSamples.fullResult(count: 4000))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(text.utf8.count > 4 << 20, "the file spans several release steps")
        let file = try #require(MappedFile(path: path))
        let read = try #require(RunResult.read(file.bytes, decoder: JSONDecoder(), passed: file.release(before:)))
        let decoded = try JSONDecoder().decode(RunResult.self, from: Data(text.utf8))
        #expect(try Self.written(read) == Self.written(decoded))
        #expect(read.suites.flatMap(\.cases) == decoded.suites.flatMap(\.cases))
    }

    @Test func aResultRefusedNearItsEndIsDecodedWholeFromTheSameMapping() throws {
        // A member the hand reader does not know, in the last case: it refuses there, after
        // letting most pages go, and JSONDecoder (which ignores unknown members) reads it all.
        let (path, text) = try Self.file(Self.plainResult(count: 40000)) { text in
            let last = text.range(of: "\"cold_start\"", options: .backwards)!
            return text.replacingCharacters(in: last, with: "\"unknown\" : 1,\n\"cold_start\"")
        }
        defer { try? FileManager.default.removeItem(atPath: path) }
        let file = try #require(MappedFile(path: path))
        #expect(RunResult.read(file.bytes, decoder: JSONDecoder(), passed: file.release(before:)) == nil)
        let fromMapping = try #require(ResultStore.decode(file, source: "r.json"))
        let decoded = try JSONDecoder().decode(RunResult.self, from: Data(text.utf8))
        #expect(text.utf8.count > 2 << 20, "the reader passed release steps before it refused")
        #expect(try Self.written(fromMapping) == Self.written(decoded))
    }

    @Test func whatIsNoFileMapsToNothing() throws {
        #expect(MappedFile(path: NSTemporaryDirectory() + "evalguard-absent-\(UUID().uuidString)") == nil)
        #expect(MappedFile(path: NSTemporaryDirectory()) == nil, "a directory")
        let empty = NSTemporaryDirectory() + "evalguard-empty-\(UUID().uuidString)"
        try "".write(toFile: empty, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: empty) }
        let file = try #require(MappedFile(path: empty))
        #expect(file.bytes.isEmpty)
        #expect(ResultStore.decode(file, source: "empty.json") == nil)
    }
}
