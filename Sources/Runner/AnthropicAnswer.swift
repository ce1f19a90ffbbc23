import EvalGuardConfig
import EvalGuardSupport

/// Reads an answer of Anthropic's Messages API into the form an OpenAI chat answer takes
/// (`OpenAIAnswer.Chat`): the text blocks joined as the content, each `tool_use` block a tool
/// call (its input as the arguments), and the assistant message written the OpenAI way, which
/// is how the agent loop keeps its turns (`AnthropicRequestBody` turns them back into blocks).
/// So the output (`{"content", "tool_calls"}`), the scorers and the agent loop are the same.
enum AnthropicAnswer {
    static func decode(
        _ body: [UInt8], extraction: OpenAIConfig.OutputExtraction, price: PriceTable.Price?,
        redact: (String) -> String
    ) -> OpenAIAnswer.Chat {
        var chat = OpenAIAnswer.Chat(response: ModelResponse(output: nil, latencyMs: 0))
        let parsed = body.withUnsafeBufferPointer { try? JSONParser.parse($0) }
        guard let value = parsed, case .object(let root) = value else {
            chat.response.error = "malformed response: expected a JSON object, got \(OpenAIAnswer.quote(body, redact))"
            return chat
        }
        if case .object(let usage)? = root["usage"] {
            // Kept as the API names them: the cached figures stay beside input_tokens, so a
            // price change re-prices stored answers (`PriceTable.BilledTokens`).
            let numbers = usage.compactMapValues(\.numberValue)
            chat.response.usage = numbers
            if let price, let tokens = PriceTable.BilledTokens(usage: numbers) {
                chat.response.costUSD = price.cost(tokens)
            }
        }
        guard case .array(let blocks)? = root["content"] else {
            chat.response.error = "malformed response: no \"content\" array in \(OpenAIAnswer.quote(body, redact))"
            return chat
        }
        var text = ""
        var sawText = false
        for (i, block) in blocks.enumerated() {
            switch block["type"]?.stringValue {
            case "text":
                text += block["text"]?.stringValue ?? ""
                sawText = true
            case "tool_use":
                guard case .string(let name)? = block["name"] else {
                    chat.response.error =
                        "malformed response: content[\(i)] is a tool_use block without a name in \(OpenAIAnswer.quote(body, redact))"
                    return chat
                }
                chat.calls.append(
                    OpenAIAnswer.ToolCall(
                        id: block["id"]?.stringValue ?? "toolu_\(i)", name: redact(name),
                        arguments: redacted(block["input"] ?? .object([:]), redact)))
            default:
                continue
            }
        }
        text = redact(text)
        chat.content = sawText && !(text.isEmpty && !chat.calls.isEmpty) ? .string(text) : .null
        var message: [String: JSONValue] = ["role": .string("assistant"), "content": chat.content]
        if !chat.calls.isEmpty {
            message["tool_calls"] = .array(
                chat.calls.map { call in
                    .object([
                        "id": .string(call.id), "type": .string("function"),
                        "function": .object([
                            "name": .string(call.name), "arguments": .string(call.arguments.canonicalText),
                        ]),
                    ])
                })
            chat.message = .object(message)
            chat.response.output = .object(["content": chat.content, "tool_calls": .array(chat.calls.map(\.json))])
            return chat
        }
        // An answer of no block at all is empty text, scored as any answer.
        chat.message = .object(message)
        chat.response.output = OpenAIAnswer.output(text, extraction)
        return chat
    }

    /// A tool input with the key taken out of its strings, as OpenAI arguments' text is.
    private static func redacted(_ value: JSONValue, _ redact: (String) -> String) -> JSONValue {
        let text = value.canonicalText
        let clean = redact(text)
        return clean == text ? value : ((try? JSONParser.parse(clean)) ?? .string(clean))
    }

    /// What the API said about an error: `{"type": "error", "error": {"type", "message"}}` as
    /// "<type>: <message>", else what an OpenAI-compatible server's error would say.
    static func serverMessage(_ body: [UInt8], _ redact: (String) -> String) -> String {
        if let value = body.withUnsafeBufferPointer({ try? JSONParser.parse($0) }),
            case .string(let type)? = value["error"]?["type"], case .string(let message)? = value["error"]?["message"]
        {
            return redact(type + ": " + message)
        }
        return OpenAIAnswer.serverMessage(body, redact)
    }
}
