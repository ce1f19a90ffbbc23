import Foundation
import Testing
@testable import EvalGuardGit
@testable import EvalGuardStatistics
@testable import EvalGuardStore
@testable import EvalGuardSupport

/// A result is streamed to its file and note by a hand-written encoder: its bytes must be the
/// ones Foundation's `JSONEncoder` writes, so every stored result and every reader stay valid.
@Suite struct ResultEncodingTests {
    /// What `JSONEncoder` writes, with the options result files (pretty) and notes (compact) use.
    static func foundation<T: Encodable>(_ value: T, pretty: Bool) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }

    /// Nil for equal bytes, else where they part and what each holds there (a failure shows
    /// that rather than two whole documents).
    static func difference(_ a: [UInt8], _ b: [UInt8]) -> String? {
        guard a != b else { return nil }
        let at = zip(a, b).prefix { $0 == $1 }.count
        let show = { (x: [UInt8]) in String(decoding: x[max(0, at - 40)..<min(x.count, at + 40)], as: UTF8.self).debugDescription }
        return "bytes part at \(at) of \(a.count)/\(b.count): \(show(a)) vs \(show(b))"
    }

    static func streamed(_ result: RunResult, pretty: Bool, capacity: Int = 1 << 16) throws -> [UInt8] {
        var bytes: [UInt8] = []
        let json = JSONStream(pretty: pretty, capacity: capacity) { bytes.append(contentsOf: $0) }
        try result.write(to: json)
        try json.finish()
        return bytes
    }

    static let awkward = ["", "plain", "quote \" and backslash \\", "slash / and </script>", "tab\tnew\nline\r\u{8}\u{c}",
                          "\u{0}\u{1}\u{1f}\u{7f}", "é, ß, 中文, 😀, \u{2028}\u{2029}, \u{feff}", "e\u{301} (combining)", "{\"json\": [1, 2]}"]
    static let doubles: [Double] = [0, -0.0, 1, -1, 42, 0.1, 0.5, 1.0 / 3, 2.5e-7, 1e-300, 5e-324, 123456.789, 1e15, 1e16,
                                    9007199254740993, 1.7976931348623157e308, -2.2250738585072014e-308, 0.000123, 99.999]

    /// A case with every field set.
    static func fullCase(_ i: Int) -> CaseResult {
        let text = awkward[i % awkward.count]
        let d = { (k: Int) in doubles[(i + k) % doubles.count] }
        var c = CaseResult(id: "case-\(i) " + text, passed: i % 2 == 0, score: d(0), latencyMs: d(1), costUSD: d(2),
                           usage: ["prompt_tokens": d(3), "completion_tokens": d(4), "Z": 1, "a10": 2, "a2": 3, "é": 4, "_": 5],
                           error: text, timedOut: i % 3 == 0, coldStart: i % 2 == 1, outputDigest: String(repeating: "ab", count: 20),
                           output: "{\"answer\":\"" + text + "\"}", runs: 3, passes: 2, latenciesMs: [d(5), d(6), d(7)], retries: 2, retryMs: d(8))
        c.reason = "reason: " + text
        c.runOutputs = [RunOutput(output: text, runs: 2), RunOutput(output: "\"other\"", runs: 1)]
        c.retryFromMs = d(9)
        c.requestLatenciesMs = [d(10), d(11)]
        c.outputTruncated = true
        (c.inputDigest, c.scoringDigest, c.reusedFrom) = ("in" + text, "sc", "0123abcd")
        (c.settledRuns, c.settledPasses) = (2, 1)
        (c.toolCallCount, c.stepCount) = (3, 2)
        return c
    }

    static func fullMetrics(_ seed: Int) -> Metrics {
        var m = Metrics([fullCase(seed), fullCase(seed + 1)])
        (m.avgCostUSD, m.totalCostUSD, m.retries, m.retryMs, m.meanScore) = (doubles[seed % doubles.count], 0.25, 4, -0.0, 1.0 / 3)
        return m
    }

    static let settings: JSONValue = .object(["judge": .string("grader / \"v2\""), "samples": .number(3), "temperature": .number(0.2),
                                              "list": .array([.null, .bool(true), .bool(false), .array([]), .object([:])]),
                                              "nested": .object(["b": .number(-0.0), "a": .string("é\n")])])

    /// A result with every field set, in two suites of `count` cases.
    static func fullResult(count: Int) -> RunResult {
        let suites = (0..<2).map { s in
            let cases = (0..<count).map { fullCase(s * count + $0) }
            var suite = SuiteResult(name: "suite \(s) \"quoted\"", casesFile: ".evals/cases/s\(s).jsonl", casesDigest: "dd", scorer: "exact",
                                    metrics: fullMetrics(s), cases: cases)
            suite.model = "models.small"
            (suite.key, suite.modelFingerprint) = ("k\(s)", "fp/\(s)")
            var reuse = SuiteReuse()
            (reuse.ran, reuse.reused, reuse.from, reuse.rescored, reuse.repriced, reuse.wholeSuite) = (["a", "b/c"], 3, ["abc"], 1, 2, true)
            suite.reuse = reuse
            var judge = JudgeRecord(fingerprint: "jf", settings: settings)
            (judge.requests, judge.cached, judge.errors, judge.costUSD, judge.tokens) = (5, 6, 1, 0.0042, 1234)
            (judge.latencyP50Ms, judge.latencyP95Ms, judge.selfAgreement) = (310.5, 999, 0.75)
            judge.cache = ["d1:0": "pass", "d1:1": "fail \"x\"", "a:0": "é"]
            judge.pairwise = PairwiseCounts(better: 1, ties: 2, worse: 3, unpaired: 4)
            judge.reference = "fedcba"
            suite.judge = judge
            suite.embeddings = ["e:1": [0.1, -0.0, 1e-7, 3], "e:0": [], "b": [1]]
            suite.baselineReasks = BaselineReasks(commit: String(repeating: "b", count: 40),
                                                  cases: ["c9": ReaskCount(runs: 1, passes: 1), "c10": ReaskCount(runs: 2, passes: 0), "C1 \"q\"": ReaskCount(runs: 3, passes: 2)])
            return suite
        }
        var result = RunResult(format: RunResult.formatVersion, evalguardVersion: "1.2.3 \"dev\"", commit: String(repeating: "c", count: 40),
                               dirty: true, dirtyPaths: ["a b/c.py", "é.txt", "x\"y"], key: "key/1", createdAt: "2026-11-30T21:00:00Z",
                               configDigest: "cd", model: ["provider": .string("command"), "prices": settings, "empty": .object([:])],
                               repeats: 3, suites: suites, overall: fullMetrics(7))
        result.models = ["model": ["provider": .string("command")], "models.small": ["command": .array([.string("python3"), .string("m.py")])]]
        result.partial = "blame probe: 2 of 3 cases"
        return result
    }

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
        let result = Self.fullResult(count: 1)
        #expect(Self.unsetOptionals(result).isEmpty, "\(Self.unsetOptionals(result))")
        #expect(Self.unsetOptionals(result.suites[0]).isEmpty, "\(Self.unsetOptionals(result.suites[0]))")
        // A case's storage is not its fields (`CaseResult.swift`): its JSON holds every key instead.
        let keys = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(result.suites[0].cases[0])) as? [String: Any]).keys
        #expect(Set(keys) == Set(CaseResult.CodingKeys.allCases.map(\.stringValue)))
        #expect(Self.unsetOptionals(result.suites[0].judge!).isEmpty)
    }

    @Test(arguments: [true, false])
    func aFullResultIsByteIdentical(pretty: Bool) throws {
        let result = Self.fullResult(count: 25)
        let expected = try Self.foundation(result, pretty: pretty)
        // A tiny buffer: every piece of the document crosses a flush somewhere.
        for capacity in [1, 7, 1 << 16] {
            let streamed = try Self.streamed(result, pretty: pretty, capacity: capacity)
            #expect(Self.difference(streamed, expected) == nil, "capacity \(capacity)")
        }
    }

    @Test(arguments: [true, false])
    func aMinimalResultIsByteIdentical(pretty: Bool) throws {
        let bare = CaseResult(id: "only", passed: false, score: 0, latencyMs: 12)
        let suite = SuiteResult(name: "s", casesFile: "f", casesDigest: "d", scorer: "exact", metrics: Metrics([bare]), cases: [bare])
        let empty = SuiteResult(name: "empty", casesFile: "f", casesDigest: "d", scorer: "exact", metrics: Metrics([]), cases: [])
        let result = RunResult(format: 2, evalguardVersion: "v", commit: "c", dirty: false, key: "k", createdAt: "t", configDigest: "d",
                               model: [:], suites: [suite, empty], overall: Metrics([bare]))
        #expect(Self.difference(try Self.streamed(result, pretty: pretty), try Self.foundation(result, pretty: pretty)) == nil)
        var none = result
        none.suites = []
        #expect(Self.difference(try Self.streamed(none, pretty: pretty), try Self.foundation(none, pretty: pretty)) == nil)
    }

    /// Keys are ordered by their UTF-8 bytes, as `JSONEncoder` orders them, not by String's `<`:
    /// a combining mark sorts by its base letter's byte, and U+FFFD before a four-byte scalar.
    @Test(arguments: [true, false])
    func keysAreInJSONEncodersOrder(pretty: Bool) throws {
        var result = Self.fullResult(count: 1)
        let keys = ["Yl", "U\u{301}", "\u{10ffff}", "\u{fffd}", "😀", "a", "B", "a9", "a10", "é"]
        result.suites[0].cases[0].usage = Dictionary(uniqueKeysWithValues: keys.enumerated().map { ($1, Double($0)) })
        result.model = Dictionary(uniqueKeysWithValues: keys.map { ($0, JSONValue.string($0)) })
        #expect("U\u{301}" > "Yl", "String's < differs from the byte order here, so this case tells them apart")
        #expect(Self.difference(try Self.streamed(result, pretty: pretty), try Self.foundation(result, pretty: pretty)) == nil)
    }

    /// Random text over the characters that need care and random doubles of every magnitude; a
    /// new seed each run, named in any failure so that it can be replayed.
    @Test func randomStringsAndNumbersAreByteIdentical() throws {
        let seed = UInt64.random(in: 0...UInt64.max)
        var rng = SeededGenerator(seed: seed)
        let scalars: [Unicode.Scalar] = (0..<0x80).map { Unicode.Scalar(UInt8($0)) } + ["é", "€", "😀", "\u{2028}", "\u{301}", "\u{fffd}", "\u{10ffff}"]
        func text() -> String { String(String.UnicodeScalarView((0..<Int.random(in: 0...12, using: &rng)).map { _ in scalars.randomElement(using: &rng)! })) }
        func number() -> Double {
            switch Int.random(in: 0..<3, using: &rng) {
            case 0: return Double(Int.random(in: -1_000_000...1_000_000, using: &rng))
            case 1: return Double.random(in: 1..<10, using: &rng) * pow(10, Double(Int.random(in: -320...300, using: &rng)))
            default: return Double(bitPattern: UInt64.random(in: 0...0x7FEF_FFFF_FFFF_FFFF, using: &rng)) * (Bool.random(using: &rng) ? 1 : -1)
            }
        }
        var result = Self.fullResult(count: 1)
        result.suites[0].cases = (0..<400).map { i in
            var c = CaseResult(id: text(), passed: Bool.random(using: &rng), score: number(), latencyMs: number(),
                               costUSD: Bool.random(using: &rng) ? number() : nil, usage: Dictionary([(text(), number()), (text(), number())], uniquingKeysWith: { a, _ in a }),
                               error: Bool.random(using: &rng) ? text() : nil, output: text())
            c.latenciesMs = i % 5 == 0 ? [number(), number()] : nil
            return c
        }
        result.model = Dictionary((0..<20).map { _ in (text(), JSONValue.string(text())) }, uniquingKeysWith: { a, _ in a })
        for pretty in [true, false] {
            let streamed = try Self.streamed(result, pretty: pretty), expected = try Self.foundation(result, pretty: pretty)
            #expect(Self.difference(streamed, expected) == nil, "seed \(seed)")
        }
    }

    /// `created_at` is written without `ISO8601DateFormatter` (which loads ICU), the same text.
    @Test func theTimestampIsTheOneISO8601DateFormatterWrites() {
        let formatter = ISO8601DateFormatter()
        for seconds in [0, 951_782_400, 1_700_000_000, 1_796_075_131, 4_102_444_799, Int(Date().timeIntervalSince1970)] {
            #expect(utcTimestamp(time_t(seconds)) == formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds))))
        }
    }

    @Test func aNumberJSONCannotHoldIsRefusedAsJSONEncoderRefusesIt() {
        var result = Self.fullResult(count: 1)
        result.suites[0].cases[0].score = .nan
        #expect(throws: EncodingError.self) { try Self.foundation(result, pretty: true) }
        #expect(throws: EncodingError.self) { try Self.streamed(result, pretty: true) }
    }
}
