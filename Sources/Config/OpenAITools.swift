import EvalGuardSupport
import FoundationEssentials

/// An element of a model's `messages` written as the string `"{{input.messages}}"` (any
/// `{{input.<path>}}`): the case's own conversation goes there, between the template's messages.
package struct ConversationSplice: Sendable, Equatable {
    /// Where the case's messages go: before the template message at this index.
    package var before: Int
    /// The input field holding them (empty: the input itself).
    package var path: [String]

    init(_ text: String, before: Int, node: ConfigNode) throws {
        let parts = try? PromptTemplate.parse(text.trimmingWhitespace())
        guard let parts, parts.count == 1, case .input(let path) = parts[0] else {
            throw node.error(
                "expected a message {\"role\", \"content\"}, or the string \"{{input.<field>}}\" naming the case's array of messages",
                hint:
                    "For example \"messages\": [{\"role\": \"system\", \"content\": {\"file\": \"prompts/agent.txt\"}}, \"{{input.messages}}\"]."
            )
        }
        (self.before, self.path) = (before, path)
    }

    /// The slot as written, for messages and the result's record of the model.
    package var slot: String { "{{" + (["input"] + path).joined(separator: ".") + "}}" }

    /// The case's messages, checked and ready to send: an assistant's tool call `arguments`
    /// written as an object are sent as its JSON text, as the API wants them.
    package func messages(in input: JSONValue) -> Result<[JSONValue], ShapeError> {
        var value = input
        for (i, key) in path.enumerated() {
            guard let next = value[key] else {
                return .failure(
                    ShapeError(
                        text: "\(slot) names no field: the input has no input.\(path[...i].joined(separator: "."))"))
            }
            value = next
        }
        guard case .array(let items) = value else {
            return .failure(ShapeError(text: "\(slot) is \(value.kindName), expected an array of messages"))
        }
        var out: [JSONValue] = []
        for (i, item) in items.enumerated() {
            switch Self.message(item) {
            case .success(let m): out.append(m)
            case .failure(let e): return .failure(ShapeError(text: "\(slot)[\(i)]: \(e.text)"))
            }
        }
        return .success(out)
    }

    package struct ShapeError: Error, Equatable { package var text: String }

    package static let roles = ["system", "developer", "user", "assistant", "tool"]

    private static func message(_ item: JSONValue) -> Result<JSONValue, ShapeError> {
        func fail(_ text: String) -> Result<JSONValue, ShapeError> { .failure(ShapeError(text: text)) }
        guard case .object(var m) = item else {
            return fail("expected a message object {\"role\", \"content\"}, found \(item.kindName)")
        }
        guard case .string(let role)? = m["role"] else {
            return fail("a message needs a \"role\" (\(roles.joined(separator: ", ")))")
        }
        guard roles.contains(role) else { return fail("unknown role '\(role)' (\(roles.joined(separator: ", ")))") }
        switch m["content"] {
        case .string?, .array?: break
        case nil, .null?:
            guard role == "assistant", m["tool_calls"] != nil else {
                return fail("a \(role) message needs \"content\"")
            }
            // Sent as the agent loop sends its own turns of calls alone: compatible servers
            // (llama.cpp's among them) refuse a null content that the OpenAI API takes.
            m["content"] = .string("")
        case let other?: return fail("\"content\" must be a string, found \(other.kindName)")
        }
        if role == "tool", m["tool_call_id"]?.stringValue == nil {
            return fail("a tool message needs \"tool_call_id\", the id of the assistant's call it answers")
        }
        if let calls = m["tool_calls"] {
            guard role == "assistant", case .array(let list) = calls, !list.isEmpty else {
                return fail("\"tool_calls\" is a non-empty array on an assistant message")
            }
            var sent: [JSONValue] = []
            for (k, call) in list.enumerated() {
                guard case .object(var c) = call, c["id"]?.stringValue != nil,
                    case .object(var function)? = c["function"],
                    function["name"]?.stringValue != nil
                else {
                    return fail(
                        "tool_calls[\(k)]: expected {\"id\", \"type\": \"function\", \"function\": {\"name\", \"arguments\"}}"
                    )
                }
                switch function["arguments"] {
                case .string?: break
                case nil: function["arguments"] = .string("{}")
                case let other?: function["arguments"] = .string(other.canonicalText)
                }
                c["function"] = .object(function)
                if c["type"] == nil { c["type"] = .string("function") }
                sent.append(.object(c))
            }
            m["tool_calls"] = .array(sent)
        }
        return .success(.object(m))
    }
}

extension OpenAIConfig {
    /// Reads `tools`, `tool_choice`, `parallel_tool_calls`, `max_steps` and `tools_command`.
    mutating func readTools(_ members: [String: ConfigNode]) throws {
        if let node = members["tools"] {
            if case .object(let o) = node.value, o["file"] != nil, let file = try node.object(allowed: ["file"])["file"]
            {
                let path = try file.string()
                guard !path.isEmpty, !path.hasPrefix("/"), !path.split(separator: "/").contains("..") else {
                    throw file.error("the tools file must be a path inside the repository, from its root")
                }
                toolsFile = path
            } else {
                tools = try Self.checkedTools(node, api: api)
            }
        }
        toolChoice = members["tool_choice"]?.value
        if let choice = members["tool_choice"] {
            switch (api, choice.value) {
            case (.anthropic, _): try Self.checkAnthropicToolChoice(choice)
            case (.openAI, .string), (.openAI, .object): break
            default:
                throw choice.error(
                    "expected \"auto\", \"none\", \"required\" or {\"type\": \"function\", \"function\": {\"name\": ...}}"
                )
            }
        }
        parallelToolCalls = try members["parallel_tool_calls"]?.bool()
        if tools == nil, toolsFile == nil, let unused = members["tool_choice"] ?? members["parallel_tool_calls"] {
            throw unused.error(
                "there are no tools to choose from",
                hint: api == .anthropic
                    ? "Add \"tools\": [{\"name\": ..., \"input_schema\": {...}}], or {\"file\": ...}."
                    : "Add \"tools\": [{\"type\": \"function\", \"function\": {\"name\": ...}}], or {\"file\": ...}.")
        }
        maxSteps = try members["max_steps"]?.positiveInt() ?? 1
        if let node = members["tools_command"] {
            let command = try node.strings()
            guard !command.isEmpty, !command[0].isEmpty else { throw node.error("the command is empty") }
            guard maxSteps > 1 else {
                throw node.error(
                    "a tools program answers calls only in an agent loop, and max_steps is 1",
                    hint: "Set \"max_steps\" to the most requests a case may make, for example 5.")
            }
            toolsCommand = command
        }
    }

    /// A tool list in the API's own format, checked: OpenAI's
    /// `[{"type": "function", "function": {"name", ...}}]` or Anthropic's `[{"name", "input_schema"}]`.
    package static func checkedTools(_ node: ConfigNode, api: API = .openAI) throws -> JSONValue {
        _ = try toolSchemas(node, api: api)
        return node.value
    }

    /// Each tool's input schema by name, from a list in the API's own format.
    package static func toolSchemas(_ node: ConfigNode, api: API) throws -> [String: ConfigNode] {
        api == .anthropic ? try anthropicInputSchemas(node) : try toolParameters(node)
    }

    /// The tools of an OpenAI function-tool list, checked, each tool's `parameters` schema by
    /// name (`true` for a tool that declares none). `node` is the list, inline in the
    /// configuration or a tools file parsed as a `ConfigNode`, so a bad entry, and later a bad
    /// schema, is named by its file and line.
    package static func toolParameters(_ node: ConfigNode) throws -> [String: ConfigNode] {
        guard case .array(let items) = node.value else {
            throw node.error(
                "expected an array of tools [{\"type\": \"function\", \"function\": {\"name\": ..., \"parameters\": {...}}}], or {\"file\": \"<path from the repository root>\"}, found \(node.value.kindName)"
            )
        }
        var tools: [String: ConfigNode] = [:]
        for (i, item) in items.enumerated() {
            let tool = node.child("[\(i)]", item)
            guard item["type"] != .string("function") || item["function"] != nil else {
                throw tool.error(
                    "a tool must be {\"type\": \"function\", \"function\": {\"name\": ..., \"parameters\": {...}}}")
            }
            let members = try tool.object(allowed: ["type", "function"])
            guard members["type"]?.value == .string("function") else {
                throw tool.error(
                    "expected \"type\": \"function\"",
                    hint:
                        "evalguard sends function tools: {\"type\": \"function\", \"function\": {\"name\": ..., \"parameters\": {...}}}."
                )
            }
            guard let functionNode = members["function"] else {
                throw tool.error("missing \"function\": {\"name\", \"description\"?, \"parameters\"?}")
            }
            let function = try functionNode.object(allowed: ["name", "description", "parameters", "strict"])
            guard let nameNode = function["name"] else { throw functionNode.error("missing \"name\"") }
            let name = try nameNode.string()
            guard !name.isEmpty, name.count <= 64,
                name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") })
            else {
                throw nameNode.error("'\(name)' is not a tool name: 1 to 64 letters, digits, _ or -")
            }
            guard tools[name] == nil else { throw nameNode.error("a second tool named '\(name)'") }
            if let parameters = function["parameters"], parameters.value.objectValue == nil {
                throw parameters.error("expected a JSON Schema object, found \(parameters.value.kindName)")
            }
            _ = try function["description"]?.string()
            _ = try function["strict"]?.bool()
            tools[name] = function["parameters"] ?? functionNode.child("parameters", .bool(true))
        }
        return tools
    }
}
