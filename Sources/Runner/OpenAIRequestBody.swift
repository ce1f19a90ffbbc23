import EvalGuardConfig
import EvalGuardSupport

/// What a chat request carries: the case's messages (the template filled in, the case's own
/// conversation spliced in), the sampling settings and the tool settings, as written.
extension OpenAIProvider {
    /// The request body of one case: the prompt filled in, and the sampling settings.
    func body(_ request: ModelRequest) throws -> [UInt8] {
        if endpoint == .embeddings {
            var text = ""
            JSONWriter.write(.object(["model": .string(config.model), "input": request.input]), to: &text)
            return Array(text.utf8)
        }
        return body(messages: try conversation(request))
    }

    /// The case's messages: the template filled in, with the case's own conversation spliced in
    /// where the template says (`"{{input.messages}}"`).
    func conversation(_ request: ModelRequest) throws -> [JSONValue] {
        var messages: [JSONValue] = []
        // Anthropic's `system` goes first, as a system message the request body takes out again.
        if let system = config.system {
            switch system.render(request.input) {
            case .success(let text): messages.append(.object(["role": .string("system"), "content": .string(text)]))
            case .failure(let missing):
                throw EvalGuardError(
                    "case '\(request.id)': \(config.setting("system")) uses {{\(missing.path)}}, but the case's input has no such field",
                    file: EvalConfig.path, hint: "Give every case that field, or change the prompt.")
            }
        }
        var splices = config.conversation[...]
        for (i, message) in config.messages.enumerated() {
            while let splice = splices.first, splice.before == i {
                messages += try spliced(splice, request)
                splices.removeFirst()
            }
            switch message.content.render(request.input) {
            case .success(let text):
                messages.append(.object(["role": .string(message.role), "content": .string(text)]))
            case .failure(let missing):
                throw EvalGuardError(
                    "case '\(request.id)': model.messages[\(i)].content uses {{\(missing.path)}}, but the case's input has no such field",
                    file: EvalConfig.path, hint: "Give every case that field, or change the prompt.")
            }
        }
        for splice in splices { messages += try spliced(splice, request) }
        return messages
    }

    private func spliced(_ splice: ConversationSplice, _ request: ModelRequest) throws -> [JSONValue] {
        switch splice.messages(in: request.input) {
        case .success(let messages): return messages
        case .failure(let problem):
            // The cases are checked when they load; a request made otherwise (a test) still says why.
            throw EvalGuardError("case '\(request.id)': \(problem.text)", file: EvalConfig.path)
        }
    }

    /// A request for `messages` in the API's wire format, with the sampling and tool settings.
    func body(messages: [JSONValue]) -> [UInt8] {
        if config.api == .anthropic { return AnthropicRequestBody.encode(config: config, messages: messages) }
        var object: [String: JSONValue] = ["model": .string(config.model), "messages": .array(messages)]
        if let t = config.temperature { object["temperature"] = .number(t) }
        if let m = config.maxTokens { object["max_tokens"] = .number(Double(m)) }
        if let s = config.seed { object["seed"] = .number(Double(s)) }
        if let f = config.responseFormat { object["response_format"] = f }
        if let tools = config.tools { object["tools"] = tools }
        if let choice = config.toolChoice { object["tool_choice"] = choice }
        if let parallel = config.parallelToolCalls { object["parallel_tool_calls"] = .bool(parallel) }
        var text = ""
        JSONWriter.write(.object(object), to: &text)
        return Array(text.utf8)
    }
}
