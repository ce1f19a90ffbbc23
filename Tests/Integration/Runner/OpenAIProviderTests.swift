import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardConfig
@testable import EvalGuardRunner
@testable import EvalGuardSupport

/// The openai provider against Fixtures/openai_server.py on 127.0.0.1.
@Suite struct OpenAIProviderTests {
    static let fast = #""retry_backoff_s": 0.01, "timeout_s": 5"#

    @Test func answersInOrderWithTemplatedPromptsHeadersUsageAndExactCost() throws {
        let server = try OpenAITestServer(["--key", "sk-test-secret-0001"])
        let provider = try openAIProvider(
            """
            {"provider": "openai", "base_url": "\(server.baseURL)", "model": "gpt-4o-mini", "api_key_env": "TEST_KEY",
             "messages": [{"role": "system", "content": "Classify."}, {"role": "user", "content": "Text: {{input.text}} / {{input.meta}}"}],
             "temperature": 0, "max_tokens": 20, "seed": 7, "response_format": {"type": "json_object"}, "jobs": 3}
            """, key: "sk-test-secret-0001",
            price: PriceTable.Price(
                inputPerMillion: Decimal(string: "0.15")!, outputPerMillion: Decimal(string: "0.6")!))
        let requests = (0..<10).map { i in
            ModelRequest(
                id: "c\(i)",
                input: .object(["text": .string("hello number \(i)"), "meta": .object(["n": .number(Double(i))])]))
        }
        var seen: [Int] = []
        let responses = try provider.answer(requests) { seen.append($0) }
        #expect(responses.map(\.error) == Array(repeating: nil, count: 10))
        #expect(responses.map(\.output) == (0..<10).map { .string("Text: hello number \($0) / {\"n\":\($0)}") })
        #expect(seen.last == 10)
        // 1 + 6 words in, 6 words out: (7 × 0.15 + 6 × 0.60) / 1e6, exactly.
        #expect(responses[0].usage?["prompt_tokens"] == 7)
        #expect(responses[0].usage?["completion_tokens"] == 6)
        #expect(responses[0].costUSD == 0.00000465)
        #expect(responses.allSatisfy { $0.latencyMs > 0 && $0.retries == 0 })

        let received = try server.requests()
        #expect(received.count == 10)
        let first = try #require(received.first)
        #expect(first["path"] == .string("/v1/chat/completions"))
        #expect(first["headers"]?["authorization"] == .string("Bearer sk-test-secret-0001"))
        #expect(first["headers"]?["content-type"] == .string("application/json"))
        let body = try JSONParser.parse(try #require(first["body"]?.stringValue))
        #expect(body["model"] == .string("gpt-4o-mini"))
        #expect(body["temperature"] == .number(0))
        #expect(body["max_tokens"] == .number(20))
        #expect(body["seed"] == .number(7))
        #expect(body["response_format"] == .object(["type": .string("json_object")]))
        #expect(
            body["messages"]?.arrayValue?.first
                == .object(["role": .string("system"), "content": .string("Classify.")]))
    }

    @Test func retriesOn429And5xxAndDroppedConnectionsCountingRetriesApart() throws {
        let server = try OpenAITestServer()
        let provider = try openAIProvider(
            """
            {"provider": "openai", "base_url": "\(server.baseURL)", "model": "m", "messages": [{"role": "user", "content": "{{input}}"}],
             "jobs": 4, \(Self.fast)}
            """)
        let inputs = ["status:429:2 a", "status:500:1 b", "drop:1 c", "plain d", "status:429:1 retry-after:1 e"]
        let responses = try provider.answer(textRequests(inputs)) { _ in }
        #expect(responses.map(\.error) == [nil, nil, nil, nil, nil])
        #expect(responses.map(\.output) == inputs.map(JSONValue.string))
        #expect(responses.map(\.retries) == [2, 1, 1, 0, 1])
        #expect(responses[3].retryMs == 0)
        #expect(responses[0].retryMs > 0)
        // Retry-After: 1 is honoured, and the wait is kept out of the latency.
        #expect(responses[4].retryMs >= 1000)
        #expect(responses[4].latencyMs < 1000)
        #expect(try server.requests().count == 5 + 2 + 1 + 1 + 1)
    }

    @Test func givesUpAfterMaxRetriesAndTimesOutWithoutRetrying() throws {
        let server = try OpenAITestServer()
        let provider = try openAIProvider(
            """
            {"provider": "openai", "base_url": "\(server.baseURL)", "model": "m", "messages": [{"role": "user", "content": "{{input}}"}],
             "max_retries": 2, "retry_backoff_s": 0.01, "timeout_s": 0.3, "max_error_rate": 1}
            """)
        let responses = try provider.answer(textRequests(["status:503:9 x", "delay:3000 slow", "fine"])) { _ in }
        #expect(responses[0].error?.contains("HTTP 503") == true)
        #expect(responses[0].error?.contains("gave up after 3 attempts") == true)
        #expect(responses[0].retries == 2)
        #expect(responses[1].timedOut)
        #expect(responses[1].error?.contains("timed out after 0.3 s") == true)
        #expect(responses[1].latencyMs >= 300 && responses[1].latencyMs < 2000)
        #expect(responses[2].output == .string("fine"))
        let received = try server.requests().compactMap { $0["body"]?.stringValue }
        #expect(received.filter { $0.contains("slow") }.count == 1)
    }

    @Test func aMalformedAnswerIsQuotedAndTruncated() throws {
        let server = try OpenAITestServer()
        let provider = try openAIProvider(
            """
            {"provider": "openai", "base_url": "\(server.baseURL)", "model": "m", "messages": [{"role": "user", "content": "{{input}}"}],
             "max_error_rate": 1, \(Self.fast)}
            """)
        let responses = try provider.answer(textRequests(["malformed", "nocontent", "ok"])) { _ in }
        let error = try #require(responses[0].error)
        #expect(
            error.hasPrefix("malformed response: expected a JSON object, got '<html>Bad Gateway: upstream sent garbage")
        )
        #expect(error.hasSuffix("…' (347 bytes, truncated)"))
        #expect(responses[1].error?.contains("no choices[0].message.content") == true)
        #expect(responses[2].error == nil)
    }

    @Test func unauthorizedNamesTheVariableAndNeverShowsTheKey() throws {
        let server = try OpenAITestServer(["--key", "the-right-key"])
        let provider = try openAIProvider(
            """
            {"provider": "openai", "base_url": "\(server.baseURL)", "model": "m", "api_key_env": "MY_LLM_KEY",
             "messages": [{"role": "user", "content": "{{input}}"}], \(Self.fast)}
            """, key: "sk-wrong-secret-9876")
        let error = try #require(throws: EvalGuardError.self) {
            try provider.answer(textRequests(["a", "b"])) { _ in }
        }
        #expect(error.exitCode == .couldNotEvaluate)
        #expect(error.message.contains("401"))
        #expect(error.message.contains("MY_LLM_KEY"))
        // The server echoes the key it was sent; evalguard shows the variable's name instead.
        #expect(error.description.contains("Bearer [$MY_LLM_KEY]"))
        #expect(!error.description.contains("sk-wrong-secret-9876"))
    }

    @Test func notFoundPointsAtTheModelAndTheURL() throws {
        let server = try OpenAITestServer(["--model", "gpt-4o-mini"])
        let unknownModel = try openAIProvider(
            """
            {"provider": "openai", "base_url": "\(server.baseURL)", "model": "gpt-4o-mni", "messages": [{"role": "user", "content": "{{input}}"}]}
            """)
        let e1 = try #require(throws: EvalGuardError.self) { try unknownModel.answer(textRequests(["a"])) { _ in } }
        #expect(e1.message.contains("404"))
        #expect(e1.hint?.contains("model.model ('gpt-4o-mni')") == true)
        #expect(e1.hint?.contains("The model `gpt-4o-mni` does not exist") == true)

        let wrongURL = try openAIProvider(
            """
            {"provider": "openai", "base_url": "http://127.0.0.1:\(server.port)", "model": "gpt-4o-mini", "messages": [{"role": "user", "content": "{{input}}"}]}
            """)
        let e2 = try #require(throws: EvalGuardError.self) { try wrongURL.answer(textRequests(["a"])) { _ in } }
        #expect(e2.message.contains("http://127.0.0.1:\(server.port)/chat/completions answered HTTP 404"))
        #expect(e2.hint?.contains("base_url ending in /v1") == true)
    }

    @Test func connectionRefusedNamesTheURL() throws {
        let port = OpenAITestServer.closedPort()
        let provider = try openAIProvider(
            """
            {"provider": "openai", "base_url": "http://127.0.0.1:\(port)/v1", "model": "m", "messages": [{"role": "user", "content": "{{input}}"}],
             "max_retries": 1, \(Self.fast)}
            """)
        let error = try #require(throws: EvalGuardError.self) {
            try provider.answer(textRequests(["a", "b", "c"])) { _ in }
        }
        #expect(error.exitCode == .couldNotEvaluate)
        #expect(
            error.hint?.contains(
                "cannot connect to http://127.0.0.1:\(port)/v1/chat/completions: connection refused (is the server running? check model.base_url) (gave up after 2 attempts)"
            ) == true)
    }

    @Test func jobsAndTheRateLimitBoundHowFastRequestsGo() throws {
        let server = try OpenAITestServer(["--delay-ms", "150"])
        func wall(_ extra: String) throws -> Double {
            let provider = try openAIProvider(
                """
                {"provider": "openai", "base_url": "\(server.baseURL)", "model": "m", "messages": [{"role": "user", "content": "{{input}}"}], \(extra)}
                """)
            let start = monotonicNanoseconds()
            let responses = try provider.answer(textRequests((0..<8).map { "q\($0)" })) { _ in }
            #expect(responses.allSatisfy { $0.error == nil })
            return Double(monotonicNanoseconds() - start) / 1e6
        }
        let parallel = try wall("\"jobs\": 8")
        let twoAtATime = try wall("\"jobs\": 2")
        // 600 per minute: one start every 100 ms, whatever the jobs.
        let limited = try wall("\"jobs\": 8, \"requests_per_minute\": 600")
        #expect(parallel >= 150 && parallel < 500)
        #expect(twoAtATime >= 600 && twoAtATime < 1100)
        #expect(limited >= 850 && limited < 1300)
    }

    @Test func outputCanBeAFieldOfTheContentParsedAsJSON() throws {
        let server = try OpenAITestServer()
        let provider = try openAIProvider(
            """
            {"provider": "openai", "base_url": "\(server.baseURL)", "model": "m", "messages": [{"role": "user", "content": "{{input}}"}],
             "output": "json.intent"}
            """)
        let inputs = [
            "{\"intent\": \"refund\"}", "```json\n{\"intent\": \"cancel\"}\n```", "not json at all", "{\"other\": 1}",
        ]
        let responses = try provider.answer(textRequests(inputs)) { _ in }
        #expect(responses.map(\.output) == [.string("refund"), .string("cancel"), .string("not json at all"), .null])
        #expect(responses.allSatisfy { $0.error == nil })
        #expect(responses[3].costUSD == nil)
    }

    @Test func aPromptFieldMissingFromACaseIsAnInputError() throws {
        let provider = try openAIProvider(
            """
            {"provider": "openai", "base_url": "http://127.0.0.1:9/v1", "model": "m", "messages": [{"role": "user", "content": "{{input.text}}"}]}
            """)
        let error = try #require(throws: EvalGuardError.self) {
            try provider.answer([ModelRequest(id: "q7", input: .object(["txt": .string("x")]))]) { _ in }
        }
        #expect(error.exitCode == .usage)
        #expect(
            error.message
                == "case 'q7': model.messages[0].content uses {{input.text}}, but the case's input has no such field")
    }
}
