import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardGit
@testable import EvalGuardStatistics
@testable import EvalGuardStore
@testable import EvalGuardSupport

/// A result is streamed to its file and note by a hand-written encoder: its bytes must be the
/// ones Foundation's `JSONEncoder` writes, so every stored result and every reader stay valid.
@Suite struct ResultEncodingTests {
    /// Whether every stored property of `value` that is optional is set: a field added to a
    /// result type fails here until the fixture (and so the comparison) covers it.
    static func unsetOptionals(_ value: Any, path: String = "") -> [String] {
        Mirror(reflecting: value).children.flatMap { child -> [String] in
            let name = path + "." + (child.label ?? "?")
            let mirror = Mirror(reflecting: child.value)
            if mirror.displayStyle == .optional {
                guard let wrapped = mirror.children.first else { return [name] }
                return unsetOptionals(wrapped.value, path: name)
            }
            if mirror.displayStyle == .struct { return unsetOptionals(child.value, path: name) }
            return []
        }
    }

    @Test func theFixtureSetsEveryOptionalField() throws {
        let result = ResultSamples.fullResult(count: 1)
        #expect(Self.unsetOptionals(result).isEmpty, "\(Self.unsetOptionals(result))")
        #expect(Self.unsetOptionals(result.suites[0]).isEmpty, "\(Self.unsetOptionals(result.suites[0]))")
        // A case's storage is not its fields (`CaseResult.swift`): its JSON holds every key instead.
        let keys = try #require(
            try JSONSerialization.jsonObject(with: JSONEncoder().encode(result.suites[0].cases[0])) as? [String: Any]
        ).keys
        #expect(Set(keys) == Set(CaseResult.CodingKeys.allCases.map(\.stringValue)))
        #expect(Self.unsetOptionals(result.suites[0].judge!).isEmpty)
    }

    @Test(arguments: [true, false])
    func aFullResultIsByteIdentical(pretty: Bool) throws {
        let result = ResultSamples.fullResult(count: 25)
        let expected = try ResultSamples.foundation(result, pretty: pretty)
        // A tiny buffer: every piece of the document crosses a flush somewhere.
        for capacity in [1, 7, 1 << 16] {
            let streamed = try ResultSamples.streamed(result, pretty: pretty, capacity: capacity)
            #expect(ResultSamples.difference(streamed, expected) == nil, "capacity \(capacity)")
        }
    }

    @Test(arguments: [true, false])
    func aMinimalResultIsByteIdentical(pretty: Bool) throws {
        let bare = CaseResult(id: "only", passed: false, score: 0, latencyMs: 12)
        let suite = SuiteResult(
            name: "s", casesFile: "f", casesDigest: "d", scorer: "exact", metrics: Metrics([bare]), cases: [bare])
        let empty = SuiteResult(
            name: "empty", casesFile: "f", casesDigest: "d", scorer: "exact", metrics: Metrics([]), cases: [])
        let result = RunResult(
            format: 2, evalguardVersion: "v", commit: "c", dirty: false, key: "k", createdAt: "t", configDigest: "d",
            model: [:], suites: [suite, empty], overall: Metrics([bare]))
        #expect(
            ResultSamples.difference(
                try ResultSamples.streamed(result, pretty: pretty), try ResultSamples.foundation(result, pretty: pretty)
            ) == nil)
        var none = result
        none.suites = []
        #expect(
            ResultSamples.difference(
                try ResultSamples.streamed(none, pretty: pretty), try ResultSamples.foundation(none, pretty: pretty))
                == nil)
    }

    /// Keys are ordered by their UTF-8 bytes, as `JSONEncoder` orders them, not by String's `<`:
    /// a combining mark sorts by its base letter's byte, and U+FFFD before a four-byte scalar.
    @Test(arguments: [true, false])
    func keysAreInJSONEncodersOrder(pretty: Bool) throws {
        var result = ResultSamples.fullResult(count: 1)
        let keys = ["Yl", "U\u{301}", "\u{10ffff}", "\u{fffd}", "😀", "a", "B", "a9", "a10", "é"]
        result.suites[0].cases[0].usage = Dictionary(uniqueKeysWithValues: keys.enumerated().map { ($1, Double($0)) })
        result.model = Dictionary(uniqueKeysWithValues: keys.map { ($0, JSONValue.string($0)) })
        #expect("U\u{301}" > "Yl", "String's < differs from the byte order here, so this case tells them apart")
        #expect(
            ResultSamples.difference(
                try ResultSamples.streamed(result, pretty: pretty), try ResultSamples.foundation(result, pretty: pretty)
            ) == nil)
    }

    /// Random text over the characters that need care and random doubles of every magnitude; a
    /// new seed each run, named in any failure so that it can be replayed.
    @Test func randomStringsAndNumbersAreByteIdentical() throws {
        let seed = UInt64.random(in: 0...UInt64.max)
        var rng = SeededGenerator(seed: seed)
        let scalars: [Unicode.Scalar] =
            (0..<0x80).map { Unicode.Scalar(UInt8($0)) } + [
                "é", "€", "😀", "\u{2028}", "\u{301}", "\u{fffd}", "\u{10ffff}",
            ]
        func text() -> String {
            String(
                String.UnicodeScalarView(
                    (0..<Int.random(in: 0...12, using: &rng)).map { _ in scalars.randomElement(using: &rng)! }))
        }
        func number() -> Double {
            switch Int.random(in: 0..<3, using: &rng) {
            case 0: return Double(Int.random(in: -1_000_000...1_000_000, using: &rng))
            case 1:
                return Double.random(in: 1..<10, using: &rng) * pow(10, Double(Int.random(in: -320...300, using: &rng)))
            default:
                return Double(bitPattern: UInt64.random(in: 0...0x7FEF_FFFF_FFFF_FFFF, using: &rng))
                    * (Bool.random(using: &rng) ? 1 : -1)
            }
        }
        var result = ResultSamples.fullResult(count: 1)
        result.suites[0].cases = (0..<400).map { i in
            var c = CaseResult(
                id: text(), passed: Bool.random(using: &rng), score: number(), latencyMs: number(),
                costUSD: Bool.random(using: &rng) ? number() : nil,
                usage: Dictionary([(text(), number()), (text(), number())], uniquingKeysWith: { a, _ in a }),
                error: Bool.random(using: &rng) ? text() : nil, output: text())
            c.latenciesMs = i % 5 == 0 ? [number(), number()] : nil
            return c
        }
        result.model = Dictionary(
            (0..<20).map { _ in (text(), JSONValue.string(text())) }, uniquingKeysWith: { a, _ in a })
        for pretty in [true, false] {
            let streamed = try ResultSamples.streamed(result, pretty: pretty)
            let expected = try ResultSamples.foundation(result, pretty: pretty)
            #expect(ResultSamples.difference(streamed, expected) == nil, "seed \(seed)")
        }
    }

    /// `created_at` is written without `ISO8601DateFormatter` (which loads ICU), the same text.
    @Test func theTimestampIsTheOneISO8601DateFormatterWrites() {
        let formatter = ISO8601DateFormatter()
        for seconds in [0, 951_782_400, 1_700_000_000, 1_796_075_131, 4_102_444_799, Int(Date().timeIntervalSince1970)]
        {
            #expect(
                utcTimestamp(time_t(seconds))
                    == formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds))))
        }
    }

    @Test func aNumberJSONCannotHoldIsRefusedAsJSONEncoderRefusesIt() {
        var result = ResultSamples.fullResult(count: 1)
        result.suites[0].cases[0].score = .nan
        #expect(throws: EncodingError.self) { try ResultSamples.foundation(result, pretty: true) }
        #expect(throws: EncodingError.self) { try ResultSamples.streamed(result, pretty: true) }
    }
}
