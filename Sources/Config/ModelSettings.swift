import EvalGuardSupport
import FoundationEssentials

extension ModelConfig {
    /// Settings that shape how the model is called but never its answers: left out of a suite's
    /// evaluation key, so changing them re-runs nothing.
    static let settingsOutsideKey: Set<String> = [
        "jobs", "timeout_s", "startup_timeout_s", "max_error_rate", "max_line_bytes", "inputs",
        "prices", "requests_per_minute", "max_retries", "retry_backoff_s", "api_key_env", "api_key_header",
        "deterministic", "batch", "batch_poll_s",
    ]

    /// Whether the model gives the same answer to the same input, which decides how `ci` audits
    /// stored answers: `deterministic` when set; else not when cases run several times (`repeat`
    /// > 1: repeats exist because answers vary); else a command model is, and an `openai` or
    /// `anthropic` model is not (sampling on a hosted API varies between calls even at temperature 0). Decided from
    /// the reviewed configuration only, never from stored results, which the audit does not trust.
    package func isDeterministic(repeats: Int) -> Bool {
        if let deterministic { return deterministic }
        return repeats <= 1 && openAI == nil
    }

    /// The settings that reach the model (command, base URL, model name, messages, sampling
    /// parameters...) as canonical JSON: part of the key of every suite that uses this model.
    package var keySettings: String {
        guard case .object(let members) = node.value else { return node.value.canonicalText }
        var kept = members.filter { !Self.settingsOutsideKey.contains($0.key) }
        // A command model is never sent its `tools`: the tool-call scorer alone reads them, and the
        // scoring digest covers them, so a schema change re-scores rather than re-runs.
        if openAI == nil { kept["tools"] = nil }
        if kept["provider"] == nil { kept["provider"] = .string(provider) }
        return JSONValue.object(kept).canonicalText
    }

    /// The file the model's `tools` are read from (`{"file": ...}`, from the repository root):
    /// an input of every result of its suites, as the tool-call scorer checks calls against it.
    package var toolsFile: String? {
        node.value["tools"]?["file"]?.stringValue
    }

    /// Files the model's settings read, from the repository root: the `messages`' text files
    /// (`{"file": ...}`), the tools file, and the tools program's script (each element of
    /// `tools_command`, the program itself included, as a scoring program's: a path of the tree
    /// counts, others match nothing).
    package var promptFiles: [String] {
        guard let openAI else { return [] }
        return openAI.messages.compactMap(\.content.file) + [openAI.system?.file].compactMap { $0 }
            + (openAI.toolsFile.map { [$0] } ?? [])
            + (openAI.toolsCommand ?? []).map { $0.hasPrefix("./") ? String($0.dropFirst(2)) : $0 }
    }
}

extension OpenAIConfig {
    /// The configuration with every file prompt and the tools file read from `root` (a working
    /// tree or a commit's checkout) and parsed like inline content.
    package func loadingPromptFiles(from root: String) throws -> OpenAIConfig {
        var copy = self
        copy.messages = try messages.map { ($0.role, try Self.loading($0.content, from: root)) }
        copy.system = try system.map { try Self.loading($0, from: root) }
        if let file = toolsFile {
            // Through no link and checked like the inline list, with errors at the file's lines.
            guard let data = try RepositoryFile.contents(file, root: root) else {
                throw EvalGuardError(
                    "the tools file \(file) does not exist", file: EvalConfig.path,
                    hint:
                        "\(setting("tools")) {\"file\": ...} is a path from the repository root; create the file or fix the path."
                )
            }
            let source = ConfigSource(displayPath: file, text: try TextBytes.decode(data, displayPath: file))
            copy.tools = try Self.checkedTools(try ConfigNode.parse(source), api: api)
        }
        return copy
    }

    /// A prompt read from its file (`{"file": ...}`) and parsed like inline text; inline text as is.
    private static func loading(_ prompt: PromptTemplate, from root: String) throws -> PromptTemplate {
        guard let file = prompt.file else { return prompt }
        guard let data = try RepositoryFile.contents(file, root: root) else {
            throw EvalGuardError(
                "the prompt file \(file) does not exist", file: EvalConfig.path,
                hint: "A prompt's {\"file\": ...} is a path from the repository root; create the file or fix the path.")
        }
        let text = try TextBytes.decode(data, displayPath: file)
        let parts: [PromptTemplate.Part]
        do { parts = try PromptTemplate.parse(text) } catch let e as PromptTemplate.TemplateError {
            throw EvalGuardError(e.text, file: file, hint: "Slots are {{input}} or {{input.<field>}}.")
        }
        return PromptTemplate(text: text, parts: parts, file: file)
    }
}

extension PriceTable {
    /// The table from a file's bytes (from a working tree or a commit).
    package static func parse(_ bytes: [UInt8], displayPath: String) throws -> PriceTable {
        try parse(ConfigSource(displayPath: displayPath, text: TextBytes.decode(bytes, displayPath: displayPath)))
    }
}
