import Foundation

@testable import EvalGuardConfig
@testable import EvalGuardRunner
@testable import EvalGuardSupport

/// Fixtures/openai_server.py on 127.0.0.1 (a free port it picks), stopped when the value goes
/// away. `requests()` reads what it received: method, path, headers and body of each request.
package final class OpenAITestServer {
    package let server: ScriptServer
    package var port: Int { server.port }
    package var logPath: String { server.logPath }
    package var baseURL: String { "http://127.0.0.1:\(port)/v1" }
    /// For a server started with `--tls-cert`: the name its test certificate carries.
    package var secureBaseURL: String { "https://localhost:\(port)/v1" }

    package init(_ arguments: [String] = []) throws {
        server = try ScriptServer(script: "openai_server.py", arguments: arguments)
    }

    package func requests() throws -> [JSONValue] {
        try server.logLines().map { try JSONParser.parse(String($0)) }
    }

    /// A port nothing listens on: bound, then released.
    package static func closedPort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// The `model` and `openai` settings from a `model` object written as JSON5.
package func openAIConfig(_ model: String) throws -> ModelConfig {
    let text = "{\"model\": \(model), \"suites\": {\"s\": {\"cases\": \"c.jsonl\"}}}"
    return try EvalConfig.parse(ConfigSource(displayPath: ".evals/evalguard.json", text: text)).model
}

package func openAIProvider(_ model: String, key: String? = nil, price: PriceTable.Price? = nil) throws
    -> OpenAIProvider
{
    let config = try openAIConfig(model)
    return OpenAIProvider(
        config: config.openAI!, jobs: config.jobs, timeoutSeconds: config.timeoutSeconds,
        maxErrorRate: config.maxErrorRate, apiKey: key, price: price)
}

package func textRequests(_ inputs: [String]) -> [ModelRequest] {
    inputs.enumerated().map { ModelRequest(id: "c\($0.offset)", input: .string($0.element)) }
}
