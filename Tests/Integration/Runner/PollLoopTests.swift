import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardRunner
@testable import EvalGuardSupport

/// The command and HTTP providers share one poll loop: the same time-out arithmetic, and the
/// same verdict on an answer that comes after its deadline.
@Suite struct PollLoopTests {
    @Test func deadlinesRoundUpToTheNextMillisecond() {
        let now: UInt64 = 5_000_000_000
        #expect(PollDeadline.timeoutMilliseconds(until: nil, now: now) == -1)
        #expect(PollDeadline.timeoutMilliseconds(until: now, now: now) == 0)
        #expect(PollDeadline.timeoutMilliseconds(until: now - 1, now: now) == 0)
        #expect(PollDeadline.timeoutMilliseconds(until: now + 1, now: now) == 1)
        #expect(PollDeadline.timeoutMilliseconds(until: now + 999_999, now: now) == 1)
        #expect(PollDeadline.timeoutMilliseconds(until: now + 1_000_000, now: now) == 1)
        #expect(PollDeadline.timeoutMilliseconds(until: now + 1_000_001, now: now) == 2)
        #expect(PollDeadline.timeoutMilliseconds(until: now + 299_999_999, now: now) == 300)
        #expect(PollDeadline.timeoutMilliseconds(until: .max, now: now) == PollDeadline.maximumWaitMilliseconds)
    }

    @Test func aDeadlineHasPassedFromItsOwnNanosecond() {
        #expect(!PollDeadline.hasPassed(1_000, at: 999))
        #expect(PollDeadline.hasPassed(1_000, at: 1_000))
        #expect(PollDeadline.hasPassed(1_000, at: 1_001))
    }

    @Test func aReadyDescriptorIsHandedToItsOwnerAndAnIdleOneIsNot() throws {
        let quiet = try makePipe()
        let ready = try makePipe()
        defer { for f in [quiet.read, quiet.write, ready.read, ready.write] { closeDescriptor(f) } }
        var byte: UInt8 = 1
        try syscall("write") { write(ready.write, &byte, 1) }
        var poller = PollLoop<String>()
        poller.watch(quiet.read, for: Int16(POLLIN), owner: "quiet")
        poller.watch(ready.read, for: Int16(POLLIN), owner: "ready")
        var woken: [String] = []
        try poller.wait(until: nil) { owner, revents in
            woken.append(owner)
            #expect(revents & Int16(POLLIN) != 0)
        }
        #expect(woken == ["ready"])
        // Nothing is watched any more: a past deadline returns at once with nothing ready.
        try poller.wait(until: 0) { owner, _ in woken.append(owner) }
        #expect(woken == ["ready"])
    }

    /// With a zero time-out a request is due the moment it is sent: neither provider may wait a
    /// rounded-up millisecond for an answer (the command provider once waited 1 ms past a deadline
    /// that had already come), and an answer read at its deadline is late. (A process's first
    /// request also has the start-up allowance, so it is answered; the process that timed out is
    /// replaced, and the new one's first request has the allowance again.)
    @Test func anAnswerReadAtItsDeadlineIsATimeOutForTheCommandProvider() throws {
        let repo = try ScratchRepository()
        try repo.write("model.py", Models.echo())
        let provider = CommandProvider(
            command: ["python3", "model.py"], directory: repo.root, jobs: 1,
            timeoutSeconds: 0, startupSeconds: 60, maxErrorRate: 1)
        let responses = try provider.answer(textRequests(["a", "b", "c"])) { _ in }
        #expect(responses.map(\.timedOut) == [false, true, false])
        #expect(responses[0].output == .string("a"))
        #expect(responses[1].output == nil)
        #expect(responses[1].error?.contains("timed out after 0.0 s (model.timeout_s)") == true)
    }

    @Test func anAnswerReadAtItsDeadlineIsATimeOutForTheHTTPProvider() throws {
        let server = try OpenAITestServer()
        let config = try openAIConfig(
            """
            {"provider": "openai", "base_url": "\(server.baseURL)", "model": "m", "messages": [{"role": "user", "content": "{{input}}"}]}
            """)
        let provider = OpenAIProvider(
            config: config.openAI!, jobs: 1, timeoutSeconds: 0, maxErrorRate: 1,
            apiKey: nil, price: nil)
        let responses = try provider.answer(textRequests(["a", "b"])) { _ in }
        #expect(responses.map(\.timedOut) == [true, true])
        #expect(
            responses.allSatisfy {
                $0.output == nil && $0.error?.contains("timed out after 0.0 s (model.timeout_s)") == true
            })
    }

    /// A model process and a server that both answer 300 ms after a 300 ms time-out.
    @Test func aLateAnswerIsATimeOutForBothProviders() throws {
        let repo = try ScratchRepository()
        try repo.write(
            "model.py",
            """
            import json, sys, time
            for line in sys.stdin:
                r = json.loads(line)
                if r["input"] == "late":
                    time.sleep(0.6)
                sys.stdout.write(json.dumps({"id": r["id"], "output": r["input"]}) + "\\n")
                sys.stdout.flush()
            """)
        let command = CommandProvider(
            command: ["python3", "model.py"], directory: repo.root, jobs: 1,
            timeoutSeconds: 0.3, startupSeconds: 60, maxErrorRate: 1)
        let server = try OpenAITestServer()
        let http = try openAIProvider(
            """
            {"provider": "openai", "base_url": "\(server.baseURL)", "model": "m", "messages": [{"role": "user", "content": "{{input}}"}],
             "jobs": 1, "timeout_s": 0.3, "max_error_rate": 1}
            """)
        let fromProcess = try command.answer(textRequests(["on time", "late"])) { _ in }
        let fromServer = try http.answer(textRequests(["on time", "delay:600 late"])) { _ in }
        for responses in [fromProcess, fromServer] {
            #expect(responses.map(\.timedOut) == [false, true])
            #expect(responses[1].output == nil)
            #expect(responses[1].error?.contains("timed out after 0.3 s (model.timeout_s)") == true)
            #expect(responses[1].latencyMs >= 300)
        }
    }
}
