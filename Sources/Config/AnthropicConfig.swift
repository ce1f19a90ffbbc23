import EvalGuardSupport

extension OpenAIConfig {
    /// The wire format of an HTTP model: the `provider` that names it decides its keys, its
    /// defaults, the body of its requests and how its answers are read.
    package enum API: String, Sendable {
        /// `"provider": "openai"`: OpenAI's chat completions.
        case openAI = "openai"
        /// `"provider": "anthropic"`: Anthropic's Messages API.
        case anthropic

        /// The HTTP provider a `provider` value names; nil for the command provider or an unknown one.
        package init?(provider: String?) {
            guard let provider, let api = API(rawValue: provider) else { return nil }
            self = api
        }

        var defaultBaseURL: String { self == .anthropic ? "https://api.anthropic.com" : "https://api.openai.com/v1" }
        package var keyVariableExample: String { self == .anthropic ? "ANTHROPIC_API_KEY" : "OPENAI_API_KEY" }
        /// The roles a template message may take: Anthropic's system prompt is `system`, apart.
        var templateRoles: [String]? { self == .anthropic ? ["user", "assistant"] : nil }

        /// The settings a model of this API may carry, beside the common ones.
        var keys: [String] {
            switch self {
            case .openAI: return OpenAIConfig.keys
            case .anthropic: return OpenAIConfig.anthropicKeys
            }
        }
    }

    static let anthropicKeys = [
        "base_url", "model", "api_key_env", "anthropic_version", "max_tokens", "system", "messages",
        "temperature", "output", "prices", "requests_per_minute", "max_retries", "retry_backoff_s",
        "tools", "tool_choice", "max_steps", "tools_command",
    ]

    /// The `anthropic-version` header sent when `anthropic_version` is unset.
    package static let defaultAnthropicVersion = "2023-06-01"

    /// Reads what only the Messages API has: `max_tokens` (which it requires), `system` and
    /// `anthropic_version`; its `temperature` stops at 1.
    mutating func readAnthropic(_ members: [String: ConfigNode], node: ConfigNode) throws {
        guard maxTokens != nil else {
            throw node.error(
                "missing \"max_tokens\": the Messages API requires the most tokens an answer may have",
                hint: "Add \"max_tokens\": 1024 (or what the longest answer needs) to \(node.pathText).")
        }
        temperature = try members["temperature"]?.number(in: 0...1)
        if let versionNode = members["anthropic_version"] {
            let version = try versionNode.string()
            guard !version.isEmpty, version.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") })
            else {
                throw versionNode.error(
                    "'\(version)' is not an API version", hint: "For example \"\(Self.defaultAnthropicVersion)\".")
            }
            anthropicVersion = version
        }
        system = try members["system"].map(PromptTemplate.init(node:))
    }

    /// An Anthropic tool list, checked: `[{"name", "description"?, "input_schema"}]`.
    static func checkedAnthropicTools(_ node: ConfigNode) throws -> JSONValue {
        _ = try anthropicInputSchemas(node)
        return node.value
    }

    /// The tools of an Anthropic tool list, each tool's `input_schema` by name, checked as
    /// `toolParameters` checks an OpenAI list, so a bad entry is named by its file and line.
    package static func anthropicInputSchemas(_ node: ConfigNode) throws -> [String: ConfigNode] {
        guard case .array(let items) = node.value else {
            throw node.error(
                "expected an array of tools [{\"name\": ..., \"description\": ..., \"input_schema\": {...}}], or {\"file\": \"<path from the repository root>\"}, found \(node.value.kindName)"
            )
        }
        var tools: [String: ConfigNode] = [:]
        for (i, item) in items.enumerated() {
            let tool = node.child("[\(i)]", item)
            if item["function"] != nil {
                throw tool.error(
                    "this is an OpenAI function tool; the Messages API takes {\"name\": ..., \"description\": ..., \"input_schema\": {...}}"
                )
            }
            let members = try tool.object(allowed: ["name", "description", "input_schema", "cache_control"])
            guard let nameNode = members["name"] else { throw tool.error("missing \"name\"") }
            let name = try nameNode.string()
            guard !name.isEmpty, name.count <= 64,
                name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") })
            else {
                throw nameNode.error("'\(name)' is not a tool name: 1 to 64 letters, digits, _ or -")
            }
            guard tools[name] == nil else { throw nameNode.error("a second tool named '\(name)'") }
            guard let schema = members["input_schema"] else {
                throw tool.error(
                    "missing \"input_schema\": the JSON Schema of the tool's input, for example {\"type\": \"object\", \"properties\": {}}"
                )
            }
            guard schema.value.objectValue != nil else {
                throw schema.error("expected a JSON Schema object, found \(schema.value.kindName)")
            }
            _ = try members["description"]?.string()
            tools[name] = schema
        }
        return tools
    }

    /// `tool_choice` in Anthropic's shapes: `{"type": "auto" | "any" | "none"}` or
    /// `{"type": "tool", "name": <one of the tools>}`, with `disable_parallel_tool_use` allowed.
    static func checkAnthropicToolChoice(_ node: ConfigNode) throws {
        let shapes =
            "{\"type\": \"auto\"}, {\"type\": \"any\"}, {\"type\": \"none\"} or {\"type\": \"tool\", \"name\": \"<tool>\"}"
        guard case .object = node.value else { throw node.error("expected \(shapes), found \(node.value.kindName)") }
        let members = try node.object(allowed: ["type", "name", "disable_parallel_tool_use"])
        let type = try members["type"]?.string()
        _ = try members["disable_parallel_tool_use"]?.bool()
        switch type {
        case "auto", "any", "none":
            if let name = members["name"] { throw name.error("only {\"type\": \"tool\"} names a tool") }
        case "tool":
            guard let name = members["name"] else {
                throw node.error("{\"type\": \"tool\"} needs \"name\": the tool the model must call")
            }
            _ = try name.string()
        default:
            throw (members["type"] ?? node).error("expected \(shapes)")
        }
    }
}
