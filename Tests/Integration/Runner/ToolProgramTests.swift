import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardConfig
@testable import EvalGuardRunner
@testable import EvalGuardSupport

/// The tools program of an agent loop (`tools_command`): a slow tool holds up only the case that
/// called it, and a program that stops answering or answers outside the protocol stops the run
/// with a message that names it.
@Suite struct ToolProgramTests {
    final class Scratch {
        let directory = NSTemporaryDirectory() + "evalguard-tool-program-\(UUID().uuidString)"
        init(_ script: String) throws {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try script.write(toFile: directory + "/tools.py", atomically: true, encoding: .utf8)
        }
        deinit { try? FileManager.default.removeItem(atPath: directory) }
    }

    func provider(_ server: OpenAITestServer, _ scratch: Scratch, _ extra: String) throws -> OpenAIProvider {
        let p = try openAIProvider(
            """
            {"provider": "openai", "base_url": "\(server.baseURL)", "model": "m", "max_steps": 3, "max_error_rate": 1,
             "tools": [{"type": "function", "function": {"name": "wait"}}], "tools_command": ["python3", "tools.py"], \(extra)}
            """)
        p.directory = scratch.directory
        return p
    }

    @Test func otherCasesAreAnsweredWhileAToolWaits() throws {
        let server = try OpenAITestServer()
        // The tool answers only once the server has seen the other cases' requests: were the
        // provider's loop blocked on the program, they would never be sent and the call would time out.
        let scratch = try Scratch(
            """
            import json, sys, time
            log = sys.argv[1]
            for line in sys.stdin:
                call = json.loads(line)
                while sum(1 for _ in open(log)) < 4:
                    time.sleep(0.01)
                print(json.dumps({"id": call["id"], "result": "waited"}), flush=True)
            """)
        let p = try openAIProvider(
            """
            {"provider": "openai", "base_url": "\(server.baseURL)", "model": "m", "max_steps": 3, "jobs": 2, "timeout_s": 20,
             "tools": [{"type": "function", "function": {"name": "wait"}}], "tools_command": ["python3", "tools.py", "\(server.logPath)"]}
            """)
        p.directory = scratch.directory
        let r = try p.answer(textRequests(["call:wait:{}", "a", "b", "c"])) { _ in }
        #expect(r.map(\.error) == [nil, nil, nil, nil])
        #expect(
            r[0].output?["steps"] == (try JSONParser.parse(#"[{"name": "wait", "arguments": {}, "result": "waited"}]"#))
        )
        #expect(r[0].output?["content"] == .string("done: waited"))
        let contents = try server.requests().map {
            try JSONParser.parse(try #require($0["body"]?.stringValue))["messages"]?.arrayValue?.last?["role"]
        }
        #expect(contents.count == 5 && contents.last == .string("tool"))
    }

    @Test func aProgramThatStopsAnsweringOrBreaksTheProtocolStopsTheRun() throws {
        let server = try OpenAITestServer()
        let silent = try Scratch(
            """
            import sys, time
            for line in sys.stdin:
                sys.stderr.write("thinking forever\\n"); sys.stderr.flush()
                time.sleep(30)
            """)
        // Long enough for Python to start and say what it is doing on a loaded machine: the
        // hint quotes that line.
        let timedOut = try #require(throws: EvalGuardError.self) {
            try provider(server, silent, #""timeout_s": 2.5"#).answer(textRequests(["call:wait:{}"])) { _ in }
        }
        #expect(timedOut.exitCode == .couldNotEvaluate)
        #expect(
            timedOut.message
                == "the tools program python3 tools.py (model.tools_command) did not answer a call within 2.5 s (timeout_s)"
        )
        #expect(timedOut.hint?.contains("thinking forever") == true)

        let chatty = try Scratch(
            """
            import sys
            for line in sys.stdin:
                print("sure, calling it", flush=True)
            """)
        let garbled = try #require(throws: EvalGuardError.self) {
            try provider(server, chatty, #""timeout_s": 10"#).answer(textRequests(["call:wait:{}"])) { _ in }
        }
        #expect(
            garbled.message
                == "the tools program python3 tools.py (model.tools_command) wrote a line that is not {\"id\", \"result\"}: 'sure, calling it'"
        )

        let failing = try Scratch(
            """
            import json, sys
            for line in sys.stdin:
                print(json.dumps({"id": json.loads(line)["id"], "error": "order service down"}), flush=True)
            """)
        let r = try provider(server, failing, #""timeout_s": 10"#).answer(textRequests(["call:wait:{}"])) { _ in }
        #expect(
            r[0].output?["steps"]
                == (try JSONParser.parse(
                    #"[{"name": "wait", "arguments": {}, "result": {"error": "order service down"}}]"#)))
    }
}
