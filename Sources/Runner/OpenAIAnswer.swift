import EvalGuardConfig
import EvalGuardSupport

/// Reads a chat completion: the output the configuration asks for, the token usage, the cost.
enum OpenAIAnswer {
    static func decode(
        _ body: [UInt8], extraction: OpenAIConfig.OutputExtraction, price: PriceTable.Price?,
        redact: (String) -> String
    ) -> ModelResponse {
        decodeChat(body, extraction: extraction, price: price, redact: redact).response
    }

    /// One tool call of an answer: its id and the message it came in, for the conversation an
    /// agent loop sends back, and its name and arguments for the output.
    struct ToolCall {
        var id: String
        var name: String
        /// The arguments parsed from their JSON text; text that is not JSON, as a string.
        var arguments: JSONValue

        /// `{"name", "arguments"}`, as the output lists it.
        var json: JSONValue { .object(["name": .string(name), "arguments": arguments]) }
    }

    /// A chat answer: the response (its output as one request makes it), the tool calls, the
    /// content beside them, and the assistant message as the API sent it.
    struct Chat {
        var response: ModelResponse
        var calls: [ToolCall] = []
        var content: JSONValue = .null
        var message: JSONValue = .null
    }

    /// An answer with tool calls is the object `{"content", "tool_calls": [{"name", "arguments"}]}`
    /// (content null when the model sent none); without, the content as `extraction` says.
    static func decodeChat(
        _ body: [UInt8], extraction: OpenAIConfig.OutputExtraction, price: PriceTable.Price?,
        redact: (String) -> String
    ) -> Chat {
        var chat = Chat(response: ModelResponse(output: nil, latencyMs: 0))
        let parsed = body.withUnsafeBufferPointer { try? JSONParser.parse($0) }
        guard let value = parsed, case .object(let root) = value else {
            chat.response.error = "malformed response: expected a JSON object, got \(quote(body, redact))"
            return chat
        }
        if case .object(let usage)? = root["usage"] {
            var numbers = usage.compactMapValues(\.numberValue)
            // Kept flat beside prompt_tokens (usage is stored flat), so a re-pricing finds it.
            if let cached = usage["prompt_tokens_details"]?["cached_tokens"]?.numberValue {
                numbers["cached_tokens"] = cached
            }
            chat.response.usage = numbers
            if let price, let tokens = PriceTable.BilledTokens(usage: numbers) {
                chat.response.costUSD = price.cost(tokens)
            }
        }
        guard case .array(let choices)? = root["choices"], let message = choices.first?["message"] else {
            chat.response.error = "malformed response: no choices[0].message.content in \(quote(body, redact))"
            return chat
        }
        chat.message = message
        if case .array(let calls)? = message["tool_calls"], !calls.isEmpty {
            for (i, call) in calls.enumerated() {
                guard case .string(let name)? = call["function"]?["name"] else {
                    chat.response.error =
                        "malformed response: choices[0].message.tool_calls[\(i)] has no function.name in \(quote(body, redact))"
                    return chat
                }
                chat.calls.append(
                    ToolCall(
                        id: call["id"]?.stringValue ?? "call_\(i)", name: redact(name),
                        arguments: arguments(call["function"]?["arguments"], redact)))
            }
            if case .string(let content)? = message["content"] { chat.content = .string(redact(content)) }
            chat.response.output = .object(["content": chat.content, "tool_calls": .array(chat.calls.map(\.json))])
            return chat
        }
        guard case .string(let content)? = message["content"] else {
            chat.response.error = "malformed response: no choices[0].message.content in \(quote(body, redact))"
            return chat
        }
        let text = redact(content)
        chat.content = .string(text)
        chat.response.output = output(text, extraction)
        return chat
    }

    /// The API sends arguments as JSON text; some servers send the object itself. Text that is
    /// not JSON stays text, so a check of the arguments fails on it with that reason.
    static func arguments(_ value: JSONValue?, _ redact: (String) -> String) -> JSONValue {
        switch value {
        case .string(let text)?:
            let text = redact(text)
            return (try? JSONParser.parse(text)) ?? .string(text)
        case nil, .null?: return .object([:])
        case let other?: return other
        }
    }

    /// The case's output from an answer's text.
    static func output(_ text: String, _ extraction: OpenAIConfig.OutputExtraction) -> JSONValue {
        switch extraction {
        case .content:
            return .string(text)
        case .json(let path):
            // A model asked for JSON often wraps it in a Markdown fence; an answer that is not
            // JSON is kept as text, so it is scored (and fails) rather than counted as an error.
            guard let json = try? JSONParser.parse(stripFence(text)) else { return .string(text) }
            var v = json
            for key in path { v = v[key] ?? .null }
            return v
        }
    }

    /// Reads an embeddings answer: `data[].embedding` in `index` order (the order listed when
    /// there is no index) as the output, an array holding each vector, or null for an entry
    /// that is not an array of numbers (for the caller to fail that text's cases).
    static func decodeEmbeddings(_ body: [UInt8], price: PriceTable.Price? = nil, redact: (String) -> String)
        -> ModelResponse
    {
        var response = ModelResponse(output: nil, latencyMs: 0)
        let parsed = body.withUnsafeBufferPointer { try? JSONParser.parse($0) }
        guard let value = parsed, case .object(let root) = value, case .array(let data)? = root["data"] else {
            response.error = "malformed embeddings response: no \"data\" array in \(quote(body, redact))"
            return response
        }
        if case .object(let usage)? = root["usage"] { response.usage = usage.compactMapValues(\.numberValue) }
        // Embeddings are billed by their input tokens alone.
        if let price, let tokens = response.usage?["prompt_tokens"] ?? response.usage?["total_tokens"] {
            response.costUSD = price.cost(promptTokens: tokens, completionTokens: 0)
        }
        var vectors = [JSONValue](repeating: .null, count: data.count)
        for (position, entry) in data.enumerated() {
            let index = entry["index"]?.numberValue.flatMap { Int(exactly: $0) } ?? position
            guard vectors.indices.contains(index), case .array(let numbers)? = entry["embedding"], !numbers.isEmpty,
                numbers.allSatisfy({ $0.numberValue?.isFinite == true })
            else { continue }
            vectors[index] = .array(numbers)
        }
        response.output = .array(vectors)
        return response
    }

    static func stripFence(_ text: String) -> String {
        var t = Substring(text).drop { $0.isWhitespace }
        while t.last?.isWhitespace == true { t.removeLast() }
        guard t.hasPrefix("```"), t.hasSuffix("```"), t.count >= 6 else { return String(t) }
        t = t.dropFirst(3).dropLast(3)
        t = t.drop { $0 != "\n" }
        return String(t)
    }

    /// What the server said about an error: OpenAI's `{"error": {"message"}}`, Ollama's
    /// `{"error": "..."}`, FastAPI's `{"detail": ...}`, else the body itself, quoted.
    static func serverMessage(_ body: [UInt8], _ redact: (String) -> String) -> String {
        if let value = body.withUnsafeBufferPointer({ try? JSONParser.parse($0) }) {
            let candidates = [value["error"]?["message"], value["error"], value["message"], value["detail"]]
            for case let c? in candidates {
                if case .string(let s) = c { return redact(s) }
            }
            if let detail = value["detail"] { return redact(detail.canonicalText) }
        }
        return body.isEmpty ? "(empty body)" : quote(body, redact)
    }

    /// The body as received, cut to a readable length.
    static func quote(_ body: [UInt8], _ redact: (String) -> String) -> String {
        // Redact before cutting, so no part of the key survives at the cut.
        let text = redact(String(decoding: body, as: UTF8.self))
        return text.count > 200 ? "'" + text.prefix(200) + "…' (\(body.count) bytes, truncated)" : "'" + text + "'"
    }
}
