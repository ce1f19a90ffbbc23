import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardConfig
@testable import EvalGuardEvaluation
@testable import EvalGuardGit
@testable import EvalGuardRunner
@testable import EvalGuardStore
@testable import EvalGuardSupport

/// What a run keeps per case while it is in flight: `CaseResult`'s compact layout (digests as
/// raw bytes, the rarely set fields in one shared box), the answers folded in as they arrive,
/// and the streamed writer's buffer staying small.
@Suite struct CaseResultLayoutTests {
    static let hexA = "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"
    static let hexB = "0123456789abcdef0123456789abcdef01234567"

    @Test func aCaseResultStaysCompact() {
        // id and output (16 each), usage and the extras box (8 each), score, latency and cost
        // (8 each), three 20-byte digests and 16 bits of flags: 134 bytes, 136 with padding.
        // The layout with every field stored was over 300.
        #expect(MemoryLayout<CaseResult>.stride <= 136)
        #expect(MemoryLayout<ObjectID>.size == 20)
    }

    @Test func aPlainCaseAllocatesNoExtras() {
        var plain = CaseResult(
            id: "c1", passed: true, score: 1, latencyMs: 3.5, costUSD: 0.25, timedOut: false, coldStart: true,
            outputDigest: Self.hexA, output: "\"x\"")
        (plain.inputDigest, plain.scoringDigest, plain.outputTruncated) = (Self.hexB, Self.hexA, false)
        #expect(plain.extras == nil)
        #expect(plain.inputBlob == ObjectID(hex: Self.hexB))
        plain.error = "boom"
        #expect(plain.extras != nil)
        plain.error = nil
        #expect(plain.extras == nil)
        // A digest that is not a lowercase blob id is kept as text, as it was written.
        plain.inputDigest = Self.hexB.uppercased()
        #expect(plain.inputBlob == nil && plain.inputDigest == Self.hexB.uppercased() && plain.extras != nil)
        plain.inputBlob = ObjectID(hex: Self.hexB)
        #expect(plain.inputDigest == Self.hexB && plain.extras == nil)
    }

    @Test func copiesDoNotShareWrites() {
        var a = CaseResult(id: "c1", passed: true, score: 1, latencyMs: 1, runs: 3, passes: 2)
        var b = a
        b.runs = 5
        b.reusedFrom = "abc"
        #expect(a.runs == 3 && a.reusedFrom == nil)
        #expect(b.runs == 5 && b.passes == 2 && b.reusedFrom == "abc")
        a.passes = 1
        #expect(b.passes == 2 && a != b)
        b = a
        #expect(a == b)
    }

    @Test func flagsReadBackAsTheirOptionals() {
        var c = CaseResult(id: "c", passed: false, score: 0, latencyMs: 0)
        #expect(c.timedOut == nil && c.coldStart == nil && c.outputTruncated == nil && c.costUSD == nil && !c.passed)
        (c.timedOut, c.coldStart, c.outputTruncated, c.costUSD, c.passed) = (false, true, false, 0, true)
        #expect(c.timedOut == false && c.coldStart == true && c.outputTruncated == false && c.costUSD == 0 && c.passed)
        c.timedOut = nil
        #expect(c.timedOut == nil && c.coldStart == true)
    }

    /// Digests set as raw bytes and as odd text, with every other field: decoded back equal, and
    /// the streamed writer and `JSONEncoder` agree on the bytes, pretty and compact.
    @Test func digestsRoundTripThroughBothEncoders() throws {
        var cases = (0..<12).map(ResultSamples.fullCase)
        for i in cases.indices where i % 3 == 0 {
            (cases[i].inputBlob, cases[i].scoringBlob) = (ObjectID(hex: Self.hexA), ObjectID(hex: Self.hexB))
            cases[i].outputDigest = Self.hexA
        }
        cases[1].outputDigest = "E69DE29BB2D1D6434B8B29AE775AD8C2E48C5391"
        cases[2].scoringDigest = String(Self.hexA.dropLast())
        var plain = CaseResult(id: "plain", passed: true, score: 1, latencyMs: 2, outputDigest: Self.hexB, output: "1")
        plain.inputDigest = Self.hexA
        cases.append(plain)
        let suite = SuiteResult(
            name: "s", casesFile: ".evals/cases/s.jsonl", casesDigest: Self.hexA, scorer: "exact",
            metrics: ResultSamples.fullMetrics(0), cases: cases)
        let result = RunResult(
            format: RunResult.formatVersion, evalguardVersion: "test", commit: Self.hexB, dirty: false, key: Self.hexA,
            createdAt: "", configDigest: "", model: [:], suites: [suite], overall: ResultSamples.fullMetrics(1))
        for pretty in [true, false] {
            let expected = try ResultSamples.foundation(result, pretty: pretty)
            let streamed = try ResultSamples.streamed(result, pretty: pretty, capacity: 64)
            #expect(ResultSamples.difference(expected, streamed) == nil)
            let decoded = try JSONDecoder().decode(RunResult.self, from: Data(streamed))
            #expect(decoded.suites[0].cases == cases)
            #expect(decoded.suites[0].cases.map(\.outputDigest) == cases.map(\.outputDigest))
            #expect(decoded.suites[0].cases.map(\.scoringDigest) == cases.map(\.scoringDigest))
            #expect(try ResultSamples.foundation(decoded, pretty: pretty) == expected)
        }
        #expect(cases[0].inputDigest == Self.hexA && cases[0].inputBlob == ObjectID(hex: Self.hexA))
        #expect(cases[1].outputBlob == nil && cases[2].scoringBlob == nil)
    }

    @Test func blobDigestsAreGitBlobIDs() {
        // `git hash-object /dev/null` and `printf 'hello\n' | git hash-object --stdin`.
        #expect(GitHash.blobDigest(of: "").hex == Self.hexA)
        #expect(GitHash.blobID(of: "hello\n") == "ce013625030ba8dba906f756967f9e9ca394464a")
        #expect(
            GitHash.blobDigest(of: Array("hello\n".utf8)) == ObjectID(hex: "ce013625030ba8dba906f756967f9e9ca394464a"))
        #expect(ObjectID(hex: Self.hexB)?.hex == Self.hexB)
        for bad in [
            "", String(Self.hexB.dropLast()), Self.hexB + "0", Self.hexB.uppercased(), "g" + Self.hexB.dropFirst(),
        ] {
            #expect(ObjectID(hex: bad) == nil, "\(bad)")
        }
    }

    /// A sink sees the buffer whenever it fills, inside a long array of strings too (a suite's
    /// `reuse.ran` ids), not only when a container closes.
    @Test func longArraysAreStreamedInPieces() throws {
        var pieces: [Int] = []
        let json = JSONStream(pretty: true, capacity: 1024) { pieces.append($0.count) }
        let ids = (0..<10_000).map { "case-\($0)" }
        json.beginObject()
        json.key("ran")
        try json.array(ids, json.string)
        try json.endObject()
        try json.finish()
        #expect(pieces.count > 100)
        #expect(pieces.allSatisfy { $0 < 1024 + 32 })
    }

    /// Answers folded in as they arrive, in any order: each lands on its own case and run.
    @Test func answersArrivingOutOfOrderLandOnTheirCases() throws {
        let config = try EvalConfig.parse(
            ConfigSource(
                displayPath: ".evals/evalguard.json",
                text: """
                    {"model": {"command": ["true"]}, "suites": {"a": {"cases": "cases/a.jsonl"}, "b": {"cases": "cases/b.jsonl"}}}
                    """))
        func suite(_ name: String, _ count: Int) -> LoadedSuite {
            let config = config.suites.first { $0.name == name }!
            let cases = (0..<count).map {
                EvalCase(
                    id: "\(name)\($0)", input: .string("\(name)\($0)"), expected: .string("\(name)\($0)"), line: $0 + 1)
            }
            return LoadedSuite(config: config, cases: cases, digest: Self.hexA, judge: nil)
        }
        let provider = ReversedProvider()
        let asking = Asking(config: config, directory: { "/" }, environment: [:], stored: [])
        let results = try Evaluation.run(
            [suite("a", 3), suite("b", 4)], provider: provider, asking: asking, repeats: 3)
        #expect(provider.delivered == Array((0..<21).reversed()))
        #expect(results.map { $0.cases.map(\.id) } == [["a0", "a1", "a2"], ["b0", "b1", "b2", "b3"]])
        // Round r of b2 fails in round 1 only (see `ReversedProvider`): 2 of 3 runs pass.
        let b2 = results[1].cases[2]
        #expect(b2.runs == 3 && b2.passes == 2 && b2.passed)
        #expect(results.flatMap(\.cases).filter { $0.id != "b2" }.allSatisfy { $0.passes == 3 })
        #expect(b2.outputBlob == GitHash.blobDigest(of: "\"b2\""))
    }
}

/// Echoes each input, answering the last request first; request 12 (run 1 of b2 with the
/// suites above) gets a wrong answer.
private final class ReversedProvider: ModelProvider {
    var delivered: [Int] = []
    func answer(_ requests: ModelRequests, progress: (Int) -> Void, receive: (Int, ModelResponse) -> Void) throws {
        for index in requests.indices.reversed() {
            delivered.append(index)
            let output: JSONValue = index == 12 ? .string("wrong") : requests[index].input
            receive(index, ModelResponse(output: output, latencyMs: 1))
            progress(delivered.count)
        }
    }
}
