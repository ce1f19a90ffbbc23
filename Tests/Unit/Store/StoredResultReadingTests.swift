import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardStore
@testable import EvalGuardSupport

/// A stored result's cases are read by hand (`RunResult.read`, `CaseResult.read`), not by
/// `JSONDecoder`: on every document the hand reader either refuses (and `JSONDecoder` then
/// decides, as before) or reads exactly what `JSONDecoder` reads. It never accepts what
/// `JSONDecoder` rejects.
@Suite struct StoredResultReadingTests {
    static let decoder = JSONDecoder()

    /// The result as `JSONDecoder` reads it and as the hand reader reads it, each written back.
    static func both(_ text: String) throws -> (foundation: [UInt8]?, read: [UInt8]?) {
        let data = Data(text.utf8)
        let foundation = try (try? decoder.decode(RunResult.self, from: data)).map {
            try ResultStore.encode($0, pretty: false)
        }
        let read = try RunResult.read(data, decoder: decoder).map { try ResultStore.encode($0, pretty: false) }
        return (foundation.map(Array.init), read.map(Array.init))
    }

    @Test(arguments: [false, true])
    func aFullResultReadsAsJSONDecoderReadsIt(pretty: Bool) throws {
        let result = ResultSamples.fullResult(count: 40)
        let text = String(decoding: try ResultStore.encode(result, pretty: pretty), as: UTF8.self)
        let (foundation, read) = try Self.both(text)
        #expect(read != nil, "the hand reader refused what it wrote")
        #expect(foundation != nil)
        #expect(read == foundation, "\(ResultSamples.difference(read ?? [], foundation ?? []) ?? "")")
        // And the cases are equal field by field, not only once written.
        let cases = try #require(RunResult.read(Data(text.utf8), decoder: Self.decoder)).suites.flatMap(\.cases)
        #expect(cases == (try Self.decoder.decode(RunResult.self, from: Data(text.utf8))).suites.flatMap(\.cases))
    }

    /// Each edit of one case (or of the document around the cases), as text.
    static let edits: [(String, String)] = [
        ("\"passed\":true", "\"passed\":null"), ("\"passed\":true", "\"passed\":1"), ("\"passed\":true,", ""),
        ("\"passed\":true", "\"passed\":true,\"passed\":false"),
        ("\"passed\":true", "\"passed\":true,\"unknown\":[1,{\"a\":2}]"),
        ("\"runs\":3", "\"runs\":3.0"), ("\"runs\":3", "\"runs\":3e0"), ("\"runs\":3", "\"runs\":\"3\""),
        ("\"runs\":3", "\"runs\":null"),
        ("\"runs\":3", "\"runs\":99999999999999999999"), ("\"runs\":3", "\"runs\":-3"), ("\"runs\":3", "\"runs\":03"),
        ("\"score\":", "\"score\":1e400,\"x\":"), ("\"latency_ms\":", "\"latency_ms\":-0,\"y\":"),
        ("\"score\":", "\"score\":.5,\"z\":"), ("\"cost_usd\":", "\"cost_usd\":null,\"w\":"),
        ("\"id\":\"", "\"id\":\"\\u00e9\\n\\\"\\/\\ud83d\\ude00"), ("\"id\":\"", "\"id\":\"\\ud800"),
        ("\"id\":\"", "\"id\":\"\\u+0a1"),
        ("\"id\":\"", "\"id\":\"\\x"), ("\"id\":\"", "\"id\":\"\t"), ("\"output\":\"", "\"output\":\"\\u0000"),
        ("\"usage\":{", "\"usage\":{\"n\":null,"), ("\"usage\":{", "\"usage\":{\"n\":1,\"n\":2,"),
        ("\"latencies_ms\":[", "\"latencies_ms\":[null,"), ("\"run_outputs\":[{", "\"run_outputs\":[{\"extra\":1,"),
        ("\"run_outputs\":[{", "\"run_outputs\":[{\"runs\":1,"), ("\"cases\":[", "\"cases\":[1,"),
        ("\"cases\":[", "\"cases\":{},\"q\":["),
        ("\"cases\":[", "\"cases\":[],\"cases\":["), ("\"suites\":[", "\"suites\":[{},"),
        ("\"format\":", "\"format\":\"2\",\"f\":"),
        // A suite's `reuse.ran`, read by hand too.
        ("\"ran\":[", "\"ran\":[null,"), ("\"ran\":[", "\"ran\":[1,"), ("\"ran\":[", "\"ran\":[],\"ran\":["),
        ("\"ran\":[", "\"ran\":{},\"r\":["), ("\"ran\":[", "\"ran\":[\"\\ud800\","),
        ("\"reuse\":{", "\"reuse\":{\"extra\":[1],"),
        ("\"ran\":[\"a\"", "\"was\":[\"a\""), ("\"reuse\":{", "\"reuse\":null,\"r\":{"),
        ("\"reuse\":{", "\"reuse\":[],\"r\":{"),
    ]

    @Test func everyEditIsRefusedOrReadAsJSONDecoderReadsIt() throws {
        let text = String(
            decoding: try ResultStore.encode(ResultSamples.fullResult(count: 3), pretty: false), as: UTF8.self)
        var refused = 0
        for (from, to) in Self.edits {
            let range = try #require(text.range(of: from), "\(from)")
            let edited = text.replacingCharacters(in: range, with: to)
            let (foundation, read) = try Self.both(edited)
            if let read {
                #expect(read == foundation, "\(to): the hand reader read what JSONDecoder reads otherwise")
            } else {
                refused += 1
            }
            if foundation == nil { #expect(read == nil, "\(to): accepted what JSONDecoder rejects") }
        }
        #expect(refused > 0)
        // Trailing text, and invalid UTF-8 in a string.
        #expect(try Self.both(text + "x").read == nil)
        var bytes = Array(text.utf8)
        let at = try #require(text.utf8.firstRange(of: "\"output\":\"".utf8)).upperBound
        bytes.insert(0xFF, at: text.utf8.distance(from: text.utf8.startIndex, to: at))
        #expect(RunResult.read(Data(bytes), decoder: Self.decoder) == nil)
        #expect((try? Self.decoder.decode(RunResult.self, from: Data(bytes))) == nil)
    }

    /// A baseline as `JSONDecoder` reads it and as the hand reader reads it, each rendered back.
    static func bothBaselines(_ text: String) throws -> (foundation: String?, read: String?) {
        let foundation = try (try? decoder.decode(Baseline.self, from: Data(text.utf8))).map { try $0.rendered() }
        let read = try Baseline.read(Array(text.utf8), decoder: decoder).map { try $0.rendered() }
        return (foundation, read)
    }

    @Test func aBaselineReadsAsJSONDecoderReadsItOrIsRefused() throws {
        let cases = (0..<6).map { i in
            var c = CaseResult(
                id: ["plain", "quote \" and \\", "tab\tnew\nline", "é ü", "\u{1}", "last"][i], passed: i % 2 == 0,
                score: i == 3 ? 0.25 : Double(i % 2 == 0 ? 1 : 0), latencyMs: Double(10 + i))
            if i == 1 { (c.runs, c.passes) = (3, 2) }
            return c
        }
        let suite = SuiteResult(
            name: "suite \"one\"", casesFile: "f", casesDigest: "d", scorer: "exact", metrics: Metrics(cases),
            cases: cases)
        let other = SuiteResult(
            name: "empty", casesFile: "f", casesDigest: "d", scorer: "exact", metrics: Metrics([]), cases: [])
        let result = RunResult(
            format: 2, evalguardVersion: "v", commit: String(repeating: "c", count: 40), dirty: false,
            key: String(repeating: "k", count: 40), createdAt: "t", configDigest: "d", model: [:],
            suites: [suite, other], overall: Metrics(cases))
        let text = try Baseline(result: result).rendered()
        let (foundation, read) = try Self.bothBaselines(text)
        #expect(foundation != nil)
        #expect(read != nil && read == foundation)
        let edits: [(String, String)] = [
            ("\"passed\":true", "\"passed\":null"), ("\"passed\":true", "\"passed\":1"),
            ("\"passed\":true", "\"passed\":true,\"passed\":true"),
            ("\"passed\":true", "\"passed\":true,\"extra\":2"), ("\"passed\":true", "\"score\":null,\"passed\":true"),
            ("\"runs\":3", "\"runs\":3.0"), ("\"passed\":true", "\"cost_usd\":0.5,\"passed\":true"),
            ("{\"passed\":true", "{}, \"x\": {\"passed\":true"), ("\"cases\": {", "\"cases\": [], \"y\": {"),
            ("\"cases\": {", "\"cases\": {\"plain\": {\"passed\":false}, "),
            // A suite's latencies, read by hand too.
            ("\"latencies_ms\": [", "\"latencies_ms\": [null, "), ("\"latencies_ms\": [", "\"latencies_ms\": [\"1\", "),
            ("\"latencies_ms\": [", "\"latencies_ms\": [1e400, "),
            ("\"latencies_ms\": [", "\"latencies_ms\": [], \"latencies_ms\": ["),
            ("\"latencies_ms\": [", "\"latencies_ms\": {}, \"l\": ["), ("\"latencies_ms\": [", "\"timings\": ["),
        ]
        var refused = 0
        for (from, to) in edits {
            let range = try #require(text.range(of: from), "\(from)")
            let (foundation, read) = try Self.bothBaselines(text.replacingCharacters(in: range, with: to))
            if let read { #expect(read == foundation, "\(to)") } else { refused += 1 }
            if foundation == nil { #expect(read == nil, "\(to): accepted what JSONDecoder rejects") }
        }
        #expect(refused > 0)
    }
}
