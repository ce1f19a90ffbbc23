import EvalGuardScoring
import EvalGuardSupport
import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardCLI
@testable import EvalGuardConfig

/// Every example in README.md, docs/ and the examples' READMEs is held to the code, so the documents cannot drift:
///
/// - a ```json, ```jsonc, ```json5 or ```jsonl block says what it is on the line before its fence,
///   and is loaded by evalguard's own reader for that:
///   `<!-- example: config -->` a whole `.evals/evalguard.json`;
///   `<!-- example: config-fragment -->` top-level members (`"models": {...}, "suites": {...}`,
///   with or without the braces), given a default model and suite when they name none;
///   `<!-- example: suite-fragment -->` members of one suite (`"scorer": ...`);
///   `<!-- example: model -->` one model object; `<!-- example: openai-fragment -->` members of
///   an `openai` model (`"messages": ..., "output": ...`);
///   `<!-- example: prices -->` a price table; `<!-- example: cases [scorer] -->` case lines;
///   `<!-- example: json -->` any JSON document; `<!-- example: skip: <why> -->` nothing, for a
///   block that is not input evalguard reads (an output, a protocol exchange);
/// - every `evalguard ...` command in ```sh, ```console (its `$ ` lines) and ```yaml blocks is
///   parsed with the command's own argument table: an unknown command, option or action fails;
/// - the judge template shown under `<!-- example: judge-template -->` is the default one;
/// - every relative link leads to a file of the repository, and its `#anchor` to a heading there.
@Suite struct DocsExamplesTests {
    static let root = TestPaths.packageRoot

    static func documents() throws -> [MarkdownDocument] {
        var paths = ["README.md"]
        let docs = root + "/docs"
        let walker = FileManager.default.enumerator(atPath: docs)
        while let path = walker?.nextObject() as? String {
            if path.hasSuffix(".md") { paths.append("docs/" + path) }
        }
        let examples = (try? FileManager.default.contentsOfDirectory(atPath: root + "/Examples")) ?? []
        paths += examples.map { "Examples/\($0)/README.md" }.filter {
            FileManager.default.fileExists(atPath: root + "/" + $0)
        }
        return try paths.sorted().map { path in
            MarkdownDocument(path: path, text: try String(contentsOfFile: root + "/" + path, encoding: .utf8))
        }
    }

    @Test func everyConfigurationExampleLoads() throws {
        var checked = 0
        for document in try Self.documents() {
            for block in document.blocks where ["json", "jsonc", "json5", "jsonl"].contains(block.language) {
                let place = "\(document.path):\(block.line)"
                guard let marker = block.marker else {
                    Issue.record(
                        "\(place): a \(block.language) block without <!-- example: ... --> on the line before its fence"
                    )
                    continue
                }
                do {
                    try Self.load(block.text, as: marker, place: place)
                    checked += 1
                } catch {
                    Issue.record("\(place): the example (\(marker)) does not load: \(error)")
                }
            }
        }
        #expect(checked > 20)
    }

    /// The judge prompt the docs show is the one a judge is sent.
    @Test func theDocumentedJudgeTemplateIsTheDefault() throws {
        let shown = try Self.documents().flatMap(\.blocks).filter { $0.marker == "judge-template" }
        #expect(shown.count == 1)
        for block in shown {
            let text = block.text.components(separatedBy: "\n")
                .map { $0.hasPrefix("  ") ? String($0.dropFirst(2)) : $0 }.joined(separator: "\n")
            #expect(text == JudgePrompt.defaultTemplate)
        }
    }

    @Test func everyCommandLineParses() throws {
        var checked = 0
        for document in try Self.documents() {
            for block in document.blocks where ["sh", "bash", "console", "yaml", "yml"].contains(block.language) {
                let text =
                    block.language == "console"
                    ? block.text.components(separatedBy: "\n").map { $0.hasPrefix("$ ") ? String($0.dropFirst(2)) : "" }
                        .joined(separator: "\n")
                    : block.text
                for (offset, words) in ShellWords.commands(in: text) {
                    guard let arguments = Self.evalguardArguments(words) else { continue }
                    if let problem = Self.parseProblem(arguments) {
                        Issue.record(
                            "\(document.path):\(block.line + offset): evalguard \(arguments.joined(separator: " ")): \(problem)"
                        )
                    }
                    checked += 1
                }
            }
        }
        #expect(checked > 25)
    }

    @Test func everyRelativeLinkLeadsSomewhere() throws {
        let documents = try Self.documents()
        let anchors = Dictionary(uniqueKeysWithValues: documents.map { ($0.path, $0.anchors) })
        for document in documents {
            let directory = (document.path as NSString).deletingLastPathComponent
            for link in document.links where !link.target.contains("://") && !link.target.hasPrefix("mailto:") {
                let parts = link.target.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).map(
                    String.init)
                let file = parts[0].isEmpty ? document.path : Self.normalized(directory + "/" + parts[0])
                guard FileManager.default.fileExists(atPath: Self.root + "/" + file) else {
                    Issue.record("\(document.path):\(link.line): \(link.target): no file \(file)")
                    continue
                }
                if parts.count == 2, file.hasSuffix(".md"), anchors[file]?.contains(parts[1]) != true {
                    Issue.record("\(document.path):\(link.line): \(link.target): \(file) has no heading #\(parts[1])")
                }
            }
        }
    }

    /// `docs/../README.md` → `README.md`, `docs/decisions/` → `docs/decisions`.
    static func normalized(_ path: String) -> String {
        var kept: [Substring] = []
        for part in path.split(separator: "/") where part != "." {
            if part == "..", !kept.isEmpty { kept.removeLast() } else { kept.append(part) }
        }
        return kept.joined(separator: "/")
    }

    // MARK: - Loading a block as what its marker says

    static let defaultModel: JSONValue = .object(["command": .array([.string("python3"), .string("model.py")])])
    static let defaultSuites: JSONValue = .object(["s": .object(["cases": .string("cases/s.jsonl")])])

    static func load(_ text: String, as marker: String, place: String) throws {
        let words = marker.split(separator: " ").map(String.init)
        switch words.first ?? "" {
        case "config":
            _ = try EvalConfig.parse(ConfigSource(displayPath: place, text: text))
        case "config-fragment":
            let whole = text.trimmingCharacters(in: .whitespacesAndNewlines).hasPrefix("{")
            var members = try object(whole ? text : "{\n" + text + "\n}", place: place)
            if members["suites"] == nil { members["suites"] = defaultSuites }
            if members["model"] == nil { members["model"] = defaultModel }
            try parseConfig(.object(members), place: place)
        case "suite-fragment":
            var suite = try object("{\n" + text + "\n}", place: place)
            suite["cases"] = suite["cases"] ?? .string("cases/s.jsonl")
            try parseConfig(.object(["model": defaultModel, "suites": .object(["s": .object(suite)])]), place: place)
        case "openai-fragment":
            var model = try object("{\n" + text + "\n}", place: place)
            model["provider"] = .string("openai")
            model["model"] = model["model"] ?? .string("gpt-4o-mini")
            try parseConfig(.object(["model": .object(model), "suites": defaultSuites]), place: place)
        case "model":
            let model = try ConfigNode.parse(ConfigSource(displayPath: place, text: text)).value
            try parseConfig(.object(["model": model, "suites": defaultSuites]), place: place)
        case "prices":
            _ = try PriceTable.parse(ConfigSource(displayPath: place, text: text))
        case "cases":
            let scorerName = words.count > 1 ? words[1] : "exact"
            let scorer = try Scorer(
                node: ConfigNode(value: .string(scorerName), source: ConfigSource(displayPath: place, text: "")))
            _ = try CaseFile.parse(Array(text.utf8), displayPath: place, scorer: scorer)
        case "json":
            _ = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
        case "skip:":
            guard words.count > 1 else { throw EvalGuardError("a skipped example says why it is skipped") }
        default:
            throw EvalGuardError("unknown example kind '\(marker)'")
        }
    }

    static func object(_ text: String, place: String) throws -> [String: JSONValue] {
        guard case .object(let members) = try ConfigNode.parse(ConfigSource(displayPath: place, text: text)).value
        else {
            throw EvalGuardError("not an object")
        }
        return members
    }

    static func parseConfig(_ value: JSONValue, place: String) throws {
        let config = try EvalConfig.parse(
            root: ConfigNode(value: value, source: ConfigSource(displayPath: place, text: "")))
        for name in config.variantNames { _ = try config.variant(name) }
    }

    // MARK: - Command lines

    /// Words that may come before `evalguard` in a command position: a YAML list item or key,
    /// `git bisect run`.
    static let leaders: Set = ["-", "run:", "entry:", "script:", "git", "bisect", "run"]

    /// The arguments after `evalguard` when the words run evalguard (`evalguard`, or a path to a
    /// build of it), else nil.
    static func evalguardArguments(_ words: [String]) -> [String]? {
        guard let index = words.firstIndex(where: { $0 == "evalguard" || $0.hasSuffix("/evalguard") }),
            words[..<index].allSatisfy(leaders.contains)
        else { return nil }
        return Array(words[(index + 1)...])
    }

    static let actions = ["cases": ["import", "add"], "judge": ["calibrate"], "hook": ["pre-push"]]

    /// What is wrong with the command line, as evalguard's own parser would say, or nil.
    static func parseProblem(_ arguments: [String]) -> String? {
        do {
            guard
                case .parsed(let global) = try ArgumentParser.parse(
                    arguments, spec: CLI.rootSpec, stopAtFirstPositional: true)
            else {
                return nil
            }
            if global.flag("version") { return nil }
            guard let name = global.remaining.first else { return "no command" }
            var rest = Array(global.remaining.dropFirst())
            if name == "help" {
                guard let topic = rest.first else { return nil }
                return CLI.commands.contains { $0.spec.name == topic } ? nil : "no command '\(topic)'"
            }
            guard let command = CLI.commands.first(where: { $0.spec.name == name }) else {
                return "no command '\(name)'"
            }
            rest = rest.map { $0.replacingOccurrences(of: "${{ ", with: "").replacingOccurrences(of: " }}", with: "") }
            guard case .parsed(let parsed) = try ArgumentParser.parse(rest, spec: command.spec) else { return nil }
            if let allowed = actions[name], let action = parsed.positionals.first, !allowed.contains(action) {
                return "no action '\(action)' (\(allowed.joined(separator: ", ")))"
            }
            return nil
        } catch {
            return error.message
        }
    }
}
