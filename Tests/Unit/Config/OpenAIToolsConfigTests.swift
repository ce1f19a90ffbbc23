import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardConfig
@testable import EvalGuardRunner
@testable import EvalGuardSupport

/// The openai provider's tool settings as the configuration writes them: `tools` inline or in a
/// file, `tool_choice`, `parallel_tool_calls`, `max_steps`, `tools_command`, and a case's
/// conversation spliced into `messages`; every mistake named at its file and line.
@Suite struct OpenAIToolsConfigTests {
    func configError(_ model: String) -> EvalGuardError? {
        do {
            _ = try openAIConfig(model)
            return nil
        } catch let e as EvalGuardError { return e } catch { return nil }
    }

    static let lookup =
        #"{"type": "function", "function": {"name": "lookup_order", "parameters": {"type": "object", "required": ["order_id"]}}}"#

    @Test func readsEveryToolSettingAndEachToolsSchemaByName() throws {
        let o = try #require(
            try openAIConfig(
                """
                {"provider": "openai", "model": "m", "tools": [\(Self.lookup), {"type": "function", "function": {"name": "ping"}}],
                 "tool_choice": "required", "parallel_tool_calls": true, "max_steps": 5, "tools_command": ["python3", "agent/tools.py"],
                 "messages": [{"role": "system", "content": "Be brief."}, "{{input.messages}}"]}
                """
            ).openAI)
        #expect(o.toolChoice == .string("required") && o.parallelToolCalls == true && o.maxSteps == 5)
        #expect(o.toolsCommand == ["python3", "agent/tools.py"])
        let tools = try OpenAIConfig.toolParameters(
            ConfigNode(value: try #require(o.tools), source: ConfigSource(displayPath: "x", text: "")))
        #expect(
            tools["lookup_order"]?.value == (try JSONParser.parse(#"{"type": "object", "required": ["order_id"]}"#)))
        #expect(tools["ping"]?.value == .bool(true) && tools["nope"] == nil)
        #expect(o.messages.map(\.role) == ["system"])
        #expect(
            o.conversation == [
                try ConversationSplice(
                    "{{input.messages}}", before: 1,
                    node: ConfigNode(value: .null, source: ConfigSource(displayPath: "x", text: "")))
            ])
        let plain = try #require(try openAIConfig(#"{"provider": "openai", "model": "m"}"#).openAI)
        #expect(plain.maxSteps == 1 && plain.tools == nil && plain.conversation.isEmpty)
    }

    @Test func aBadToolListIsAnErrorAtItsLine() throws {
        let cases: [(String, String)] = [
            (#""tools": {"type": "function"}"#, "model.tools: expected an array of tools"),
            (#""tools": "lookup_order""#, "model.tools: expected an array of tools"),
            (#""tools": [{"type": "retrieval"}]"#, "model.tools[0]: expected \"type\": \"function\""),
            (
                #""tools": [{"type": "function", "function": {"parameters": {}}}]"#,
                "model.tools[0].function: missing \"name\""
            ),
            (
                #""tools": [{"type": "function", "function": {"name": "look up"}}]"#,
                "model.tools[0].function.name: 'look up' is not a tool name"
            ),
            (
                #""tools": [\#(Self.lookup), \#(Self.lookup)]"#,
                "model.tools[1].function.name: a second tool named 'lookup_order'"
            ),
            (
                #""tools": [{"type": "function", "function": {"name": "a", "parameters": "object"}}]"#,
                "model.tools[0].function.parameters: expected a JSON Schema object"
            ),
            (
                #""tools": [{"type": "function", "function": {"name": "a", "paramters": {}}}]"#,
                "model.tools[0].function.paramters: unknown key 'paramters'"
            ),
            (
                #""tools": {"file": "../tools.json"}"#,
                "model.tools.file: the tools file must be a path inside the repository"
            ),
            (#""tools": [], "tool_choice": 3"#, "model.tool_choice: expected \"auto\", \"none\", \"required\""),
            (#""tools": [], "parallel_tool_calls": "yes""#, "model.parallel_tool_calls: expected true or false"),
            (#""tool_choice": "auto""#, "model.tool_choice: there are no tools to choose from"),
            (#""max_steps": 0"#, "model.max_steps: expected a whole number of at least 1"),
            (
                #""tools_command": ["python3", "t.py"]"#,
                "model.tools_command: a tools program answers calls only in an agent loop, and max_steps is 1"
            ),
            (
                #""messages": ["hello"]"#,
                "model.messages[0]: expected a message {\"role\", \"content\"}, or the string \"{{input.<field>}}\""
            ),
        ]
        for (setting, message) in cases {
            let error = try #require(
                configError("{\"provider\": \"openai\", \"model\": \"m\",\n \(setting)}"), "\(setting)")
            #expect(error.message.hasPrefix(message), "\(error.message)")
            #expect(
                error.file == ".evals/evalguard.json" && error.line == 2,
                "\(setting): line \(String(describing: error.line))")
        }
        let typo = try #require(
            configError(
                #"{"provider": "openai", "model": "m", "tools": [{"type": "function", "function": {"name": "a", "paramters": {}}}]}"#
            ))
        #expect(typo.hint == "Did you mean 'parameters'?")
    }

    @Test func aToolsFileIsReadThroughNoLinkAndCheckedAtItsOwnLines() throws {
        let repo = try TemporaryDirectory()
        let o = try #require(
            try openAIConfig(#"{"provider": "openai", "model": "m", "tools": {"file": "agent/tools.json"}}"#).openAI)
        #expect(o.toolsFile == "agent/tools.json" && o.tools == nil)
        let missing = try #require(throws: EvalGuardError.self) { try o.loadingPromptFiles(from: repo.root) }
        #expect(missing.message == "the tools file agent/tools.json does not exist")
        #expect(missing.hint?.contains("model.tools {\"file\": ...}") == true)

        try repo.write("agent/tools.json", "// the agent's tools\n[\n  \(Self.lookup)\n]\n")
        let loaded = try o.loadingPromptFiles(from: repo.root)
        #expect(loaded.tools?.arrayValue?.first?["function"]?["name"] == .string("lookup_order"))

        try repo.write(
            "agent/tools.json", "[\n  {\"type\": \"function\",\n   \"function\": {\"description\": \"no name\"}}\n]\n")
        let bad = try #require(throws: EvalGuardError.self) { try o.loadingPromptFiles(from: repo.root) }
        #expect(bad.file == "agent/tools.json" && bad.line == 3)
        #expect(bad.message == "[0].function: missing \"name\"")

        // An element past the first is found by counting, not by the first match of its keys.
        try repo.write(
            "agent/tools.json",
            """
            [
              \(Self.lookup),
              {"type": "function", "function": {"name": "refund", "parameters": {"type": "object", "properties": {"amount": {"type": "number"}}}}},
              {"type": "function", "function": {"name": "cancel order"}}
            ]
            """)
        let third = try #require(throws: EvalGuardError.self) { try o.loadingPromptFiles(from: repo.root) }
        #expect(third.message.hasPrefix("[2].function.name: 'cancel order' is not a tool name"))
        #expect(third.line == 4)

        try repo.write("agent/real.json", "[\(Self.lookup)]")
        try FileManager.default.removeItem(atPath: repo.path("agent/tools.json"))
        try FileManager.default.createSymbolicLink(
            atPath: repo.path("agent/tools.json"), withDestinationPath: "real.json")
        let link = try #require(throws: EvalGuardError.self) { try o.loadingPromptFiles(from: repo.root) }
        #expect(link.message.contains("agent/tools.json is a symbolic link to agent/real.json"))
    }

    @Test func theToolsFileAndTheToolsProgramAreInputsOfTheModel() throws {
        let model = try openAIConfig(
            """
            {"provider": "openai", "model": "m", "tools": {"file": "agent/tools.json"}, "max_steps": 3, "tools_command": ["python3", "./agent/tools.py"],
             "messages": [{"role": "system", "content": {"file": "prompts/agent.txt"}}, "{{input.messages}}"], "inputs": ["prompts/**"]}
            """)
        #expect(model.promptFiles == ["prompts/agent.txt", "agent/tools.json", "python3", "agent/tools.py"])
        // A program run directly is an input too: it is the first element.
        let direct = try openAIConfig(
            #"{"provider": "openai", "model": "m", "max_steps": 3, "tools_command": ["./agent/run_tools"]}"#)
        #expect(direct.promptFiles == ["agent/run_tools"])
    }

    @Test func aCaseConversationIsCheckedMessageByMessage() throws {
        let node = ConfigNode(value: .null, source: ConfigSource(displayPath: "x", text: ""))
        let splice = try ConversationSplice("{{ input.turns }}", before: 0, node: node)
        #expect(splice.slot == "{{input.turns}}")
        let problems: [(String, String)] = [
            (#"{"other": 1}"#, "{{input.turns}} names no field: the input has no input.turns"),
            (#"{"turns": "hi"}"#, "{{input.turns}} is a string, expected an array of messages"),
            (#"{"turns": [{"content": "hi"}]}"#, "{{input.turns}}[0]: a message needs a \"role\""),
            (#"{"turns": [{"role": "bot", "content": "hi"}]}"#, "{{input.turns}}[0]: unknown role 'bot'"),
            (#"{"turns": [{"role": "user"}]}"#, "{{input.turns}}[0]: a user message needs \"content\""),
            (
                #"{"turns": [{"role": "user", "content": "a"}, {"role": "tool", "content": "{}"}]}"#,
                "{{input.turns}}[1]: a tool message needs \"tool_call_id\""
            ),
            (
                #"{"turns": [{"role": "assistant", "tool_calls": [{"function": {"name": "x"}}]}]}"#,
                "{{input.turns}}[0]: tool_calls[0]: expected {\"id\""
            ),
            (
                #"{"turns": [{"role": "user", "content": "a", "tool_calls": []}]}"#,
                "{{input.turns}}[0]: \"tool_calls\" is a non-empty array on an assistant message"
            ),
        ]
        for (input, problem) in problems {
            guard case .failure(let e) = splice.messages(in: try JSONParser.parse(input)) else {
                Issue.record("accepted \(input)")
                continue
            }
            #expect(e.text.hasPrefix(problem), "\(e.text)")
        }
        let good = try JSONParser.parse(
            #"{"turns": [{"role": "assistant", "content": null, "tool_calls": [{"id": "c1", "function": {"name": "x", "arguments": {"a": 1}}}]}]}"#
        )
        let sent = try splice.messages(in: good).get()
        #expect(
            sent[0]["tool_calls"]?.arrayValue?.first
                == (try JSONParser.parse(
                    #"{"id": "c1", "type": "function", "function": {"name": "x", "arguments": "{\"a\":1}"}}"#)))
    }

    @Test func toolResultsOfACaseAreCheckedAtItsLine() throws {
        let good =
            #"{"id": "a", "input": "x", "expected": "y", "tool_results": [{"name": "lookup_order", "arguments": {"order_id": "A1"}, "result": {"ok": true}}]}"#
        let bad: [(String, String)] = [
            (
                #"{"id": "b", "input": "x", "expected": "y", "tool_results": {"name": "t"}}"#,
                "case b: \"tool_results\" must be an array"
            ),
            (
                #"{"id": "b", "input": "x", "expected": "y", "tool_results": [{"result": 1}]}"#,
                "case b: tool_results[0] needs \"name\""
            ),
            (
                #"{"id": "b", "input": "x", "expected": "y", "tool_results": [{"name": "t"}]}"#,
                "case b: tool_results[0] (t) needs \"result\""
            ),
            (
                #"{"id": "b", "input": "x", "expected": "y", "tool_results": [{"name": "t", "result": 1, "args": {}}]}"#,
                "case b: tool_results[0]: unknown key 'args'"
            ),
        ]
        let cases = try CaseFile.parse(
            Array((good + "\n").utf8), displayPath: ".evals/cases/agent.jsonl", scorer: .exact(.init()))
        #expect(cases[0].toolResults?.arrayValue?.count == 1)
        #expect(cases[0].answerInputText != cases[0].input.canonicalText)
        for (line, message) in bad {
            let error = try #require(throws: EvalGuardError.self) {
                try CaseFile.parse(
                    Array((good + "\n" + line + "\n").utf8), displayPath: ".evals/cases/agent.jsonl",
                    scorer: .exact(.init()))
            }
            #expect(error.message.hasPrefix(message), "\(error.message)")
            #expect(error.file == ".evals/cases/agent.jsonl" && error.line == 2)
        }
    }
}
