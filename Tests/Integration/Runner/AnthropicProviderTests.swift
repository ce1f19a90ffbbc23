import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardConfig
@testable import EvalGuardRunner
@testable import EvalGuardSupport

/// The anthropic provider against Fixtures/anthropic_server.py: the headers and body a request
/// carries, how an answer (text and tool_use blocks) becomes the case's output, usage and cost,
/// retries on 429/529, the rate-limit rules and the errors.
@Suite struct AnthropicProviderTests {
    static let key = "sk-ant-test-secret-0001"
    static let tools = #"""
        [{"name": "lookup_order", "description": "Find an order", "input_schema": {"type": "object", "properties": {"order_id": {"type": "string"}}}},
         {"name": "refund", "input_schema": {"type": "object"}}]
        """#

    func provider(
        _ server: AnthropicTestServer, _ extra: String = "",
        messages: String = #"[{"role": "user", "content": "{{input}}"}]"#,
        key: String? = nil, price: PriceTable.Price? = nil
    ) throws -> OpenAIProvider {
        try anthropicProvider(
            """
            {"provider": "anthropic", "base_url": "\(server.baseURL)", "model": "claude-test", "max_tokens": 64,
             "messages": \(messages), "retry_backoff_s": 0.01, "max_error_rate": 1\(extra.isEmpty ? "" : ", " + extra)}
            """, key: key, price: price)
    }

    func json(_ text: String) throws -> JSONValue { try JSONParser.parse(text) }

    @Test func sendsTheKeyTheVersionTheSystemPromptAndTheSettings() throws {
        let server = try AnthropicTestServer(["--key", Self.key])
        let p = try provider(
            server, #""api_key_env": "ANTHROPIC_TEST_KEY", "system": "Classify {{input.kind}}.", "temperature": 0.5"#,
            messages: #"[{"role": "user", "content": "Text: {{input.text}}"}]"#, key: Self.key)
        let r = try p.answer([ModelRequest(id: "a", input: try json(#"{"text": "hello there", "kind": "tickets"}"#))]) {
            _ in
        }
        #expect(r[0].error == nil)
        #expect(r[0].output == .string("Text: hello there"))
        let request = try #require(try server.requests().first)
        #expect(request["path"] == .string("/v1/messages"))
        #expect(request["headers"]?["x-api-key"] == .string(Self.key))
        #expect(request["headers"]?["anthropic-version"] == .string("2023-06-01"))
        #expect(request["headers"]?["authorization"] == nil)
        #expect(
            try server.bodies().first
                == (try json(
                    #"""
                    {"model": "claude-test", "max_tokens": 64, "temperature": 0.5, "system": "Classify tickets.",
                     "messages": [{"role": "user", "content": "Text: hello there"}]}
                    """#)))
        // anthropic_version is sent as written.
        let dated = try provider(server, #""anthropic_version": "2099-01-01""#, key: Self.key)
        _ = try dated.answer(textRequests(["again"])) { _ in }
        #expect(try server.requests().last?["headers"]?["anthropic-version"] == .string("2099-01-01"))
    }

    @Test func usageKeepsTheCachedFiguresAndCostsThemOnTopOfInputTokens() throws {
        let server = try AnthropicTestServer()
        let price = PriceTable.Price(
            inputPerMillion: 3, outputPerMillion: 15, cachedInputPerMillion: Decimal(string: "0.3")!,
            cacheWritePerMillion: Decimal(string: "3.75")!)
        let p = try provider(server, price: price)
        let r = try p.answer(textRequests(["input:1200 output:300 cached:5000 written:800"])) { _ in }
        #expect(
            r[0].usage == [
                "input_tokens": 1200, "output_tokens": 300, "cache_read_input_tokens": 5000,
                "cache_creation_input_tokens": 800,
            ])
        // 1200 × 3 + 5000 × 0.3 + 800 × 3.75 + 300 × 15 = 3600 + 1500 + 3000 + 4500 = 12600 per million.
        #expect(r[0].costUSD == 0.0126)
    }

    @Test func toolUseBlocksBecomeTheToolCallOutput() throws {
        let server = try AnthropicTestServer()
        let p = try provider(server, #""tools": \#(Self.tools), "tool_choice": {"type": "any"}, "output": "json""#)
        let r = try p.answer(
            textRequests([
                #"call:lookup_order:{"order_id": "A1"}"#,
                #"say:Checking both. & call:lookup_order:{"order_id": "A1"} & call:refund:{"order_id": "A1", "amount": 5}"#,
                #"{"answer": 42}"#,
            ])
        ) { _ in }
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
        #expect(r[2].output == (try json(#"{"answer": 42}"#)))
        let body = try #require(try server.bodies().first)
        #expect(body["tools"] == (try json(Self.tools)))
        #expect(body["tool_choice"] == (try json(#"{"type": "any"}"#)))
    }

    @Test func theAgentLoopSendsToolResultBlocksBack() throws {
        let server = try AnthropicTestServer()
        let input = try json(
            #"""
            {"text": "call:lookup_order:{\"order_id\": \"A1\"} & call:refund:{\"order_id\": \"A1\"} then final:Refunded.",
             "tool_results": [{"name": "lookup_order", "result": {"status": "shipped"}}, {"name": "refund", "result": "ok"}]}
            """#)
        let p = try provider(
            server, #""tools": \#(Self.tools), "max_steps": 3"#,
            messages: #"[{"role": "user", "content": "{{input.text}}"}]"#)
        let r = try p.answer([ModelRequest(id: "agent", input: input, toolResults: input["tool_results"])]) { _ in }
        #expect(r[0].error == nil)
        #expect(
            r[0].output
                == (try json(
                    #"""
                    {"content": "Refunded.", "tool_calls": [{"name": "lookup_order", "arguments": {"order_id": "A1"}}, {"name": "refund", "arguments": {"order_id": "A1"}}],
                     "steps": [{"name": "lookup_order", "arguments": {"order_id": "A1"}, "result": {"status": "shipped"}},
                               {"name": "refund", "arguments": {"order_id": "A1"}, "result": "ok"}]}
                    """#)))
        let bodies = try server.bodies()
        #expect(bodies.count == 2)
        // The second request: the user's turn, the assistant's tool_use blocks, one user turn of both results.
        #expect(
            bodies[1]["messages"]
                == (try json(
                    #"""
                    [{"role": "user", "content": "call:lookup_order:{\"order_id\": \"A1\"} & call:refund:{\"order_id\": \"A1\"} then final:Refunded."},
                     {"role": "assistant", "content": [{"type": "tool_use", "id": "toolu_0_0", "name": "lookup_order", "input": {"order_id": "A1"}},
                                                       {"type": "tool_use", "id": "toolu_0_1", "name": "refund", "input": {"order_id": "A1"}}]},
                     {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_0_0", "content": "{\"status\":\"shipped\"}"},
                                                  {"type": "tool_result", "tool_use_id": "toolu_0_1", "content": "ok"}]}]
                    """#)))
    }

    @Test func aToolsProgramAnswersTheToolUseBlocksOfEverySlot() throws {
        let server = try AnthropicTestServer()
        let directory = NSTemporaryDirectory() + "evalguard-anthropic-tools-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try """
        import json, sys
        for line in sys.stdin:
            call = json.loads(line)
            sys.stdout.write(json.dumps({"id": call["id"], "result": {"tool": call["name"], "echo": call["arguments"]}}) + "\\n")
            sys.stdout.flush()
        """.write(toFile: directory + "/tools.py", atomically: true, encoding: .utf8)
        let p = try provider(
            server, #""tools": \#(Self.tools), "max_steps": 3, "jobs": 3, "tools_command": ["python3", "tools.py"]"#)
        p.directory = directory
        let requests = (0..<4).map {
            ModelRequest(id: "t\($0)", input: .string(#"call:lookup_order:{"order_id": "\#($0)"}"#))
        }
        let r = try p.answer(requests) { _ in }
        for (n, response) in r.enumerated() {
            #expect(response.error == nil)
            #expect(
                response.output?["steps"]
                    == (try json(
                        #"""
                        [{"name": "lookup_order", "arguments": {"order_id": "\#(n)"}, "result": {"tool": "lookup_order", "echo": {"order_id": "\#(n)"}}}]
                        """#)))
            #expect(
                response.output?["content"] == .string(#"done: {"echo":{"order_id":"\#(n)"},"tool":"lookup_order"}"#))
        }
        // Each case: its call, then its result sent back as a tool_result block.
        let bodies = try server.bodies()
        #expect(bodies.count == 8)
        let results = bodies.compactMap { $0["messages"]?.arrayValue?.last?["content"]?.arrayValue?.first }.filter {
            $0["type"] == .string("tool_result")
        }
        #expect(results.count == 4 && results.allSatisfy { $0["tool_use_id"] == .string("toolu_0_0") })
    }

    @Test func anOpenAIStyleConversationInTheCaseIsSentAsContentBlocks() throws {
        let server = try AnthropicTestServer()
        let p = try provider(
            server, #""system": "You are a support agent.""#,
            messages: #"["{{input.messages}}", {"role": "user", "content": "Ticket {{input.ticket}}"}]"#)
        let input = try json(
            #"""
            {"ticket": "T9", "messages": [
              {"role": "system", "content": "Be brief."},
              {"role": "user", "content": "Where is order A1?"},
              {"role": "assistant", "content": null, "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "lookup_order", "arguments": {"order_id": "A1"}}}]},
              {"role": "tool", "tool_call_id": "c1", "content": "{\"status\": \"shipped\"}"}]}
            """#)
        let r = try p.answer([ModelRequest(id: "conv", input: input)]) { _ in }
        #expect(r[0].output == .string("Ticket T9"))
        let body = try #require(try server.bodies().first)
        #expect(body["system"] == .string("You are a support agent.\n\nBe brief."))
        #expect(
            body["messages"]
                == (try json(
                    #"""
                    [{"role": "user", "content": "Where is order A1?"},
                     {"role": "assistant", "content": [{"type": "tool_use", "id": "c1", "name": "lookup_order", "input": {"order_id": "A1"}}]},
                     {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "c1", "content": "{\"status\": \"shipped\"}"},
                                                  {"type": "text", "text": "Ticket T9"}]}]
                    """#)))
    }

    @Test func retriesOn429And529AndOverloadedHonouringRetryAfter() throws {
        let server = try AnthropicTestServer()
        let p = try provider(server, #""jobs": 3"#)
        let inputs = ["status:429:2 a", "status:529:1 retry-after:1 b", "status:500:1 c", "plain d"]
        let r = try p.answer(textRequests(inputs)) { _ in }
        #expect(r.map(\.error) == [nil, nil, nil, nil])
        #expect(r.map(\.retries) == [2, 1, 1, 0])
        // The server counted every attempt: 3 + 2 + 2 + 1.
        #expect(try server.requests().count == 8)
        // The retry-after of one second held that request back that long.
        #expect(r[1].retryMs >= 1000)
        // Retries spent: the API's own error type and message.
        let spent = try provider(server, #""max_retries": 1"#)
        let failed = try spent.answer(textRequests(["status:529:5 e"])) { _ in }
        #expect(
            failed[0].error
                == "HTTP 529 Overloaded from \(server.baseURL)/v1/messages: overloaded_error: Overloaded (gave up after 2 attempts)"
        )
    }

    @Test func refusalsForLoadAndGlobalLimitsReadAnthropicsHeaders() {
        #expect([429, 503, 529].allSatisfy(OpenAIRun.isRefusalForLoad))
        #expect(![500, 502, 408].contains(where: OpenAIRun.isRefusalForLoad))
        #expect(OpenAIRun.isGlobalLimit(["anthropic-ratelimit-requests-remaining": "0"]))
        #expect(OpenAIRun.isGlobalLimit(["anthropic-ratelimit-tokens-remaining": " 0"]))
        #expect(
            !OpenAIRun.isGlobalLimit([
                "anthropic-ratelimit-requests-remaining": "12", "anthropic-ratelimit-tokens-remaining": "400",
            ]))
    }

    @Test func aRejectedKeyNamesItsVariableAndAnUnknownModelItsName() throws {
        let server = try AnthropicTestServer(["--key", "another-key", "--model", "claude-real"])
        let p = try provider(server, #""api_key_env": "ANTHROPIC_TEST_KEY""#, key: Self.key)
        let error = try #require(throws: EvalGuardError.self) { try p.answer(textRequests(["hi"])) { _ in } }
        #expect(error.message.contains("did not accept the API key in the environment variable ANTHROPIC_TEST_KEY"))
        #expect(error.hint?.contains("authentication_error: invalid x-api-key") == true)
        #expect(!error.message.contains(Self.key) && error.hint?.contains(Self.key) == false)

        let open = try AnthropicTestServer(["--model", "claude-real"])
        let unknown = try provider(open)
        let missing = try #require(throws: EvalGuardError.self) { try unknown.answer(textRequests(["hi"])) { _ in } }
        #expect(missing.message.contains("the server knows no model 'claude-test'"))
        #expect(missing.hint?.contains("<base_url>/v1/messages") == true)
        #expect(missing.hint?.contains("not_found_error: model: claude-test") == true)
    }

    @Test func anotherErrorSaysTheAPIsTypeAndMessage() throws {
        let server = try AnthropicTestServer()
        let r = try provider(server).answer(textRequests(["status:400:1 bad"])) { _ in }
        #expect(
            r[0].error == "HTTP 400 Bad Request from \(server.baseURL)/v1/messages: invalid_request_error: try again")
        // The message is the server's: its control characters never reach a terminal.
        let escaped = try provider(server).answer(textRequests(["status:400:1 escape"])) { _ in }
        #expect(
            escaped[0].error == "HTTP 400 Bad Request from \(server.baseURL)/v1/messages: invalid_request_error: "
                + "\u{FFFD}[2J\u{FFFD}[31mbad\u{FFFD}[0m request\u{FFFD}\u{FFFD}forged line")
    }
}
