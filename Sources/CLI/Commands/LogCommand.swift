import EvalGuardGit
import EvalGuardHistory
import EvalGuardReport
import EvalGuardSupport

/// `evalguard log`: stored results along the first-parent history, with a sparkline per metric.
struct LogCommand: Command {
    static let spec = CommandSpec(
        name: "log",
        abstract: "Show the stored results of first-parent history, one line per commit.",
        discussion: """
            Walks the first-parent history from <rev> (default HEAD) and prints one line per commit \
            that has a stored result (its own, or one stored under the same evaluation key): short \
            sha, date, subject, accuracy, p95 latency and average cost, with a mark where \
            .evals/baseline.json changed, then a sparkline per metric over the range. Runs no model.
            """,
        options: [
            .option("max-count", short: "n", value: "n", help: "Walk at most this many commits.", defaultValue: "50"),
            .option("suite", value: "suite", help: "Show this suite's figures (default: overall)."),
            OutputFormat.option,
        ],
        arguments: [PositionalSpec(name: "rev", help: "Where to start (default: HEAD).", optional: true)])

    static func run(_ arguments: ParsedArguments, _ context: CommandContext) throws -> ExitCode {
        let format = try OutputFormat(arguments)
        let limit = try arguments.int("max-count") ?? 50
        guard limit > 0 else {
            throw UsageError("The value '\(limit)' is invalid for '-n, --max-count <n>': expected 1 or more")
        }
        let repository = try Repository.discover(from: context.workingDirectory)
        let (entries, cutAt) = try Repository.withoutObjectCache {
            try Repository.withoutHashVerification {
                // Overall figures are read without walking the suites (and their cases).
                try ResultLog.history(
                    repository, from: arguments.positional("rev") ?? "HEAD", limit: limit,
                    suites: arguments.value("suite") != nil)
            }
        }
        let report = LogReport(entries: entries, suite: arguments.value("suite"))
        if let cutAt {
            context.console.err(
                "note: history is cut at \(cutAt.prefix(7)): this is a shallow clone and older commits are not in it.\n"
                    + "  Fetch more with 'git fetch --deepen=100' (or all of it with 'git fetch --unshallow').")
        }
        switch format {
        case .json: context.printJSON(report.json())
        case .text, .markdown: context.console.out(report.text(), terminator: "")
        }
        return .pass
    }
}
