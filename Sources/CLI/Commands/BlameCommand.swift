import EvalGuardBlame
import EvalGuardConfig
import EvalGuardGit
import EvalGuardReport
import EvalGuardSupport

/// `evalguard blame`: the commit that caused a regression, found with as few model runs as possible.
struct BlameCommand: Command {
    static let spec = CommandSpec(
        name: "blame",
        abstract: "Find the commit that caused a regression, with as few model runs as possible.",
        discussion: """
            Searches the first-parent history between a good and a bad commit. Stored results \
            (files, then git notes) are used first, at no cost; commits with the same evaluation \
            key share one result, so the search runs over distinct keys; what remains is bisected, \
            each probe evaluated in an isolated checkout and stored, so the same search again runs \
            no model. A probe sides with the good or the bad end case by case; one within noise is \
            evaluated again (--retries) and reported as uncertain if it stays so. A commit that \
            cannot be evaluated is skipped. --good defaults to the most recent first-parent ancestor \
            whose stored result has no gated metric beyond its threshold against the baseline \
            committed at --bad (a drop within noise counts), else the commit that last changed \
            .evals/baseline.json. With --suite, only commits that change that suite's inputs are \
            told apart, and probes evaluate that suite alone. Exits 0 when the regression was located, 1 when the range \
            holds none, 2 on bad usage, 3 when an end could not be evaluated.
            """,
        options: [
            .option(
                "suite", value: "suite",
                help: "Only this suite: its inputs alone tell commits apart (default: every suite)."),
            .option(
                "metric", value: "metric",
                help:
                    "accuracy, p95_latency_ms, avg_cost_usd, mean_score or avg_steps (default: the first that regressed)."
            ),
            .option("good", value: "rev", help: "A commit known to be good (default: see above)."),
            .option("bad", value: "rev", help: "A commit known to be bad.", defaultValue: "HEAD"),
            .option(
                "retries", value: "n", help: "Evaluate a probe within noise again this many times.", defaultValue: "1"),
            .option("html", value: "file", help: "Also write the answer as a self-contained HTML page."),
            .flag(
                "full-probes",
                help: "Evaluate every case of every probe, not only the cases that differ between the ends."),
            OutputFormat.option,
        ])

    static func run(_ arguments: ParsedArguments, _ context: CommandContext) throws -> ExitCode {
        let format = try OutputFormat(arguments)
        var options = BlameOptions(
            suite: arguments.value("suite"), good: arguments.value("good"),
            bad: arguments.value("bad") ?? "HEAD", retries: try arguments.int("retries") ?? 1)
        options.partialProbes = !arguments.flag("full-probes")
        guard options.retries >= 0 else {
            throw UsageError("The value '\(options.retries)' is invalid for '--retries <n>': expected 0 or more")
        }
        if let raw = arguments.value("metric") {
            guard let metric = GatedMetric(rawValue: raw) else {
                throw UsageError(
                    "Invalid value '\(raw)' for '--metric': expected accuracy, p95_latency_ms, avg_cost_usd, mean_score or avg_steps."
                )
            }
            options.metric = metric
        }
        let repository = try Repository.discover(from: context.workingDirectory)
        let console = context.console
        let answer = try Repository.withoutObjectCache {
            try Repository.withoutHashVerification {
                // Progress lines are for someone watching; in a CI log or a pipe they are noise.
                try Blame(
                    repository: repository, options: options, log: { console.err($0) },
                    progress: { if console.isStderrTerminal { console.err($0) } }
                ).run()
            }
        }
        if let path = arguments.value("html") {
            var page = BlameHTML(answer: answer)
            page.generator = "evalguard \(EvalGuardVersion.current)"
            try AtomicFile.writeOutput(page.render(), to: CICommand.absolute(path, context))
            console.err("wrote \(path)")
        }
        let report = BlameReport(answer: answer)
        switch format {
        case .json: context.printJSON(report.json())
        case .text, .markdown: console.out(report.text(), terminator: "")
        }
        return answer.exitCode
    }
}
