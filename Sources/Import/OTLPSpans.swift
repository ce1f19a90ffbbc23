import EvalGuardSupport

/// OpenTelemetry GenAI spans in OTLP JSON (`resourceSpans[].scopeSpans[].spans[]`) as records:
/// `{"input": [messages], "output": text or {"tool_calls": [...]}, "name", "span_id", "trace_id",
/// "attributes": {...}}`. The messages are read from each form the semantic conventions have
/// used: `gen_ai.input.messages` / `gen_ai.output.messages` (with `gen_ai.system_instructions`)
/// as attributes or on a `gen_ai.client.inference.operation.details` event; `gen_ai.prompt` /
/// `gen_ai.completion` as attributes, on `gen_ai.content.prompt` / `gen_ai.content.completion`
/// events, or flattened (`gen_ai.prompt.0.content`); and the per-message events
/// (`gen_ai.user.message`, ..., `gen_ai.choice`).
enum OTLPSpans {
    static func records(_ document: JSONValue, display: String, line: Int?) -> [ProductionRecord] {
        var records: [ProductionRecord] = []
        let at = line.map { "\(display):\($0)" } ?? display
        for resource in document["resourceSpans"]?.arrayValue ?? [] {
            for scope in resource["scopeSpans"]?.arrayValue ?? [] {
                for span in scope["spans"]?.arrayValue ?? [] {
                    let attributes = Self.attributes(span["attributes"])
                    let spanID = span["spanId"]?.stringValue ?? "?"
                    let source = "\(at): span \(spanID)"
                    guard attributes.keys.contains(where: { $0.hasPrefix("gen_ai.") }) else { continue }
                    let events = (span["events"]?.arrayValue ?? []).map {
                        (name: $0["name"]?.stringValue ?? "", attributes: Self.attributes($0["attributes"]))
                    }
                    let (input, output) = messages(attributes, events)
                    // A span without messages stays a record (so --where sees it); it has no input.
                    var record: [String: JSONValue] = [
                        "attributes": .object(attributes),
                        "name": span["name"] ?? .null, "span_id": .string(spanID), "trace_id": span["traceId"] ?? .null,
                    ]
                    if let input, !input.isEmpty { record["input"] = .array(input) }
                    if let output { record["output"] = answer(output) }
                    records.append(ProductionRecord(value: .object(record), source: source))
                }
            }
        }
        return records
    }

    /// `[{"key": k, "value": AnyValue}]` as an object of plain JSON values.
    static func attributes(_ list: JSONValue?) -> [String: JSONValue] {
        var out: [String: JSONValue] = [:]
        for kv in list?.arrayValue ?? [] {
            if let key = kv["key"]?.stringValue { out[key] = anyValue(kv["value"]) }
        }
        return out
    }

    static func anyValue(_ v: JSONValue?) -> JSONValue {
        guard let v else { return .null }
        if let s = v["stringValue"] { return s }
        if let b = v["boolValue"] { return b }
        if let i = v["intValue"] { return i.stringValue.flatMap(Double.init).map(JSONValue.number) ?? i }
        if let d = v["doubleValue"] { return d }
        if let b = v["bytesValue"] { return b }
        if let a = v["arrayValue"] { return .array((a["values"]?.arrayValue ?? []).map { anyValue($0) }) }
        if let kv = v["kvlistValue"] { return .object(attributes(kv["values"])) }
        return .null
    }

    /// A messages value: structured, or a JSON string of one (as most SDKs record it), or text.
    static func messageList(_ v: JSONValue?, role: String) -> [JSONValue]? {
        switch v {
        case .array(let items)?: return items.map(normalize)
        case .string(let s)?:
            if let parsed = try? JSONParser.parse(s) {
                if case .array(let items) = parsed { return items.map(normalize) }
                if case .object = parsed { return [normalize(parsed)] }
            }
            return [.object(["role": .string(role), "content": .string(s)])]
        default: return nil
        }
    }

    /// One message as `{"role", "content"[, "tool_calls"]}`, from the parts form or the older
    /// content form (with OpenAI-style `tool_calls`).
    static func normalize(_ message: JSONValue) -> JSONValue {
        guard case .object(let m) = message else { return .object(["role": .string("user"), "content": message]) }
        var out: [String: JSONValue] = ["role": m["role"] ?? .string("user")]
        var calls: [JSONValue] = []
        if let parts = m["parts"]?.arrayValue {
            var texts: [String] = []
            for part in parts {
                switch part["type"]?.stringValue {
                case "text"?: if let t = part["content"]?.stringValue { texts.append(t) }
                case "tool_call"?: calls.append(toolCall(name: part["name"], arguments: part["arguments"]))
                case "tool_call_response"?:
                    let r = part["response"] ?? .null
                    texts.append(r.stringValue ?? r.canonicalText)
                default: break
                }
            }
            out["content"] = .string(texts.joined(separator: "\n"))
        } else {
            out["content"] = m["content"] ?? m["message"]?["content"] ?? .string("")
        }
        for call in m["tool_calls"]?.arrayValue ?? m["message"]?["tool_calls"]?.arrayValue ?? [] {
            let function = call["function"] ?? call
            calls.append(toolCall(name: function["name"], arguments: function["arguments"]))
        }
        if !calls.isEmpty { out["tool_calls"] = .array(calls) }
        return .object(out)
    }

    /// `{"name": ..., "arguments": {...}}`: arguments written as a JSON string are parsed.
    static func toolCall(name: JSONValue?, arguments: JSONValue?) -> JSONValue {
        var args = arguments ?? .object([:])
        if case .string(let s) = args, let parsed = try? JSONParser.parse(s) { args = parsed }
        return .object(["name": name ?? .null, "arguments": args])
    }

    /// The answer a case compares with: the tool calls of the first output message when it
    /// made any (`{"tool_calls": [...]}`), else its text.
    static func answer(_ output: [JSONValue]) -> JSONValue {
        guard let first = output.first else { return .null }
        if let calls = first["tool_calls"] { return .object(["tool_calls": calls]) }
        return first["content"] ?? .null
    }

    static func messages(_ a: [String: JSONValue], _ events: [(name: String, attributes: [String: JSONValue])]) -> (
        [JSONValue]?, [JSONValue]?
    ) {
        let details = events.first { $0.name == "gen_ai.client.inference.operation.details" }?.attributes ?? [:]
        for source in [a, details]
        where source["gen_ai.input.messages"] != nil || source["gen_ai.output.messages"] != nil {
            var input = messageList(source["gen_ai.input.messages"], role: "user") ?? []
            if let system = source["gen_ai.system_instructions"] {
                let parts = messageList(system, role: "system")?.compactMap { $0["content"]?.stringValue } ?? []
                input.insert(
                    .object(["role": .string("system"), "content": .string(parts.joined(separator: "\n"))]), at: 0)
            }
            return (input, messageList(source["gen_ai.output.messages"], role: "assistant"))
        }
        let prompt =
            a["gen_ai.prompt"] ?? events.first { $0.name == "gen_ai.content.prompt" }?.attributes["gen_ai.prompt"]
        let completion =
            a["gen_ai.completion"]
            ?? events.first { $0.name == "gen_ai.content.completion" }?.attributes["gen_ai.completion"]
        if prompt != nil || completion != nil {
            return (messageList(prompt, role: "user"), messageList(completion, role: "assistant"))
        }
        if let flat = flattened(a, "gen_ai.prompt") {
            return (flat, flattened(a, "gen_ai.completion"))
        }
        let roles = [
            "gen_ai.system.message": "system", "gen_ai.user.message": "user", "gen_ai.assistant.message": "assistant",
            "gen_ai.tool.message": "tool",
        ]
        var input: [JSONValue] = []
        var output: [JSONValue] = []
        for e in events {
            if let role = roles[e.name] {
                var m = e.attributes
                m["role"] = m["role"] ?? .string(role)
                input.append(normalize(.object(m)))
            } else if e.name == "gen_ai.choice" {
                var m = e.attributes
                if case .string(let s)? = m["message"], let parsed = try? JSONParser.parse(s) { m["message"] = parsed }
                if let content = m["message.content"] { m["content"] = content }
                m["role"] = .string("assistant")
                output.append(normalize(.object(m)))
            }
        }
        return (input.isEmpty ? nil : input, output.isEmpty ? nil : output)
    }

    /// `gen_ai.prompt.0.role`, `gen_ai.prompt.0.content`, `gen_ai.completion.0.tool_calls.0.name`, ...
    static func flattened(_ a: [String: JSONValue], _ prefix: String) -> [JSONValue]? {
        var messages: [Int: [String: JSONValue]] = [:]
        var calls: [Int: [Int: [String: JSONValue]]] = [:]
        for (key, value) in a where key.hasPrefix(prefix + ".") {
            let parts = key.dropFirst(prefix.count + 1).split(separator: ".", maxSplits: 3).map(String.init)
            guard parts.count >= 2, let i = Int(parts[0]) else { continue }
            if parts[1] == "tool_calls", parts.count == 4, let j = Int(parts[2]) {
                calls[i, default: [:]][j, default: [:]][parts[3]] = value
            } else if parts.count == 2 {
                messages[i, default: [:]][parts[1]] = value
            }
        }
        guard !messages.isEmpty || !calls.isEmpty else { return nil }
        return Set(messages.keys).union(calls.keys).sorted().map { i in
            var m = messages[i] ?? [:]
            if let c = calls[i] {
                m["tool_calls"] = .array(
                    c.sorted { $0.key < $1.key }.map {
                        toolCall(name: $0.value["name"], arguments: $0.value["arguments"])
                    })
            }
            return normalize(.object(m))
        }
    }
}
