import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardConfig
@testable import EvalGuardRunner
@testable import EvalGuardSupport

/// Tools in the openai provider against the test server: what a request carries (`tools`,
/// `tool_choice`, `parallel_tool_calls`, a case's own conversation), how an answer with tool
/// calls becomes the case's output, and the agent loop (`max_steps`) with canned tool results.
@Suite struct OpenAIToolCallTests {
    static let tools = #"""
        [{"type": "function", "function": {"name": "lookup_order", "parameters": {"type": "object", "properties": {"order_id": {"type": "string"}}}}},
         {"type": "function", "function": {"name": "refund", "parameters": {"type": "object"}}}]
        """#

    func provider(
        _ server: OpenAITestServer, _ extra: String = "",
        messages: String = #"[{"role": "user", "content": "{{input}}"}]"#,
        price: PriceTable.Price? = nil
    ) throws -> OpenAIProvider {
        try openAIProvider(
            """
            {"provider": "openai", "base_url": "\(server.baseURL)", "model": "m", "messages": \(messages),
             "tools": \(Self.tools), "retry_backoff_s": 0.01, "max_error_rate": 1\(extra.isEmpty ? "" : ", " + extra)}
            """, price: price)
    }

    func bodies(_ server: OpenAITestServer) throws -> [JSONValue] {
        try server.requests().map { try JSONParser.parse(try #require($0["body"]?.stringValue)) }
    }

    func json(_ text: String) throws -> JSONValue { try JSONParser.parse(text) }

    @Test func toolsToolChoiceAndParallelCallsAreSentAsWritten() throws {
        let server = try OpenAITestServer()
        let p = try provider(
            server,
            #""tool_choice": {"type": "function", "function": {"name": "lookup_order"}}, "parallel_tool_calls": false"#)
        _ = try p.answer(textRequests(["hello"])) { _ in }
        let body = try #require(try bodies(server).first)
        #expect(body["tools"] == (try json(Self.tools)))
        #expect(body["tool_choice"] == (try json(#"{"type": "function", "function": {"name": "lookup_order"}}"#)))
        #expect(body["parallel_tool_calls"] == .bool(false))
        // Without tool settings, a request carries none of them.
        let plain = try openAIProvider(#"{"provider": "openai", "base_url": "\#(server.baseURL)", "model": "m"}"#)
        _ = try plain.answer(textRequests(["again"])) { _ in }
        let second = try #require(try bodies(server).last)
        #expect(second["tools"] == nil && second["tool_choice"] == nil && second["parallel_tool_calls"] == nil)
    }

    @Test func anAnswerWithToolCallsIsContentAndCalls() throws {
        let server = try OpenAITestServer()
        let p = try provider(server, #""output": "json""#)
        let r = try p.answer(
            textRequests([
                #"call:lookup_order:{"order_id": "A1"}"#,
                #"say:Checking both. & call:lookup_order:{"order_id": "A1"} & call:refund:{"order_id": "A1", "amount": 5}"#,
                #"call:lookup_order:{order_id: A1"#,
                #"{"answer": 42}"#,
            ])
        ) { _ in }
        #expect(r[0].error == nil)
        #expect(
            r[0].output
                == (try json(
                    #"{"content": null, "tool_calls": [{"name": "lookup_order", "arguments": {"order_id": "A1"}}]}"#)))
        #expect(
            r[1].output
                == (try json(
                    #"""
                    {"content": "Checking both.", "tool_calls": [{"name": "lookup_order", "arguments": {"order_id": "A1"}},
                                                                 {"name": "refund", "arguments": {"order_id": "A1", "amount": 5}}]}
                    """#)))
        // Arguments that are not JSON are kept as the text the model wrote.
        #expect(
            r[2].output
                == (try json(
                    #"{"content": null, "tool_calls": [{"name": "lookup_order", "arguments": "{order_id: A1"}]}"#)))
        // Without calls, the answer is what `output` extracts, as before.
        #expect(r[3].output == (try json(#"{"answer": 42}"#)))
        #expect(r.allSatisfy { $0.usage?["prompt_tokens"] != nil })
    }

    @Test func theCaseConversationIsSplicedBetweenTheTemplateMessages() throws {
        let server = try OpenAITestServer()
        let p = try provider(
            server,
            messages:
                #"[{"role": "system", "content": "You are a support agent."}, "{{input.messages}}", {"role": "user", "content": "Ticket {{input.ticket}}"}]"#
        )
        let input = try json(
            #"""
            {"ticket": "T9", "messages": [
              {"role": "user", "content": "Where is order A1?"},
              {"role": "assistant", "content": null, "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "lookup_order", "arguments": {"order_id": "A1"}}}]},
              {"role": "tool", "tool_call_id": "c1", "content": "{\"status\": \"shipped\"}"}]}
            """#)
        let r = try p.answer([ModelRequest(id: "conv", input: input)]) { _ in }
        #expect(r[0].output == .string("Ticket T9"))
        let messages = try #require(try bodies(server).first?["messages"])
        #expect(
            messages
                == (try json(
                    #"""
                    [{"role": "system", "content": "You are a support agent."},
                     {"role": "user", "content": "Where is order A1?"},
                     {"role": "assistant", "content": "", "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "lookup_order", "arguments": "{\"order_id\":\"A1\"}"}}]},
                     {"role": "tool", "tool_call_id": "c1", "content": "{\"status\": \"shipped\"}"},
                     {"role": "user", "content": "Ticket T9"}]
                    """#)))
    }

    @Test func aLoopAnswersCallsWithTheCaseResultsAndSumsItsRequests() throws {
        let server = try OpenAITestServer()
        let price = PriceTable.Price(inputPerMillion: 1, outputPerMillion: 2)
        let p = try provider(server, #""max_steps": 4"#, price: price)
        let toolResults = try json(
            #"""
            [{"name": "lookup_order", "arguments": {"order_id": "A1"}, "result": {"status": "delivered", "total": 30}},
             {"name": "refund", "result": {"ok": true}}]
            """#)
        let script =
            #"call:lookup_order:{"order_id": "A1"} then call:refund:{"order_id": "A1", "amount": 30} then final:Refunded 30."#
        let r = try p.answer([ModelRequest(id: "agent", input: .string(script), toolResults: toolResults)]) { _ in }
        #expect(r[0].error == nil)
        #expect(
            r[0].output
                == (try json(
                    #"""
                    {"content": "Refunded 30.",
                     "tool_calls": [{"name": "lookup_order", "arguments": {"order_id": "A1"}}, {"name": "refund", "arguments": {"order_id": "A1", "amount": 30}}],
                     "steps": [{"name": "lookup_order", "arguments": {"order_id": "A1"}, "result": {"status": "delivered", "total": 30}},
                               {"name": "refund", "arguments": {"order_id": "A1", "amount": 30}, "result": {"ok": true}}]}
                    """#)))
        let sent = try bodies(server)
        #expect(sent.count == 3)
        // Each follow-up carries the assistant's calls as the API sent them and one tool message per call.
        let second = try #require(sent[1]["messages"]?.arrayValue)
        #expect(second.count == 3)
        #expect(second[1]["tool_calls"]?.arrayValue?.first?["id"] == .string("call_0_0"))
        #expect(
            second[1]["tool_calls"]?.arrayValue?.first?["function"]?["arguments"] == .string(#"{"order_id": "A1"}"#))
        #expect(
            second[2]
                == (try json(
                    #"{"role": "tool", "tool_call_id": "call_0_0", "content": "{\"status\":\"delivered\",\"total\":30}"}"#
                )))
        #expect(sent[2]["messages"]?.arrayValue?.count == 5)
        // Tokens and cost are the sums of the three requests.
        // The server counts words: of every message's content (null as "None") in, of each round's text out.
        let prompts = sent.map { body in
            Double(
                (body["messages"]?.arrayValue ?? []).map {
                    ($0["content"]?.stringValue ?? "None").split(separator: " ").count
                }.reduce(0, +))
        }
        let completions = script.components(separatedBy: " then ").map { Double($0.split(separator: " ").count) }
        #expect(r[0].usage?["prompt_tokens"] == prompts.reduce(0, +))
        #expect(r[0].usage?["completion_tokens"] == completions.reduce(0, +))
        #expect(
            r[0].costUSD
                == zip(prompts, completions).map { price.cost(promptTokens: $0, completionTokens: $1) ?? 0 }.reduce(
                    0, +))
    }

    @Test func theCostLimitHoldsBackALoopsNextRequest() throws {
        let server = try OpenAITestServer()
        let p = try provider(
            server, #""max_steps": 3"#, price: PriceTable.Price(inputPerMillion: 1, outputPerMillion: 1))
        // The first request may go out (nothing is known of the cost yet); its answer spends the limit.
        p.maxCostUSD = 1e-12
        let error = try #require(throws: EvalGuardError.self) {
            try p.answer([
                ModelRequest(
                    id: "a", input: .string("call:refund:{} then final:ok"),
                    toolResults: try json(#"[{"name": "refund", "result": 1}]"#))
            ]) { _ in }
        }
        #expect(error.message.contains("stopped before going over the cost limit"))
        #expect(try server.requests().count == 1)
    }

    @Test func anUnmatchedCallGetsAnErrorResultTheModelSees() throws {
        let server = try OpenAITestServer()
        let p = try provider(server, #""max_steps": 3"#)
        let toolResults = try json(
            #"[{"name": "lookup_order", "arguments": {"order_id": "A1"}, "result": {"status": "delivered"}}]"#)
        let r = try p.answer([
            ModelRequest(id: "u", input: .string(#"call:lookup_order:{"order_id": "B2"}"#), toolResults: toolResults)
        ]) { _ in }
        let error = "no tool result in the case's tool_results for lookup_order with arguments {\"order_id\":\"B2\"}"
        #expect(
            r[0].output?["steps"]
                == (try json(
                    #"[{"name": "lookup_order", "arguments": {"order_id": "B2"}, "result": {"error": "\#(error.replacingOccurrences(of: "\"", with: "\\\""))"}}]"#
                )))
        // The model saw the error (the server's final answer quotes the tool messages).
        #expect(
            r[0].output?["content"]
                == .string("done: {\"error\":\"\(error.replacingOccurrences(of: "\"", with: "\\\""))\"}"))
    }

    @Test func aLoopStopsAtMaxStepsWithTheLastCallsUnanswered() throws {
        let server = try OpenAITestServer()
        let p = try provider(server, #""max_steps": 2"#)
        let script = #"call:lookup_order:{"order_id": "A1"} then call:refund:{"order_id": "A1"} then final:never"#
        let r = try p.answer([
            ModelRequest(
                id: "m", input: .string(script),
                toolResults: try json(#"[{"name": "lookup_order", "result": 1}, {"name": "refund", "result": 2}]"#))
        ]) { _ in }
        #expect(try server.requests().count == 2)
        #expect(
            r[0].output?["tool_calls"]?.arrayValue?.map { $0["name"] } == [.string("lookup_order"), .string("refund")])
        #expect(r[0].output?["steps"]?.arrayValue?.count == 1)
        #expect(r[0].output?["content"] == .null)
    }

    @Test func aLoopWithoutCallsIsItsTextAndARetriedFollowUpCounts() throws {
        let server = try OpenAITestServer()
        let p = try provider(server, #""max_steps": 3"#)
        let r = try p.answer([
            ModelRequest(id: "plain", input: .string("just text")),
            ModelRequest(
                id: "retry", input: .string(#"call:refund:{} then status:500:1 & final:ok"#),
                toolResults: try json(#"[{"name": "refund", "result": "done"}]"#)),
        ]) { _ in }
        #expect(r[0].output == .string("just text"))
        #expect(r[1].error == nil)
        #expect(r[1].output?["content"] == .string("ok"))
        #expect(r[1].retries == 1)
        // A string result is sent to the model as itself.
        #expect(r[1].output?["steps"]?.arrayValue?.first?["result"] == .string("done"))
    }

    @Test func aToolsProgramAnswersTheCallsOfEverySlot() throws {
        let server = try OpenAITestServer()
        let directory = NSTemporaryDirectory() + "evalguard-tools-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try """
        import json, sys
        for line in sys.stdin:
            call = json.loads(line)
            if call["name"] == "crash":
                sys.stderr.write("tool exploded\\n"); sys.exit(3)
            result = {"tool": call["name"], "echo": call["arguments"]}
            sys.stdout.write(json.dumps({"id": call["id"], "result": result}) + "\\n")
            sys.stdout.flush()
        """.write(toFile: directory + "/tools.py", atomically: true, encoding: .utf8)
        let p = try provider(server, #""max_steps": 3, "jobs": 3, "tools_command": ["python3", "tools.py"]"#)
        p.directory = directory
        let requests = (0..<6).map {
            ModelRequest(
                id: "t\($0)", input: .string(#"call:lookup_order:{"order_id": "\#($0)"} & call:refund:{"n": \#($0)}"#))
        }
        let r = try p.answer(requests) { _ in }
        for (n, response) in r.enumerated() {
            #expect(response.error == nil)
            #expect(
                response.output?["steps"]
                    == (try json(
                        #"""
                        [{"name": "lookup_order", "arguments": {"order_id": "\#(n)"}, "result": {"tool": "lookup_order", "echo": {"order_id": "\#(n)"}}},
                         {"name": "refund", "arguments": {"n": \#(n)}, "result": {"tool": "refund", "echo": {"n": \#(n)}}}]
                        """#)))
        }
        #expect(try server.requests().count == 12)

        let crash = try provider(server, #""max_steps": 3, "tools_command": ["python3", "tools.py"]"#)
        crash.directory = directory
        let error = try #require(throws: EvalGuardError.self) {
            try crash.answer([ModelRequest(id: "c", input: .string("call:crash:{}"))]) { _ in }
        }
        #expect(error.exitCode == .couldNotEvaluate)
        #expect(
            error.message.contains("the tools program python3 tools.py (model.tools_command) ended (exit status 3)"))
        #expect(error.hint?.contains("tool exploded") == true)
    }
}
