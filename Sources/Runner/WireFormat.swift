import EvalGuardConfig
import EvalGuardSupport

/// Where the two wire formats of the HTTP provider part: how an answer and an error body are
/// read (`OpenAIAnswer`, `AnthropicAnswer`) and what the run-stopping errors tell the user to
/// check. The request body is the other seam (`OpenAIProvider.body(messages:)`,
/// `AnthropicRequestBody`); everything else (the poll loop, retries, the window, the cost limit,
/// the agent loop) is one code path for both.
extension OpenAIProvider {
    /// A chat answer read the way its API writes it.
    func decodeChat(_ body: [UInt8]) -> OpenAIAnswer.Chat { decodeChat(body, price: price) }

    /// A chat answer read the way its API writes it, priced with `price` (a batch's answers: the batch price).
    func decodeChat(_ body: [UInt8], price: PriceTable.Price?) -> OpenAIAnswer.Chat {
        config.api == .anthropic
            ? AnthropicAnswer.decode(body, extraction: config.output, price: price, redact: redact)
            : OpenAIAnswer.decodeChat(body, extraction: config.output, price: price, redact: redact)
    }

    /// What the server said about an error, the way its API writes it, safe on a terminal: it is
    /// printed in errors and stored in results, and a server may send escape sequences.
    func serverMessage(_ body: [UInt8]) -> String {
        let said =
            config.api == .anthropic
            ? AnthropicAnswer.serverMessage(body, redact) : OpenAIAnswer.serverMessage(body, redact)
        return Self.terminalSafe(said)
    }

    /// `text` with its control characters (but tab) shown as U+FFFD: no escape sequence of a
    /// server's reaches the terminal.
    static func terminalSafe(_ text: String) -> String {
        String(
            String.UnicodeScalarView(
                text.unicodeScalars.map { c in
                    (c.value < 0x20 && c != "\t") || (0x7F...0x9F).contains(c.value) ? "\u{FFFD}" : c
                }))
    }
}

extension OpenAIRun {
    func unauthorized(_ r: HTTPResponse) -> EvalGuardError {
        let said = "The server said: " + provider.serverMessage(r.body)
        guard let env = provider.config.apiKeyEnv else {
            return .evaluation(
                "\(url) answered \(statusText(r)): it wants an API key, and none is configured",
                hint:
                    "Put the key in an environment variable and name that variable in \(provider.config.setting("api_key_env")), e.g. \"api_key_env\": \"\(provider.config.api.keyVariableExample)\".\n"
                    + said)
        }
        let what =
            r.status == 401
            ? "did not accept the API key in the environment variable \(env)"
            : "refused the API key in the environment variable \(env) access to model '\(provider.config.model)'"
        return .evaluation(
            "\(url) answered \(statusText(r)): the server \(what)",
            hint:
                "Check the value of \(env) (named by \(provider.config.setting("api_key_env")) in \(EvalConfig.path)).\n"
                + said)
    }

    func notFound(_ r: HTTPResponse) -> EvalGuardError {
        if provider.config.api == .anthropic {
            return .evaluation(
                "\(url) answered \(statusText(r)): the server knows no model '\(provider.config.model)', or no such URL",
                hint: """
                    Check \(provider.config.setting("model")) ('\(provider.config.model)') and \(provider.config.setting("base_url")) ('\(provider.config.baseURL)') in \(EvalConfig.path): \
                    evalguard posts to <base_url>/v1/messages, so base_url is the API's root (https://api.anthropic.com), without /v1.
                    The server said: \(provider.serverMessage(r.body))
                    """)
        }
        return .evaluation(
            "\(url) answered \(statusText(r)): the server knows no model '\(provider.config.model)', or no such URL",
            hint: """
                Check \(provider.config.setting("model")) ('\(provider.config.model)') and \(provider.config.setting("base_url")) ('\(provider.config.baseURL)') in \(EvalConfig.path): \
                evalguard posts to <base_url>/chat/completions (embeddings: <base_url>/embeddings), so OpenAI-compatible servers usually want a base_url ending in /v1.
                The server said: \(provider.serverMessage(r.body))
                """)
    }
}
