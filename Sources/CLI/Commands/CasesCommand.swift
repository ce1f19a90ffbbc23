import EvalGuardConfig
import EvalGuardGit
import EvalGuardImport
import EvalGuardReport
import EvalGuardSupport
import FoundationEssentials

/// `evalguard cases import FORMAT FILE` and `evalguard cases add --from FILE`: cases from other
/// tools' test files and from production records, appended to a case file. Nothing is
/// committed and no configuration is changed: the command says what it wrote and skipped.
struct CasesCommand: Command {
    static let importOptions = ["input-column", "expected-column", "id-column", "scorer"]
    static let addOptions = [
        "from", "input-field", "output-field", "expected-from", "where", "sample", "seed", "dedupe", "redact", "label",
    ]

    static let spec = CommandSpec(
        name: "cases",
        abstract: "Import cases from promptfoo, OpenAI Evals, CSV, or production logs and traces.",
        discussion: """
            'evalguard cases import FORMAT FILE' reads promptfoo tests (a promptfooconfig.yaml or a \
            test file), OpenAI Evals samples (openai-evals), or a table (csv, tsv). 'evalguard cases \
            add --from FILE' reads production records: JSON Lines, or OpenTelemetry GenAI spans as \
            OTLP JSON. New cases are appended at once to --to (default: the suite's case file, else \
            .evals/cases/<suite or file name>.jsonl); a case whose id is already there is skipped, so \
            importing again adds nothing. Ids come from the source where it has one, else from a \
            digest of the content. .evals/evalguard.json is never changed: the suite line to add is \
            printed. A bad record stops the command with its line, and nothing is written. See docs/cases.md.
            """,
        options: [
            .option(
                "suite", value: "name",
                help: "The suite the cases are for: its case file and scorer, or the name of a new one."),
            .option("to", value: "file", help: "The case file to append to (from the current directory)."),
            .option(
                "scorer", value: "name",
                help:
                    "import: keep the tests whose assertions map to this scorer (default: the suite's, else the most common)."
            ),
            .option(
                "input-column", value: "name", help: "csv/tsv: the column holding the input.", defaultValue: "input"),
            .option("expected-column", value: "name", help: "csv/tsv: the column holding the expected answer."),
            .option("id-column", value: "name", help: "csv/tsv: the column holding each case's id."),
            .option("from", value: "file", help: "add: the JSON Lines log or OTLP JSON export to read."),
            .option(
                "input-field", value: "path", help: "add: the record's input (a dotted path).", defaultValue: "input"),
            .option(
                "output-field", value: "path",
                help: "add: the answer production gave (a dotted path), shown for labelling.", defaultValue: "output"),
            .option(
                "expected-from", value: "path",
                help: "add: take each case's expected answer from this field (default: none)."),
            .option(
                "where", value: "field=value", help: "add: keep only records whose field has this value (repeatable).",
                repeating: true),
            .option("sample", value: "n", help: "add: keep n of the new cases, drawn by --seed."),
            .option("seed", value: "text", help: "add: the seed of --sample.", defaultValue: "0"),
            .flag("dedupe", help: "add: skip records whose input is already a case's input (by content digest)."),
            .option(
                "redact", value: "program",
                help: "add: a program (argv, split on spaces) that rewrites each record, JSON line in, JSON line out."),
            .option(
                "label", value: "file",
                help:
                    "add: also write the new cases to this new file, with the production answer and \"human\" to fill in."
            ),
        ],
        arguments: [
            PositionalSpec(name: "action", help: "import or add"),
            PositionalSpec(name: "format", help: "import: promptfoo, openai-evals, csv or tsv", optional: true),
            PositionalSpec(name: "file", help: "import: the file to read", optional: true),
        ])

    static func run(_ arguments: ParsedArguments, _ context: CommandContext) throws -> ExitCode {
        let action = arguments.positional("action") ?? ""
        guard action == "import" || action == "add" else {
            throw UsageError(
                "Unknown action '\(action)': 'evalguard cases import FORMAT FILE' or 'evalguard cases add --from FILE'."
            )
        }
        let others = action == "import" ? addOptions : importOptions
        if let misplaced = others.first(where: arguments.isSet) {
            throw UsageError(
                "'--\(misplaced)' applies to 'evalguard cases \(action == "import" ? "add" : "import")', not '\(action)'."
            )
        }
        let destination = try CaseDestination(
            arguments, context,
            stem: arguments.value("to") ?? (action == "import" ? arguments.positional("file") : arguments.value("from"))
        )
        if action == "add" { return try CasesAdd.run(arguments, context, destination) }
        guard let format = arguments.positional("format"), let file = arguments.positional("file") else {
            throw UsageError("'evalguard cases import' needs a FORMAT (promptfoo, openai-evals, csv, tsv) and a FILE.")
        }
        let path = context.absolute(file)
        if let f = arguments.value("scorer"), !Scorer.names.contains(f) {
            throw UsageError("Unknown scorer '\(f)': \(Scorer.names.joined(separator: ", ")).")
        }
        // A table's cases have one shape: the configured suite's scorer checks their expected answers.
        let family =
            format == "csv" || format == "tsv"
            ? nil : arguments.value("scorer") ?? destination.configured.map(ImportScorer.family(of:))
        let read: [ReadTest]
        var skipped: [SkippedCase] = []
        switch format {
        case "promptfoo":
            let r = try PromptfooImport.read(path: path, display: file)
            (read, skipped) = (r.tests, r.skipped)
        case "openai-evals":
            read = OpenAIEvalsImport.unify(
                try OpenAIEvalsImport.read(try context.readText(path, display: file), display: file),
                oneOf: family == "one-of")
        case "csv", "tsv":
            read = try TableImport.read(
                try context.readText(path, display: file), separator: format == "csv" ? "," : "\t", display: file,
                inputColumn: arguments.value("input-column") ?? "input",
                expectedColumn: arguments.value("expected-column"), idColumn: arguments.value("id-column"))
        default:
            let hint =
                Suggestion.closest(to: format, among: ["promptfoo", "openai-evals", "csv", "tsv"]).map {
                    " Did you mean '\($0)'?"
                } ?? ""
            throw UsageError("Unknown format '\(format)': promptfoo, openai-evals, csv or tsv.\(hint)")
        }
        let selection = ImportSelection(read, family: family)
        let target = try destination.target()
        let (new, present, rejected) = target.select(selection.cases, dedupe: false)
        try target.append(new)
        var out = destination.summary(written: new, present: present, skipped: skipped + selection.skipped + rejected)
        // Assertion types, ids and reasons come from the imported file: shown terminal-safe.
        if !selection.mapped.isEmpty {
            out +=
                "assertions mapped: "
                + selection.mapped.map { "\(Format.safe($0.from)) → \($0.to) (\($0.count))" }.joined(separator: ", ")
                + "\n"
        }
        if !selection.notMapped.isEmpty {
            out +=
                "not mapped: "
                + selection.notMapped.map { "\(Format.safe($0.from)) (\($0.count))" }.joined(separator: ", ") + "\n"
        }
        out += destination.suiteAdvice(scorer: selection.scorer?.configText, hasCases: !new.isEmpty || present > 0)
        context.console.out(out, terminator: "")
        return .pass
    }
}

/// Where imported cases go: the repository, the configured suite (if any), the case file.
struct CaseDestination {
    let root: String
    let path: String
    let display: String
    let suite: String
    let configured: Scorer?
    let isConfigured: Bool

    init(_ arguments: ParsedArguments, _ context: CommandContext, stem: String?) throws {
        root = try Repository.discover(from: context.workingDirectory).root
        let config =
            FileManager.default.fileExists(atPath: root + "/" + EvalConfig.path)
            ? try EvalConfig.load(repositoryRoot: root) : nil
        let fileStem = PathText.lastComponent(stem ?? "cases").split(separator: ".").first.map(String.init) ?? "cases"
        let suite = arguments.value("suite") ?? fileStem
        self.suite = suite
        let suiteConfig = config?.suites.first { $0.name == suite }
        if let named = arguments.value("suite"), let config, suiteConfig == nil, arguments.value("to") == nil {
            context.console.err(
                "note: no suite '\(named)' in \(EvalConfig.path) (suites: \(config.suites.map(\.name).joined(separator: ", "))); writing a new case file"
            )
        }
        configured = suiteConfig?.scorer
        isConfigured = suiteConfig != nil
        if let to = arguments.value("to") {
            path = context.absolute(to)
        } else {
            path = root + "/" + (suiteConfig?.casesPath ?? EvalConfig.directory + "/cases/\(suite).jsonl")
        }
        display = path.hasPrefix(root + "/") ? String(path.dropFirst(root.count + 1)) : path
    }

    func target() throws -> CaseTarget { try CaseTarget(path: path, displayPath: display, scorer: configured) }

    func summary(written: [ImportedCase], present: Int, skipped: [SkippedCase]) -> String {
        var out =
            written.isEmpty
            ? "no new cases: \(display) is unchanged\n" : "wrote \(written.count) new case(s) to \(display)\n"
        if present > 0 { out += "already there: \(present) case(s) with the same id\n" }
        if !skipped.isEmpty {
            out += "skipped \(skipped.count):\n"
            for s in skipped { out += "  \(Format.safe(s.source)): \(Format.safe(s.reason))\n" }
        }
        return out
    }

    /// The suite line to paste when the suite is not configured yet (never written for the user).
    func suiteAdvice(scorer: String?, hasCases: Bool) -> String {
        guard !isConfigured, hasCases else { return "" }
        let prefix = EvalConfig.directory + "/"
        let cases = display.hasPrefix(prefix) ? String(display.dropFirst(prefix.count)) : display
        var out = "no suite '\(suite)' in \(EvalConfig.path) yet; add it (evalguard changes no configuration):\n"
        out +=
            "  \(JSONValue.string(suite).canonicalText): {\"cases\": \(JSONValue.string(cases).canonicalText), \"scorer\": \(scorer ?? "\"exact\"")}\n"
        if !display.hasPrefix(prefix) { out += "  (a suite's cases live under .evals/: move the file there)\n" }
        return out
    }
}

extension CommandContext {
    func absolute(_ path: String) -> String { path.hasPrefix("/") ? path : workingDirectory + "/" + path }

    func readText(_ path: String, display: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw EvalGuardError("cannot read \(display)", hint: "Check the path.")
        }
        return try TextBytes.decode(Array(data), displayPath: display)
    }
}
