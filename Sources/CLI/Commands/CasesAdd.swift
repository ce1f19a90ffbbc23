import EvalGuardImport
import EvalGuardSupport
import FoundationEssentials

/// `evalguard cases add --from FILE`: production records (JSON Lines, OTLP JSON spans) as cases.
/// Records are filtered (`--where`), rewritten (`--redact`), made cases, checked against the
/// case file (ids, `--dedupe`, the suite's scorer), then sampled (`--sample`): every step before
/// the one write, so a failure leaves every file as it was.
enum CasesAdd {
    static func run(_ arguments: ParsedArguments, _ context: CommandContext, _ destination: CaseDestination) throws
        -> ExitCode
    {
        guard let from = arguments.value("from") else {
            throw UsageError("'evalguard cases add' needs --from FILE: a JSON Lines log or an OTLP JSON export.")
        }
        if arguments.positional("format") != nil {
            throw UsageError("'evalguard cases add' takes no FORMAT or FILE: name the file with --from.")
        }
        let conditions = try arguments.values("where").map { text in
            guard let c = ProductionRecords.Condition(text) else {
                throw UsageError(
                    "Invalid value '\(text)' for '--where <field=value>': expected FIELD=VALUE, for example model=gpt-4o."
                )
            }
            return c
        }
        let sample = try arguments.int("sample")
        if let sample, sample < 1 {
            throw UsageError(
                "Invalid value '\(sample)' for '--sample <n>': expected a whole number of cases, 1 or more.")
        }
        let label = arguments.value("label")
        let labelPath = label.map(context.absolute)
        if let label, let labelPath, FileManager.default.fileExists(atPath: labelPath) {
            throw EvalGuardError(
                "\(label) already exists: a labelling file may hold verdicts a person wrote",
                hint: "Name a new file with --label, or move the old one away.")
        }

        let read = try ProductionRecords.read(
            try context.readText(context.absolute(from), display: from), display: from)
        var records = read.filter { r in conditions.allSatisfy { $0.holds(for: r.value) } }
        let filtered = read.count - records.count
        if let redact = arguments.value("redact") {
            let command = redact.split(separator: " ").map(String.init)
            records = try Redaction.run(command, records: records, directory: context.workingDirectory)
        }
        let made = ProductionRecords.cases(
            records, inputField: arguments.value("input-field") ?? "input",
            outputField: arguments.value("output-field") ?? "output",
            expectedField: arguments.value("expected-from"))
        let target = try destination.target()
        var (new, present, rejected) = target.select(made.cases, dedupe: arguments.flag("dedupe"))
        var notDrawn = 0
        if let sample, new.count > sample {
            notDrawn = new.count - sample
            new = seededSample(new, count: sample, seed: arguments.value("seed") ?? "0")
        }
        if let labelPath, !new.isEmpty {
            try AtomicFile.writeOutput(new.map { $0.labelLine + "\n" }.joined(), to: labelPath)
        }
        do {
            try target.append(new)
        } catch {
            // The labelling file names cases that were not written: it goes too.
            if let labelPath { try? FileManager.default.removeItem(atPath: labelPath) }
            throw error
        }
        var out = destination.summary(written: new, present: present, skipped: made.skipped + rejected)
        if filtered > 0 { out += "left out by --where: \(filtered) record(s)\n" }
        if let sample, notDrawn > 0 {
            out +=
                "left out by --sample \(sample): \(notDrawn) new case(s) not drawn (seed \(arguments.value("seed") ?? "0"))\n"
        }
        if let label = arguments.value("label"), !new.isEmpty {
            out +=
                "wrote \(new.count) case(s) to label to \(label): set each \"human\" to \"pass\" or \"fail\" (see docs/cases.md)\n"
        }
        // Tool calls are scored by the tool-call scorer; answers without an expected one by a judge.
        let scorer =
            arguments.value("expected-from") == nil
            ? "{\"type\": \"judge\", \"judge\": \"grader\", \"rubric\": \"...\"}"
            : new.contains { $0.expected?["tool_calls"] != nil } ? "{\"type\": \"tool-call\"}" : "\"exact\""
        out += destination.suiteAdvice(scorer: scorer, hasCases: !new.isEmpty || present > 0)
        context.console.out(out, terminator: "")
        return .pass
    }
}
