import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardRunner
@testable import EvalGuardSupport

@Suite struct RunnerTests {
    func provider(
        _ repo: ScratchRepository, _ model: String, jobs: Int = 2, timeout: Double = 5, maxErrorRate: Double = 0.5
    ) throws -> CommandProvider {
        try repo.write("model.py", model)
        return CommandProvider(
            command: ["python3", "model.py"], directory: repo.root, jobs: jobs,
            timeoutSeconds: timeout, maxErrorRate: maxErrorRate)
    }

    func requests(_ inputs: [String]) -> [ModelRequest] {
        inputs.enumerated().map { ModelRequest(id: "c\($0.offset)", input: .string($0.element)) }
    }

    @Test func answersInOrderAcrossProcesses() throws {
        let repo = try ScratchRepository()
        let inputs = (0..<50).map { "q\($0)" }
        let responses = try provider(repo, Models.echo(), jobs: 3).answer(requests(inputs)) { _ in }
        #expect(responses.map(\.output) == inputs.map(JSONValue.string))
        #expect(responses.allSatisfy { $0.error == nil && $0.latencyMs > 0 })
    }

    @Test func crashIsRecordedAndTheProcessRestarted() throws {
        let repo = try ScratchRepository()
        let responses = try provider(repo, Models.crashesOnBoom, jobs: 1).answer(requests(["a", "boom", "b", "c"])) {
            _ in
        }
        #expect(responses[1].error?.contains("ended (exit status 7)") == true)
        #expect(responses[0].output == .string("a"))
        #expect(responses[2].output == .string("b"))
        #expect(responses[3].output == .string("c"))
    }

    @Test func hangIsTimedOutAndKilled() throws {
        let repo = try ScratchRepository()
        let start = Date()
        let responses = try provider(repo, Models.hangsOnSleep, jobs: 1, timeout: 0.5).answer(
            requests(["a", "sleep", "b"])
        ) { _ in }
        #expect(responses[1].timedOut)
        #expect(responses[1].error?.contains("timed out") == true)
        #expect(responses[2].output == .string("b"))
        #expect(Date().timeIntervalSince(start) < 10)
    }

    @Test func aSlowStartIsAllowedForTheFirstRequestOnly() throws {
        let repo = try ScratchRepository()
        try repo.write("model.py", "import time\ntime.sleep(0.6)\n" + Models.echo())
        let slowStart = CommandProvider(
            command: ["python3", "model.py"], directory: repo.root, jobs: 1,
            timeoutSeconds: 0.3, startupSeconds: 5, maxErrorRate: 0.5)
        let responses = try slowStart.answer(requests(["a", "b"])) { _ in }
        #expect(responses.allSatisfy { $0.error == nil })
        #expect(responses[0].coldStart && !responses[1].coldStart)
        let tooSlow = CommandProvider(
            command: ["python3", "model.py"], directory: repo.root, jobs: 1,
            timeoutSeconds: 0.2, startupSeconds: 0.1, maxErrorRate: 1)
        let late = try tooSlow.answer(requests(["a"])) { _ in }
        #expect(late[0].timedOut)
        #expect(late[0].error?.contains("model.startup_timeout_s") == true)
    }

    @Test func garbageOutputQuotesTheLine() throws {
        let repo = try ScratchRepository()
        let responses = try provider(repo, Models.printsGarbageOnJunk, jobs: 1).answer(requests(["a", "junk", "b"])) {
            _ in
        }
        #expect(responses[1].error == "the model printed a line that is not JSON: 'this is not json'")
        #expect(responses[2].output == .string("b"))
    }

    @Test func missingCommandIsExit3() throws {
        let repo = try ScratchRepository()
        let p = CommandProvider(
            command: ["no-such-model-binary"], directory: repo.root, jobs: 1, timeoutSeconds: 1, maxErrorRate: 0.5)
        let error = try #require(throws: EvalGuardError.self) { try p.answer(requests(["a"])) { _ in } }
        #expect(error.exitCode == .couldNotEvaluate)
        #expect(error.message == "model command not found: 'no-such-model-binary'")
    }

    @Test func tooManyFailuresStopWithTheModelsStderr() throws {
        let repo = try ScratchRepository()
        let error = try #require(throws: EvalGuardError.self) {
            try provider(repo, Models.alwaysCrashes).answer(requests((0..<40).map { "q\($0)" })) { _ in }
        }
        #expect(error.exitCode == .couldNotEvaluate)
        #expect(error.message.contains("more than model.max_error_rate"))
        #expect(error.hint?.contains("| ImportError: No module named 'torch'") == true)
    }

    @Test func modelReportedErrorsAndCostsAreKept() throws {
        let repo = try ScratchRepository()
        let model = """
            import json, sys
            for line in sys.stdin:
                r = json.loads(line)
                if r["input"] == "bad":
                    print(json.dumps({"id": r["id"], "error": "cannot answer"}), flush=True)
                else:
                    print(json.dumps({"id": r["id"], "output": 1, "cost_usd": 0.25, "usage": {"input_tokens": 3}}), flush=True)
            """
        let responses = try provider(repo, model, jobs: 1).answer(requests(["ok", "bad"])) { _ in }
        #expect(responses[0].costUSD == 0.25)
        #expect(responses[0].usage == ["input_tokens": 3])
        #expect(responses[1].error == "the model reported: cannot answer")
    }
}
