import EvalGuardTestSupport
import Foundation
import Synchronization
import Testing

@testable import EvalGuardRunner
@testable import EvalGuardScoring
@testable import EvalGuardStore
@testable import EvalGuardSupport

/// A case's latency and its time-out are the model's alone: however long the caller takes over
/// an answer (scoring it with a regular expression that backtracks, a large schema), the
/// providers keep reading the other answers as they arrive.
@Suite struct AnswerLatencyTests {
    /// The first answer's `receive` blocks for `block` seconds, far beyond `model.timeout_s`
    /// (1 s), while the other processes or connections, each sent a request at the same moment,
    /// answer theirs. Answers read only after the block would be late (stored as timed out, or
    /// with the block in their latency); read when they arrive, their latencies (the model's
    /// start-up at most) are a small part of the block. The inputs ask the HTTP test server for
    /// answers 0 to 120 ms apart, so that they arrive during the block rather than with the first
    /// (the echo model echoes the directive back).
    func answersWhileTheFirstIsScored(_ provider: ModelProvider, count: Int, block: Double = 4) throws
        -> (responses: [ModelResponse], blockedMs: Double)
    {
        var responses = [ModelResponse?](repeating: nil, count: count)
        var blockedMs = 0.0
        let slowScorer = DispatchSemaphore(value: 0)
        try provider.answer(ModelRequests(textRequests(inputs(count))), progress: { _ in }) { index, response in
            if blockedMs == 0 {
                let start = monotonicNanoseconds()
                // Nothing signals it: the wait is the scorer's cost, a fixed length.
                _ = slowScorer.wait(timeout: .now() + block)
                blockedMs = Double(monotonicNanoseconds() - start) / 1e6
            }
            responses[index] = response
        }
        return (responses.map { $0! }, blockedMs)
    }

    func inputs(_ count: Int) -> [String] {
        (0..<count).map { "q\($0) delay:\(40 * ($0 % 4))" }
    }

    func expectUnaffected(_ responses: [ModelResponse], blockedMs: Double, count: Int) {
        #expect(blockedMs >= 4_000)
        #expect(responses.map(\.output) == inputs(count).map(JSONValue.string))
        #expect(responses.allSatisfy { !$0.timedOut && $0.error == nil }, "\(responses.compactMap(\.error))")
        // A process's first answer includes its start-up (marked cold, and left out of the
        // percentiles), which on a loaded machine can take a second: it is held to the weaker bound
        // that the block is not in it; every other answer to a small part of the block.
        #expect(
            responses.allSatisfy { $0.latencyMs < blockedMs / ($0.coldStart ? 1.5 : 4) },
            "\(responses.map { ($0.latencyMs, $0.coldStart) }) against a block of \(blockedMs) ms")
    }

    @Test func aSlowReceiveLeavesNoAnswerOfTheCommandProviderUnread() throws {
        let repo = try ScratchRepository()
        try repo.write("model.py", Models.echo())
        let provider = CommandProvider(
            command: ["python3", "model.py"], directory: repo.root, jobs: 4,
            timeoutSeconds: 1, startupSeconds: 60, maxErrorRate: 1)
        let (responses, blockedMs) = try answersWhileTheFirstIsScored(provider, count: 16)
        expectUnaffected(responses, blockedMs: blockedMs, count: 16)
    }

    @Test func aSlowReceiveLeavesNoAnswerOfTheHTTPProviderUnread() throws {
        let server = try OpenAITestServer()
        let provider = try openAIProvider(
            """
            {"provider": "openai", "base_url": "\(server.baseURL)", "model": "m", "messages": [{"role": "user", "content": "{{input}}"}],
             "jobs": 4, "timeout_s": 1, "max_error_rate": 1}
            """)
        let (responses, blockedMs) = try answersWhileTheFirstIsScored(provider, count: 16)
        expectUnaffected(responses, blockedMs: blockedMs, count: 16)
    }

    /// The hand-off is bounded: a loop that could answer at once never has more than `capacity`
    /// answers started and not yet received, and `receive` frees room that wakes its poll.
    @Test func theHandOffHoldsAtMostItsCapacity() throws {
        let capacity = 4
        let count = 100
        let started = Atomic<Int>(0)
        var received: [Int] = []
        var mostOutstanding = 0
        try AnswerHandOff.serve(
            capacity: capacity, progress: { _ in },
            receive: { index, _ in
                mostOutstanding = max(mostOutstanding, started.load(ordering: .sequentiallyConsistent) - received.count)
                received.append(index)
            }
        ) { handOff in
            var poller = PollLoop<Int>(wake: handOff.wakeFD)
            for i in 0..<count {
                let deadline = monotonicNanoseconds() + 30_000_000_000
                while !handOff.hasRoom(started: i) {
                    guard monotonicNanoseconds() < deadline else {
                        throw EvalGuardError("no room was made for request \(i)")
                    }
                    try poller.wait(until: deadline) { _, _ in }
                }
                started.add(1, ordering: .sequentiallyConsistent)
                handOff.put(i, ModelResponse(output: .number(Double(i)), latencyMs: 0))
            }
        }
        #expect(received == Array(0..<count))
        #expect(mostOutstanding <= capacity)
        #expect(mostOutstanding >= 1)
    }

    /// What the loop throws reaches the caller, after the loop has ended.
    @Test func aFailingLoopEndsTheAnswerWithItsError() throws {
        var received = 0
        let error = try #require(throws: EvalGuardError.self) {
            try AnswerHandOff.serve(capacity: 4, progress: { _ in }, receive: { _, _ in received += 1 }) { handOff in
                handOff.put(0, ModelResponse(output: .null, latencyMs: 0))
                throw EvalGuardError.evaluation("the model failed")
            }
        }
        #expect(error.message == "the model failed")
        #expect(received <= 1)
    }
}

/// The same through `evalguard run`: a `regex` scorer that backtracks for a measured while on
/// each answer of a model that answers at once, with `timeout_s` far below that while.
@Suite struct SlowInlineScorerTests {
    @Test func aSlowRegexScorerLeavesTheStoredLatenciesTheModels() throws {
        let pattern = "^(a+)+$"
        let answer = String(repeating: "a", count: 14) + "b"
        // The scorer's cost on one answer, measured here as the run will pay it.
        let start = monotonicNanoseconds()
        #expect(!ScoringSession().passes(.regex, output: .string(answer), expected: .string(pattern)))
        let costMs = Double(monotonicNanoseconds() - start) / 1e6
        try #require(costMs > 300, "the pattern backtracks for \(costMs) ms only: make the answer longer")
        let repo = try ScratchRepository()
        try repo.setUpEvals(model: Models.echo(), cases: (0..<6).map { caseLine("c\($0)", answer, pattern) })
        try repo.write(
            ".evals/evalguard.json",
            """
            {
              "model": {"command": ["python3", "model.py"], "jobs": 2, "timeout_s": \(costMs / 2000)},
              "suites": {"main": {"cases": "cases/main.jsonl", "scorer": "regex"}},
              "thresholds": {"p95_latency_ms": false}
            }
            """)
        try repo.commitAll("A regex that backtracks")
        let run = repo.evalguard("run")
        #expect(run.status == 0, "\(run.stderr)")
        let result = try #require(ResultStore(root: repo.root).load(commit: repo.head))
        let cases = result.suites[0].cases
        #expect(cases.count == 6)
        #expect(cases.allSatisfy { $0.timedOut != true && $0.error == nil }, "\(cases.compactMap(\.error))")
        // A process's first answer includes its start-up; every other is the echo's alone.
        let warm = cases.filter { $0.coldStart != true }
        #expect(warm.count >= 4)
        #expect(
            warm.allSatisfy { $0.latencyMs < costMs / 2 }, "\(warm.map(\.latencyMs)) against a scorer's \(costMs) ms")
    }
}
