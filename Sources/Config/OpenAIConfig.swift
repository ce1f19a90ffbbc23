import EvalGuardSupport
import FoundationEssentials

/// The `model` settings of the HTTP providers: `openai`, any server speaking OpenAI's chat
/// completions API (OpenAI, Azure OpenAI's v1 API, vLLM, llama.cpp, Ollama, LM Studio...), and
/// `anthropic`, Anthropic's Messages API (`api` says which; `AnthropicConfig.swift` reads the
/// settings that differ). Both share one runner, so retries, rate limits, the cost limit and the
/// agent loop behave alike.
///
/// The API key is never in the configuration: `api_key_env` names the environment variable
/// that holds it, so the configuration, the results and every message can show the name alone.
package struct OpenAIConfig: Sendable {
    /// Without the trailing slash; requests go to `baseURL + "/chat/completions"`.
    package var baseURL: String
    package var model: String
    package var apiKeyEnv: String?
    /// "Authorization" sends `Bearer <key>`; any other header (Azure's `api-key`) the key alone.
    package var apiKeyHeader: String
    package var messages: [(role: String, content: PromptTemplate)]
    /// Elements of `messages` written as `"{{input.<path>}}"`: the case's own messages go there.
    package var conversation: [ConversationSplice] = []
    package var temperature: Double?
    package var maxTokens: Int?
    package var seed: Int?
    /// Sent as written, for example `{"type": "json_object"}`.
    package var responseFormat: JSONValue?
    package var output: OutputExtraction
    /// The price table, relative to `.evals/`.
    package var prices: String
    package var requestsPerMinute: Double?
    package var maxRetries: Int
    /// The first back-off; it doubles on every retry, with jitter, up to `maxBackoffSeconds`.
    package var retryBackoffSeconds: Double
    package static let maxBackoffSeconds = 30.0
    /// `tools`: the OpenAI function tools sent with every request, as written; for a tools file,
    /// nil until `loadingPromptFiles` reads it.
    package var tools: JSONValue?
    /// `"tools": {"file": "agent/tools.json"}`: the list's file, from the repository root.
    package var toolsFile: String?
    /// `tool_choice` and `parallel_tool_calls`, sent as written.
    package var toolChoice: JSONValue?
    package var parallelToolCalls: Bool?
    /// `max_steps`: the requests one case may make; above 1, tool calls are answered and the
    /// conversation sent again (an agent loop).
    package var maxSteps: Int = 1
    /// `tools_command`: the program that answers tool calls in an agent loop (JSON Lines).
    package var toolsCommand: [String]?
    /// `anthropic_version`: the `anthropic-version` header (anthropic only).
    package var anthropicVersion: String
    /// `system`: the system prompt, text or `{"file"}` (anthropic only; openai puts it in `messages`).
    package var system: PromptTemplate?
    /// Where these settings are written: `model`, `models.<name>` or `suites.<suite>.model`.
    package var settingsPath: String
    /// The wire format the requests speak.
    package var api: API

    /// A setting's key path as the configuration spells it, for messages: `models.grader.base_url`.
    package func setting(_ key: String) -> String { settingsPath + "." + key }

    package var chatCompletionsURL: String { baseURL + "/chat/completions" }

    /// Where a case's request goes: chat completions, or Anthropic's `/v1/messages`.
    package var requestURL: String { api == .anthropic ? baseURL + "/v1/messages" : chatCompletionsURL }

    static let keys = [
        "base_url", "model", "api_key_env", "api_key_header", "messages", "temperature",
        "max_tokens", "seed", "response_format", "output", "prices", "requests_per_minute",
        "max_retries", "retry_backoff_s", "tools", "tool_choice", "parallel_tool_calls", "max_steps",
        "tools_command",
    ]

    /// How the case's output is taken from the answer.
    package enum OutputExtraction: Sendable, Equatable {
        /// The message content, as a string.
        case content
        /// The content parsed as JSON; with a path, the field at that path (`json.intent`).
        case json(path: [String])
    }

    init(members: [String: ConfigNode], node: ConfigNode, api: API = .openAI) throws {
        self.api = api
        anthropicVersion = Self.defaultAnthropicVersion
        settingsPath = node.pathText
        baseURL = try members["base_url"]?.string() ?? api.defaultBaseURL
        while baseURL.hasSuffix("/") { baseURL.removeLast() }
        guard baseURL.hasPrefix("http://") || baseURL.hasPrefix("https://") else {
            throw (members["base_url"] ?? node).error(
                "expected an http:// or https:// URL, found '\(baseURL)'",
                hint:
                    "For example \"\(api.defaultBaseURL)\" or \"http://127.0.0.1:8000\(api == .openAI ? "/v1" : "")\".")
        }
        if baseURL.contains("?") || baseURL.contains("#") {
            throw (members["base_url"] ?? node).error(
                "a base URL cannot carry a query or fragment: evalguard appends \(api == .anthropic ? "/v1/messages" : "/chat/completions") to it",
                hint:
                    "Give the API's root, for example \"\(api == .anthropic ? api.defaultBaseURL : "https://example.openai.azure.com/openai/v1")\"."
            )
        }
        guard let modelNode = members["model"] else {
            throw node.error(
                "missing \"model\": the model's name on the server, for example \"\(api == .anthropic ? "claude-sonnet-4-5" : "gpt-4o-mini")\""
            )
        }
        model = try modelNode.string()
        if let envNode = members["api_key_env"] {
            let name = try envNode.string()
            guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }), !name.hasPrefix("sk-")
            else {
                throw envNode.error(
                    "expected the NAME of an environment variable (like \(api.keyVariableExample)), never the key itself"
                )
            }
            apiKeyEnv = name
        }
        apiKeyHeader = try members["api_key_header"]?.string() ?? (api == .anthropic ? "x-api-key" : "Authorization")
        let roles = api.templateRoles
        (messages, conversation) =
            try members["messages"].map { try Self.messages($0, roles: roles) } ?? (Self.defaultMessages, [])
        temperature = try members["temperature"]?.number(in: 0...2)
        maxTokens = try members["max_tokens"]?.positiveInt()
        seed = try members["seed"].map { Int(try $0.number(in: -9_007_199_254_740_991...9_007_199_254_740_991)) }
        if let format = members["response_format"] {
            guard format.value.objectValue != nil else {
                throw format.error("expected an object, for example {\"type\": \"json_object\"}")
            }
            responseFormat = format.value
        }
        output = .content
        if let outputNode = members["output"] {
            let text = try outputNode.string()
            if text == "json" {
                output = .json(path: [])
            } else if text.hasPrefix("json."),
                !text.dropFirst(5).split(separator: ".", omittingEmptySubsequences: false).contains("")
            {
                output = .json(path: text.dropFirst(5).split(separator: ".").map(String.init))
            } else if text != "content" {
                throw outputNode.error("expected \"content\", \"json\" or \"json.<field>\", found '\(text)'")
            }
        }
        prices = try members["prices"]?.string() ?? "prices.json"
        if let p = members["prices"], prices.hasPrefix("/") || prices.split(separator: "/").contains("..") {
            throw p.error("the price table must stay inside .evals/")
        }
        requestsPerMinute = try members["requests_per_minute"]?.number(in: 0.001...10_000_000)
        maxRetries = Int(try members["max_retries"]?.number(in: 0...100).rounded() ?? 3)
        retryBackoffSeconds = try members["retry_backoff_s"]?.number(in: 0...600) ?? 1
        if api == .anthropic { try readAnthropic(members, node: node) }
        try readTools(members)
    }

    /// Without `messages`, the case's input is the one user message: what a model used only as
    /// a judge (whose input is the rendered judge prompt) or only for embeddings needs.
    static let defaultMessages = [
        (role: "user", content: PromptTemplate(text: "{{input}}", parts: [.input(path: [])], file: nil))
    ]

    static func messages(_ messagesNode: ConfigNode, roles: [String]? = nil) throws -> (
        [(role: String, content: PromptTemplate)], [ConversationSplice]
    ) {
        guard case .array(let items) = messagesNode.value, !items.isEmpty else {
            throw messagesNode.error("expected a non-empty array of {\"role\", \"content\"} objects")
        }
        var messages: [(role: String, content: PromptTemplate)] = []
        var splices: [ConversationSplice] = []
        for (i, item) in items.enumerated() {
            let message = messagesNode.child("[\(i)]", item)
            if case .string(let text) = item {
                splices.append(try ConversationSplice(text, before: messages.count, node: message))
                continue
            }
            let parts = try message.object(allowed: ["role", "content"])
            guard let role = parts["role"], let content = parts["content"] else {
                throw message.error("a message needs \"role\" and \"content\"")
            }
            let name = try role.string()
            if let roles, !roles.contains(name) {
                throw role.error(
                    "the role '\(name)' is not one this API takes in \"messages\" (\(roles.joined(separator: ", ")))",
                    hint: name == "system"
                        ? "Put the system prompt in \"system\" (text or {\"file\": ...}) beside \"messages\"." : nil)
            }
            messages.append((name, try PromptTemplate(node: content)))
        }
        return (messages, splices)
    }
}

/// A message's text with `{{input}}` and `{{input.field.subfield}}` slots. A string input fills
/// a slot as itself; anything else as compact JSON.
package struct PromptTemplate: Sendable, Equatable {
    enum Part: Sendable, Equatable {
        case text(String)
        case input(path: [String])
    }
    let parts: [Part]
    /// As written in the configuration (for a file prompt: the file's text once loaded).
    package let text: String
    /// `{"file": "prompts/x.txt"}`: the prompt's file from the repository root, read when the
    /// provider starts (see `loadingFiles(from:)`).
    package let file: String?

    init(node: ConfigNode) throws {
        if case .object = node.value {
            let members = try node.object(allowed: ["file"])
            guard let fileNode = members["file"] else {
                throw node.error("expected {\"file\": \"<path from the repository root>\"}")
            }
            let path = try fileNode.string()
            guard !path.isEmpty, !path.hasPrefix("/"), !path.split(separator: "/").contains("..") else {
                throw fileNode.error("the prompt file must be a path inside the repository, from its root")
            }
            (text, parts, file) = ("", [], path)
            return
        }
        text = try node.string()
        file = nil
        do { parts = try Self.parse(text) } catch {
            throw node.error(error.text, hint: "Slots are {{input}} or {{input.<field>}}.")
        }
    }

    init(text: String, parts: [Part], file: String?) {
        (self.text, self.parts, self.file) = (text, parts, file)
    }

    struct TemplateError: Error { var text: String }

    static func parse(_ text: String) throws(TemplateError) -> [Part] {
        var parts: [Part] = []
        var rest = Substring(text)
        while let open = rest.rangeOfText("{{") {
            if open.lowerBound > rest.startIndex { parts.append(.text(String(rest[..<open.lowerBound]))) }
            guard let close = rest[open.upperBound...].rangeOfText("}}") else {
                throw TemplateError(text: "'{{' without '}}'")
            }
            let name = rest[open.upperBound..<close.lowerBound].trimmingWhitespace()
            let path = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            guard path.first == "input", !path.dropFirst().contains("") else {
                throw TemplateError(text: "unknown slot '{{\(name)}}'")
            }
            parts.append(.input(path: Array(path.dropFirst())))
            rest = rest[close.upperBound...]
        }
        if !rest.isEmpty { parts.append(.text(String(rest))) }
        return parts
    }

    /// The text for one case; nil names the missing field.
    package func render(_ input: JSONValue) -> Result<String, MissingField> {
        var out = ""
        for part in parts {
            switch part {
            case .text(let t): out += t
            case .input(let path):
                var value = input
                for (i, key) in path.enumerated() {
                    guard let next = value[key] else {
                        return .failure(MissingField(path: "input." + path[...i].joined(separator: ".")))
                    }
                    value = next
                }
                if case .string(let s) = value { out += s } else { JSONWriter.write(value, to: &out) }
            }
        }
        return .success(out)
    }

    package struct MissingField: Error { package var path: String }
}
