import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardConfig
@testable import EvalGuardRunner
@testable import EvalGuardSupport

@Suite struct OpenAIConfigTests {
    static let messages = #""messages": [{"role": "user", "content": "{{input}}"}]"#

    func configError(_ model: String) -> EvalGuardError? {
        do {
            _ = try openAIConfig(model)
            return nil
        } catch let e as EvalGuardError { return e } catch { return nil }
    }

    @Test func readsEveryKeyAndKeepsTheCommandProviderTheDefault() throws {
        let model = try openAIConfig(
            """
            {"provider": "openai", "base_url": "http://localhost:11434/v1/", "model": "llama3.2", "api_key_env": "OLLAMA_KEY",
             \(Self.messages), "temperature": 0.2, "max_tokens": 64, "seed": 1, "output": "json.label",
             "requests_per_minute": 120, "max_retries": 5, "retry_backoff_s": 0.5, "prices": "costs/prices.json"}
            """)
        let o = try #require(model.openAI)
        #expect(model.provider == "openai")
        #expect(model.jobs == 8)
        #expect(o.chatCompletionsURL == "http://localhost:11434/v1/chat/completions")
        #expect(o.apiKeyEnv == "OLLAMA_KEY")
        #expect(o.output == .json(path: ["label"]))
        #expect(o.requestsPerMinute == 120 && o.maxRetries == 5 && o.retryBackoffSeconds == 0.5)
        #expect(o.prices == "costs/prices.json")
        let command = try openAIConfig(#"{"command": ["python3", "m.py"]}"#)
        #expect(command.provider == "command" && command.openAI == nil)
    }

    @Test func withoutMessagesTheInputIsTheOneUserMessage() throws {
        // A model used only as a judge or an embedder has no prompt of its own to give.
        let o = try #require(try openAIConfig(#"{"provider": "openai", "model": "grader"}"#).openAI)
        #expect(o.messages.map(\.role) == ["user"])
        #expect(o.messages.first?.content.file == nil)
        #expect(try o.messages.first?.content.render(.string("Grade this answer.")).get() == "Grade this answer.")
        let empty = try #require(configError(#"{"provider": "openai", "model": "m", "messages": []}"#))
        #expect(empty.message.contains("expected a non-empty array"))
    }

    @Test func unknownKeysAndMistakesAreReportedAtTheirLine() throws {
        let typo = try #require(
            configError("{\"provider\": \"openai\", \"model\": \"m\", \(Self.messages),\n \"temprature\": 0}"))
        #expect(typo.message == "model.temprature: unknown key 'temprature'")
        #expect(typo.hint == "Did you mean 'temperature'?")
        #expect(typo.line == 2)
        let command = try #require(
            configError("{\"provider\": \"openai\", \"model\": \"m\", \(Self.messages), \"command\": [\"x\"]}"))
        #expect(command.message == "model.command: unknown key 'command'")
        let key = try #require(
            configError(
                "{\"provider\": \"openai\", \"model\": \"m\", \(Self.messages), \"api_key_env\": \"sk-proj-abc\"}"))
        #expect(key.message.contains("the NAME of an environment variable"))
        let slot = try #require(
            configError(
                #"{"provider": "openai", "model": "m", "messages": [{"role": "user", "content": "{{inptu}}"}]}"#))
        #expect(slot.message == "model.messages[0].content: unknown slot '{{inptu}}'")
        let output = try #require(
            configError("{\"provider\": \"openai\", \"model\": \"m\", \(Self.messages), \"output\": \"text\"}"))
        #expect(output.message.contains("expected \"content\", \"json\" or \"json.<field>\""))
        let noModel = try #require(configError("{\"provider\": \"openai\", \(Self.messages)}"))
        #expect(noModel.message.contains("missing \"model\""))
    }

    @Test func templatesFillStringsAsTextAndAnythingElseAsJSON() throws {
        let t = try PromptTemplate(
            node: ConfigNode(
                value: .string("A {{ input.a }} B {{input.b.c}} C {{input}}"),
                source: ConfigSource(displayPath: "x", text: "")))
        let input = JSONValue.object(["a": .string("x\"y"), "b": .object(["c": .array([.number(1)])])])
        #expect(try t.render(input).get() == #"A x"y B [1] C {"a":"x\"y","b":{"c":[1]}}"#)
        #expect(throws: PromptTemplate.MissingField.self) { try t.render(.string("plain")).get() }
    }

    @Test func pricesAreExactPerMillionAndAMissingModelIsAnError() throws {
        let table = try PriceTable.parse(
            ConfigSource(
                displayPath: ".evals/prices.json",
                text: """
                    // per million tokens, US dollars
                    {"gpt-4o-mini": {"input_per_million": 0.15, "output_per_million": 0.60}, free: {input_per_million: 0, output_per_million: 0}}
                    """))
        let price = try #require(table.models["gpt-4o-mini"])
        #expect(price.cost(promptTokens: 1234, completionTokens: 567) == 0.0005253)
        #expect(price.cost(promptTokens: 1, completionTokens: 0) == 0.00000015)
        #expect(table.models["free"]?.cost(promptTokens: 1e6, completionTokens: 1e6) == 0)

        let repo = try TemporaryDirectory()
        let config = try #require(
            try openAIConfig(
                #"{"provider": "openai", "model": "gpt-4o", "messages": [{"role": "user", "content": "{{input}}"}]}"#
            ).openAI)
        let (none, warning) = try config.price(repositoryRoot: repo.root)
        #expect(none == nil)
        #expect(warning == "no price table at .evals/prices.json: cost is not computed for 'gpt-4o'")
        try repo.write(
            ".evals/prices.json", #"{"gpt-4o-mini": {"input_per_million": 0.15, "output_per_million": 0.6}}"#)
        let missing = try #require(throws: EvalGuardError.self) { try config.price(repositoryRoot: repo.root) }
        #expect(missing.message == "no price for the model 'gpt-4o'")
        #expect(missing.file == ".evals/prices.json")
        #expect(missing.exitCode == .usage)
    }

    @Test func theResponseParserReadsChunkedAndLengthDelimitedBodies() throws {
        func parse(_ text: String, eof: Bool = false) throws -> HTTPResponse? {
            var p = HTTPResponseParser()
            Array(text.utf8).withUnsafeBytes { p.append($0) }
            return try p.complete(atEOF: eof)?.0
        }
        let chunked = try parse(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n{\"a\"\r\n3;x=y\r\n:1}\r\n0\r\n\r\n")
        #expect(chunked.map { String(decoding: $0.body, as: UTF8.self) } == "{\"a\":1}")
        #expect(try parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n{\"a\"\r\n") == nil)
        let continued = try parse(
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 429 Too Many Requests\r\nRetry-After: 2\r\nContent-Length: 2\r\n\r\n{}"
        )
        #expect(continued?.status == 429 && continued?.headers["retry-after"] == "2")
        #expect(try parse("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{}") == nil)
        #expect(throws: HTTPResponseParser.Malformed.self) {
            try parse("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{}", eof: true)
        }
        #expect(try parse("HTTP/1.0 200 OK\r\n\r\nuntil close", eof: true).map { $0.body.count } == 11)
    }
}
