import Foundation

@testable import EvalGuardGit
@testable import EvalGuardStatistics
@testable import EvalGuardStore
@testable import EvalGuardSupport

/// Results with every field set, and the bytes Foundation's `JSONEncoder` writes for them: what
/// the hand-written encoder and readers of results are held to.
package enum ResultSamples {
    /// What `JSONEncoder` writes, with the options result files (pretty) and notes (compact) use.
    package static func foundation<T: Encodable>(_ value: T, pretty: Bool) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting =
            pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }

    /// Nil for equal bytes, else where they part and what each holds there (a failure shows
    /// that rather than two whole documents).
    package static func difference(_ a: [UInt8], _ b: [UInt8]) -> String? {
        guard a != b else { return nil }
        let at = zip(a, b).prefix { $0 == $1 }.count
        let show = { (x: [UInt8]) in
            String(decoding: x[max(0, at - 40)..<min(x.count, at + 40)], as: UTF8.self).debugDescription
        }
        return "bytes part at \(at) of \(a.count)/\(b.count): \(show(a)) vs \(show(b))"
    }

    package static func streamed(_ result: RunResult, pretty: Bool, capacity: Int = 1 << 16) throws -> [UInt8] {
        var bytes: [UInt8] = []
        let json = JSONStream(pretty: pretty, capacity: capacity) { bytes.append(contentsOf: $0) }
        try result.write(to: json)
        try json.finish()
        return bytes
    }

    package static let awkward = [
        "", "plain", "quote \" and backslash \\", "slash / and </script>", "tab\tnew\nline\r\u{8}\u{c}",
        "\u{0}\u{1}\u{1f}\u{7f}", "é, ß, 中文, 😀, \u{2028}\u{2029}, \u{feff}", "e\u{301} (combining)",
        "{\"json\": [1, 2]}",
    ]
    package static let doubles: [Double] = [
        0, -0.0, 1, -1, 42, 0.1, 0.5, 1.0 / 3, 2.5e-7, 1e-300, 5e-324, 123456.789, 1e15, 1e16,
        9_007_199_254_740_993, 1.7976931348623157e308, -2.2250738585072014e-308, 0.000123, 99.999,
    ]

    /// A case with every field set.
    package static func fullCase(_ i: Int) -> CaseResult {
        let text = awkward[i % awkward.count]
        let d = { (k: Int) in doubles[(i + k) % doubles.count] }
        var c = CaseResult(
            id: "case-\(i) " + text, passed: i % 2 == 0, score: d(0), latencyMs: d(1), costUSD: d(2),
            usage: ["prompt_tokens": d(3), "completion_tokens": d(4), "Z": 1, "a10": 2, "a2": 3, "é": 4, "_": 5],
            error: text, timedOut: i % 3 == 0, coldStart: i % 2 == 1, outputDigest: String(repeating: "ab", count: 20),
            output: "{\"answer\":\"" + text + "\"}", runs: 3, passes: 2, latenciesMs: [d(5), d(6), d(7)], retries: 2,
            retryMs: d(8))
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

    package static func fullMetrics(_ seed: Int) -> Metrics {
        var m = Metrics([fullCase(seed), fullCase(seed + 1)])
        (m.avgCostUSD, m.totalCostUSD, m.retries, m.retryMs, m.meanScore) = (
            doubles[seed % doubles.count], 0.25, 4, -0.0, 1.0 / 3
        )
        m.batched = 2
        return m
    }

    package static let settings: JSONValue = .object([
        "judge": .string("grader / \"v2\""), "samples": .number(3), "temperature": .number(0.2),
        "list": .array([.null, .bool(true), .bool(false), .array([]), .object([:])]),
        "nested": .object(["b": .number(-0.0), "a": .string("é\n")]),
    ])

    /// A result with every field set, in two suites of `count` cases.
    package static func fullResult(count: Int) -> RunResult {
        let suites = (0..<2).map { s in
            let cases = (0..<count).map { fullCase(s * count + $0) }
            var suite = SuiteResult(
                name: "suite \(s) \"quoted\"", casesFile: ".evals/cases/s\(s).jsonl", casesDigest: "dd",
                scorer: "exact",
                metrics: fullMetrics(s), cases: cases)
            suite.model = "models.small"
            (suite.key, suite.modelFingerprint) = ("k\(s)", "fp/\(s)")
            var reuse = SuiteReuse()
            (reuse.ran, reuse.reused, reuse.from, reuse.rescored, reuse.repriced, reuse.wholeSuite) = (
                ["a", "b/c"], 3, ["abc"], 1, 2, true
            )
            suite.reuse = reuse
            var judge = JudgeRecord(fingerprint: "jf", settings: settings)
            (judge.requests, judge.cached, judge.errors, judge.costUSD, judge.tokens) = (5, 6, 1, 0.0042, 1234)
            (judge.latencyP50Ms, judge.latencyP95Ms, judge.selfAgreement) = (310.5, 999, 0.75)
            judge.cache = ["d1:0": "pass", "d1:1": "fail \"x\"", "a:0": "é"]
            judge.pairwise = PairwiseCounts(better: 1, ties: 2, worse: 3, unpaired: 4)
            judge.reference = "fedcba"
            suite.judge = judge
            suite.embeddings = ["e:1": [0.1, -0.0, 1e-7, 3], "e:0": [], "b": [1]]
            suite.baselineReasks = BaselineReasks(
                commit: String(repeating: "b", count: 40),
                cases: [
                    "c9": ReaskCount(runs: 1, passes: 1), "c10": ReaskCount(runs: 2, passes: 0),
                    "C1 \"q\"": ReaskCount(runs: 3, passes: 2),
                ])
            return suite
        }
        var result = RunResult(
            format: RunResult.formatVersion, evalguardVersion: "1.2.3 \"dev\"",
            commit: String(repeating: "c", count: 40),
            dirty: true, dirtyPaths: ["a b/c.py", "é.txt", "x\"y"], key: "key/1", createdAt: "2026-11-30T21:00:00Z",
            configDigest: "cd", model: ["provider": .string("command"), "prices": settings, "empty": .object([:])],
            repeats: 3, suites: suites, overall: fullMetrics(7))
        result.models = [
            "model": ["provider": .string("command")],
            "models.small": ["command": .array([.string("python3"), .string("m.py")])],
        ]
        result.partial = "blame probe: 2 of 3 cases"
        return result
    }
}
