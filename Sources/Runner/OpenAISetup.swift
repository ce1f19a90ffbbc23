import EvalGuardConfig
import EvalGuardSupport
import FoundationEssentials

extension OpenAIConfig {
    /// The price of the configured model. No table at all: no cost, and a warning (a local server
    /// costs nothing worth tracking). A table without the model is an error: a table says cost is
    /// tracked, and silently dropping it would switch the cost gate off.
    package func price(repositoryRoot root: String) throws -> (price: PriceTable.Price?, warning: String?) {
        let path = EvalConfig.directory + "/" + prices
        guard let table = try PriceTable.load(repositoryRoot: root, path: path) else {
            return (nil, "no price table at \(path): cost is not computed for '\(model)'")
        }
        guard let price = table.models[model] else {
            throw EvalGuardError(
                "no price for the model '\(model)'", file: path,
                hint: """
                    Add it (US dollars per million tokens), for example:
                      "\(model)": {"input_per_million": 0.15, "output_per_million": 0.60}
                    A free local model can say 0 for both.
                    """)
        }
        return (price, nil)
    }

    /// What the result file records about the model: everything but the key, and the prices used.
    package func description(price: PriceTable.Price?) -> [String: JSONValue] {
        var d: [String: JSONValue] = [
            "provider": .string(api.rawValue), "base_url": .string(baseURL), "model": .string(model),
            "messages": .array(recordedMessages),
            "prices": price.map { p in .object(["file": .string(EvalConfig.directory + "/" + prices)]).merging(p.json) }
                ?? .null,
        ]
        if let apiKeyEnv { d["api_key_env"] = .string(apiKeyEnv) }
        if let temperature { d["temperature"] = .number(temperature) }
        if let maxTokens { d["max_tokens"] = .number(Double(maxTokens)) }
        if let seed { d["seed"] = .number(Double(seed)) }
        if let responseFormat { d["response_format"] = responseFormat }
        if let tools { d["tools"] = tools }
        if let toolsFile { d["tools_file"] = .string(toolsFile) }
        if let toolChoice { d["tool_choice"] = toolChoice }
        if let parallelToolCalls { d["parallel_tool_calls"] = .bool(parallelToolCalls) }
        if maxSteps > 1 { d["max_steps"] = .number(Double(maxSteps)) }
        if let toolsCommand { d["tools_command"] = .array(toolsCommand.map(JSONValue.string)) }
        if api == .anthropic {
            d["anthropic_version"] = .string(anthropicVersion)
            if let system { d["system"] = system.file.map { .object(["file": .string($0)]) } ?? .string(system.text) }
        }
        return d
    }

    /// The messages as sent, a splice of the case's conversation as its slot.
    private var recordedMessages: [JSONValue] {
        var out: [JSONValue] = []
        var splices = conversation[...]
        for (i, message) in messages.enumerated() {
            while let splice = splices.first, splice.before == i {
                out.append(.string(splice.slot))
                splices.removeFirst()
            }
            out.append(.object(["role": .string(message.role), "content": .string(message.content.text)]))
        }
        return out + splices.map { .string($0.slot) }
    }
}

extension OpenAIProvider {
    /// Reads the API key from the variable the configuration names. The key is passed on to the
    /// transport and to `redact`, nowhere else.
    package convenience init(
        model: ModelConfig, openAI: OpenAIConfig, price: PriceTable.Price?,
        environment: [String: String]
    ) throws {
        var key: String?
        if let name = openAI.apiKeyEnv {
            guard let value = environment[name], !value.isEmpty else {
                throw EvalGuardError.evaluation(
                    "the environment variable \(name) is not set (\(openAI.setting("api_key_env")) in \(EvalConfig.path))",
                    hint: "Set it to the API key, e.g. export \(name)=... (in CI, from the secret store).")
            }
            // A key read from a CRLF file keeps its "\r": sent as is, it would corrupt the headers.
            guard !value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
                throw EvalGuardError.evaluation(
                    "the environment variable \(name) holds a control character (a trailing newline or carriage return?)",
                    hint: "Set it to the key alone.")
            }
            key = value
        }
        self.init(
            config: openAI, jobs: model.jobs, timeoutSeconds: model.timeoutSeconds,
            maxErrorRate: model.maxErrorRate, apiKey: key, price: price)
    }
}

extension JSONValue {
    fileprivate func merging(_ other: JSONValue) -> JSONValue {
        guard case .object(var a) = self, case .object(let b) = other else { return self }
        a.merge(b) { _, new in new }
        return .object(a)
    }
}
