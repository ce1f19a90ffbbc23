import EvalGuardConfig
import EvalGuardSupport

/// One case's agent loop (`max_steps` > 1), as far as it has gone: the turns added to its
/// conversation, every call the model made, the calls answered (`steps`) and the sums of its
/// requests. The case's latency is the sum of its requests' latencies (the time spent waiting
/// for tools is in none), its tokens, cost and retries the sums of theirs; each request's
/// latency is kept too, in order.
struct AgentTurns {
    /// Requests answered so far.
    var requests = 0
    /// The assistant and tool messages that follow the case's own messages.
    var turns: [JSONValue] = []
    var calls: [JSONValue] = []
    var steps: [JSONValue] = []
    var requestLatenciesMs: [Double] = []
    var summed = ModelResponse(output: nil, latencyMs: 0)
    /// The calls of the last answer, waiting for their results (from the tools program).
    var waiting: [OpenAIAnswer.ToolCall] = []
    var results: [JSONValue?] = []
    /// The tools program's id of each waiting call, and the assistant message that made them.
    var programIDs: [Int] = []
    var message: JSONValue = .null

    /// Adds one request's measurements to the loop's.
    mutating func add(_ answer: ModelResponse) {
        if requests == 0 {
            (summed.coldStart, summed.retryStartNs) = (answer.coldStart, answer.retryStartNs)
        }
        requests += 1
        requestLatenciesMs.append(answer.latencyMs)
        summed.latencyMs += answer.latencyMs
        summed.retries += answer.retries
        summed.retryMs += answer.retryMs
        if let cost = answer.costUSD { summed.costUSD = (summed.costUSD ?? 0) + cost }
        if let usage = answer.usage { summed.usage = (summed.usage ?? [:]).merging(usage, uniquingKeysWith: +) }
    }

    /// A response that ended the loop (the last answer, or a failure), with the loop's sums: a
    /// failure's own measurements are added to the answers before it.
    func ending(_ response: ModelResponse, added: Bool) -> ModelResponse {
        var loop = self
        if !added { loop.add(response) }
        var out = loop.summed
        (out.output, out.error, out.timedOut) = (response.output, response.error, response.timedOut)
        if loop.requests > 1 { out.requestLatenciesMs = loop.requestLatenciesMs }
        return out
    }

    /// The case's output once the model answered without a call or the steps ran out: its final
    /// answer as one request makes it when it never called a tool, else
    /// `{"content", "tool_calls", "steps"}`.
    func output(final chat: OpenAIAnswer.Chat) -> JSONValue? {
        guard !calls.isEmpty else { return chat.response.output }
        return .object(["content": chat.content, "tool_calls": .array(calls), "steps": .array(steps)])
    }

    /// Records the answered calls as steps and adds the assistant's message and one tool
    /// message per call to the conversation.
    mutating func answered(_ message: JSONValue, _ calls: [OpenAIAnswer.ToolCall], _ answers: [JSONValue]) {
        // The assistant's message as the API sent it, ids included, so the tool messages
        // answer the calls it made.
        var assistant = message.objectValue ?? [:]
        assistant["role"] = .string("assistant")
        // A turn of calls alone goes back with empty text: the OpenAI API takes null or no
        // content there, but compatible servers (llama.cpp's among them) refuse both, and every
        // server takes "".
        if assistant["content"] == nil || assistant["content"] == .null { assistant["content"] = .string("") }
        turns.append(.object(assistant.filter { ["role", "content", "tool_calls"].contains($0.key) }))
        for (call, result) in zip(calls, answers) {
            steps.append(.object(["name": .string(call.name), "arguments": call.arguments, "result": result]))
            var text = ""
            if case .string(let s) = result { text = s } else { JSONWriter.write(result, to: &text) }
            turns.append(
                .object(["role": .string("tool"), "tool_call_id": .string(call.id), "content": .string(text)]))
        }
        (waiting, results, programIDs, self.message) = ([], [], [], .null)
    }

    /// The case's canned result for a call (`tool_results`): the first entry with its name and,
    /// when the entry gives arguments, equal arguments. Unmatched, an error result the model
    /// sees and the steps record.
    static func canned(_ call: OpenAIAnswer.ToolCall, in toolResults: JSONValue?) -> JSONValue {
        guard case .array(let entries)? = toolResults else {
            return .object(["error": .string("the case has no tool_results to answer \(call.name)")])
        }
        for entry in entries where entry["name"] == .string(call.name) {
            if let arguments = entry["arguments"], arguments != call.arguments { continue }
            return entry["result"] ?? .null
        }
        return .object([
            "error": .string(
                "no tool result in the case's tool_results for \(call.name) with arguments \(call.arguments.canonicalText)"
            )
        ])
    }
}

extension OpenAIRun {
    /// An answer in an agent loop: the case ends when the answer has no call, is an error or
    /// used the last step; else its calls are answered (canned results at once, the tools
    /// program's when they come) and the conversation goes out again on the same slot.
    mutating func agentAnswered(_ i: Int, _ index: Int, _ chat: OpenAIAnswer.Chat) throws {
        // Only a slot made with an agent loop is answered here; any other ends with the answer.
        guard slots[i].agent != nil else { return try finish(i, index, chat.response) }
        slots[i].agent?.add(chat.response)
        if chat.response.error != nil { return try finish(i, index, chat.response, added: true) }
        slots[i].agent?.calls += chat.calls.map(\.json)
        guard !chat.calls.isEmpty, let agent = slots[i].agent, agent.requests < provider.config.maxSteps else {
            var final = chat.response
            final.output = slots[i].agent?.output(final: chat) ?? final.output
            return try finish(i, index, final, added: true)
        }
        guard let tools else {
            let results = chat.calls.map { AgentTurns.canned($0, in: requests[index].toolResults) }
            return try askAgain(i, index, chat.message, chat.calls, results)
        }
        slots[i].agent?.waiting = chat.calls
        slots[i].agent?.message = chat.message
        slots[i].agent?.results = Array(repeating: nil, count: chat.calls.count)
        slots[i].agent?.programIDs = try chat.calls.map { try tools.call(name: $0.name, arguments: $0.arguments) }
        slots[i].awaitingTools = true
    }

    /// The tools program answered call `id`: once every call of its answer has a result, the
    /// case's conversation goes out again.
    mutating func toolAnswered(_ id: Int, _ result: JSONValue) throws {
        for i in slots.indices where slots[i].awaitingTools {
            guard let k = slots[i].agent?.programIDs.firstIndex(of: id), let index = slots[i].index else { continue }
            slots[i].agent?.results[k] = result
            if let agent = slots[i].agent, case let results = agent.results.compactMap({ $0 }),
                results.count == agent.results.count
            {
                try askAgain(i, index, agent.message, agent.waiting, results)
            }
            return
        }
    }

    /// Adds the calls and their results to the case's conversation and makes the next request
    /// of the slot, which `startAttempts` sends as it sends any.
    private mutating func askAgain(
        _ i: Int, _ index: Int, _ message: JSONValue, _ calls: [OpenAIAnswer.ToolCall],
        _ results: [JSONValue]
    ) throws {
        slots[i].agent?.answered(message, calls, results)
        slots[i].body = provider.body(
            messages: try provider.conversation(requests[index]) + (slots[i].agent?.turns ?? []))
        (slots[i].attempts, slots[i].notBefore, slots[i].awaitingTools) = (0, 0, false)
    }
}
