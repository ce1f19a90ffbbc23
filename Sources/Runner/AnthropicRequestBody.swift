import EvalGuardConfig
import EvalGuardSupport

/// The body of one request to Anthropic's Messages API, from a conversation written the OpenAI
/// way: the form evalguard keeps a conversation in (the template filled in, the case's own
/// messages spliced in, an agent loop's turns added), so both wire formats share the templating,
/// the splice and the agent loop, and only this edge differs. A batch submitter sends the same
/// bodies (`encode` is the one place they are made).
///
/// - `system` and `developer` messages become the `system` parameter, in order.
/// - An assistant's `tool_calls` become `tool_use` blocks after its text (arguments as JSON
///   input), each `tool` message a `tool_result` block in a user turn; turns of one role in a row
///   are merged into one, as the API wants the results of parallel calls in one message.
package enum AnthropicRequestBody {
    package static func encode(config: OpenAIConfig, messages: [JSONValue]) -> [UInt8] {
        let (system, turns) = converted(messages)
        var object: [String: JSONValue] = [
            "model": .string(config.model), "messages": .array(turns),
            "max_tokens": .number(Double(config.maxTokens ?? 1024)),
        ]
        if let system { object["system"] = .string(system) }
        if let t = config.temperature { object["temperature"] = .number(t) }
        if let tools = config.tools { object["tools"] = tools }
        if let choice = config.toolChoice { object["tool_choice"] = choice }
        var text = ""
        JSONWriter.write(.object(object), to: &text)
        return Array(text.utf8)
    }

    /// The system text (nil when there is none) and the Messages API's turns.
    package static func converted(_ messages: [JSONValue]) -> (system: String?, messages: [JSONValue]) {
        var system: [String] = []
        var turns: [(role: String, blocks: [JSONValue])] = []
        func add(_ role: String, _ blocks: [JSONValue]) {
            if turns.last?.role == role {
                turns[turns.count - 1].blocks += blocks
            } else {
                turns.append((role, blocks))
            }
        }
        for message in messages {
            let role = message["role"]?.stringValue ?? "user"
            switch role {
            case "system", "developer":
                system.append(text(message["content"]))
            case "tool":
                var result: [String: JSONValue] = [
                    "type": .string("tool_result"),
                    "tool_use_id": .string(message["tool_call_id"]?.stringValue ?? ""),
                ]
                result["content"] = message["content"].map { $0 == .null ? .string("") : $0 } ?? .string("")
                add("user", [.object(result)])
            case "assistant":
                var blocks = contentBlocks(message["content"])
                if case .array(let calls)? = message["tool_calls"] {
                    for call in calls { blocks.append(toolUse(call)) }
                }
                add("assistant", blocks)
            default:
                add("user", contentBlocks(message["content"]))
            }
        }
        let sent: [JSONValue] = turns.map { turn in
            // One text block goes as the plain string, as one writes a turn by hand.
            if turn.blocks.count == 1, turn.blocks[0]["type"] == .string("text"), let text = turn.blocks[0]["text"] {
                return .object(["role": .string(turn.role), "content": text])
            }
            return .object([
                "role": .string(turn.role), "content": .array(turn.blocks.isEmpty ? [textBlock("")] : turn.blocks),
            ])
        }
        return (system.isEmpty ? nil : system.joined(separator: "\n\n"), sent)
    }

    /// A message's content as blocks: text as a text block (none for empty text: the API
    /// refuses an empty one), OpenAI's `{"type": "text", "text"}` parts as text blocks, any
    /// other part as written.
    static func contentBlocks(_ content: JSONValue?) -> [JSONValue] {
        switch content {
        case .string(let s)?: return s.isEmpty ? [] : [textBlock(s)]
        case .array(let parts)?:
            return parts.map { part in
                if case .string(let s) = part { return textBlock(s) }
                if part["type"] == .string("text"), let text = part["text"] {
                    return .object(["type": .string("text"), "text": text])
                }
                return part
            }
        default: return []
        }
    }

    static func text(_ content: JSONValue?) -> String {
        contentBlocks(content).compactMap { $0["text"]?.stringValue }.joined(separator: "\n")
    }

    static func textBlock(_ text: String) -> JSONValue { .object(["type": .string("text"), "text": .string(text)]) }

    /// An OpenAI tool call as a `tool_use` block: its arguments' JSON text as the input object
    /// (arguments that are not a JSON object go as an empty input, the only kind the API takes).
    static func toolUse(_ call: JSONValue) -> JSONValue {
        var input: JSONValue = .object([:])
        switch call["function"]?["arguments"] {
        case .string(let text)?:
            if let parsed = try? JSONParser.parse(text), parsed.objectValue != nil { input = parsed }
        case .object(let o)?: input = .object(o)
        default: break
        }
        return .object([
            "type": .string("tool_use"), "id": .string(call["id"]?.stringValue ?? ""),
            "name": .string(call["function"]?["name"]?.stringValue ?? ""), "input": input,
        ])
    }
}
