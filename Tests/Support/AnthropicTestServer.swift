import Foundation

@testable import EvalGuardConfig
@testable import EvalGuardRunner
@testable import EvalGuardSupport

/// Fixtures/anthropic_server.py, a stand-in for Anthropic's Messages API, on 127.0.0.1 (a free
/// port it picks), stopped when the value goes away. `requests()` reads what it received:
/// method, path, headers and body of each request.
package final class AnthropicTestServer {
    package let server: ScriptServer
    package var port: Int { server.port }
    /// The API's root, as `base_url` takes it (evalguard appends /v1/messages).
    package var baseURL: String { "http://127.0.0.1:\(port)" }

    package init(_ arguments: [String] = []) throws {
        server = try ScriptServer(script: "anthropic_server.py", arguments: arguments)
    }

    package func requests() throws -> [JSONValue] {
        try server.logLines().map { try JSONParser.parse(String($0)) }
    }

    /// The request bodies, parsed.
    package func bodies() throws -> [JSONValue] {
        try requests().map { try JSONParser.parse($0["body"]?.stringValue ?? "null") }
    }
}

/// An `anthropic` provider from a `model` object written as JSON5.
package func anthropicProvider(_ model: String, key: String? = nil, price: PriceTable.Price? = nil) throws
    -> OpenAIProvider
{
    let config = try openAIConfig(model)
    return OpenAIProvider(
        config: config.openAI!, jobs: config.jobs, timeoutSeconds: config.timeoutSeconds,
        maxErrorRate: config.maxErrorRate, apiKey: key, price: price)
}
