import EvalGuardCompare
import EvalGuardEvaluation
import EvalGuardGate
import EvalGuardReport
import EvalGuardStore
import EvalGuardSupport
import FoundationEssentials

/// `evalguard report`: the comparison of `check`, the history of `log` and the flipped cases,
/// as one self-contained HTML page.
struct ReportCommand: Command {
    static let spec = CommandSpec(
        name: "report",
        abstract: "Write one self-contained HTML page: the verdict, the history and the flipped cases.",
        discussion: """
            Evaluates the working tree like 'check' (reusing the stored result when nothing the model \
            depends on changed), compares it with the baseline committed at <rev>, and writes one \
            HTML file: the verdict table, per suite a chart of accuracy (with its 95% Wilson band), \
            p95 latency and cost per case over the stored results of first-parent history (the \
            last -n commits, or --range A..B), and the cases that flipped, side by side with a word \
            diff. The page needs no network and runs no script: open it from disk or keep it as a CI \
            artifact. Exits like 'check': 0 pass, 1 regression, 2 bad usage or input, 3 could not evaluate.
            """,
        options: [
            .option(
                "against", value: "rev", help: "The commit whose committed baseline to compare with.",
                defaultValue: "HEAD"),
            .option(
                "max-count", short: "n", value: "n", help: "History: walk at most this many first-parent commits.",
                defaultValue: "200"),
            .option("range", value: "A..B", help: "History: the first-parent commits after A up to B, instead of -n."),
            .option(
                "output", short: "o", value: "file", help: "Where to write the page.",
                defaultValue: "evalguard-report.html"),
            .flag("fresh", help: "Run the model even when a result for the same inputs is stored."),
        ])

    static func run(_ arguments: ParsedArguments, _ context: CommandContext) throws -> ExitCode {
        let window = try HistoryWindow(arguments)
        let against = arguments.value("against") ?? "HEAD"
        let workspace = try Workspace(directory: context.workingDirectory, environment: context.environment)
        let (baseline, baselineCommit) = try context.committedBaseline(
            in: workspace.repository, at: against, workingCopy: workspace.root)
        let evaluation = try workspace.evaluator.evaluate(
            .workingTree, fresh: arguments.flag("fresh"), progress: context.progressReporter())
        context.sayHowEvaluated(evaluation.result, reused: evaluation.reused, warnings: workspace.warnings)
        let comparison = Gate.compare(
            baseline: baseline, current: evaluation.result, config: workspace.config,
            canAsk: workspace.repository.hasCommit)
        let report = VerdictReport(
            comparison: comparison, current: evaluation.result,
            subject: "\(context.describe(workspace.head))\(evaluation.dirty ? " + uncommitted changes" : "")",
            baselineLabel: "the baseline committed at \(against) (\(baselineCommit.prefix(7)))")
        let path = arguments.value("output") ?? "evalguard-report.html"
        try write(report, baseline: baseline, workspace: workspace, window: window, to: path, context: context)
        context.console.out(report.verdictLines().joined(separator: "\n"))
        context.console.out("Wrote \(path)")
        for line in NoiseWarning.lines(comparison) { context.console.err(line) }
        return comparison.blocks ? .regression : .pass
    }

    /// Which stretch of first-parent history the charts draw: `-n N` from HEAD, or `--range A..B`.
    struct HistoryWindow {
        var tip = "HEAD"
        var stop: String?
        var limit = 200

        init(tip: String = "HEAD", stop: String? = nil, limit: Int = 200) {
            (self.tip, self.stop, self.limit) = (tip, stop, limit)
        }

        init(_ arguments: ParsedArguments) throws {
            if let range = arguments.value("range") {
                guard !arguments.isSet("max-count") else {
                    throw UsageError("--range and -n/--max-count cannot be combined: give one.")
                }
                let ends = range.components(separatedBy: "..")
                guard ends.count == 2, !ends[0].isEmpty, !ends[0].hasPrefix("."), !ends[1].hasPrefix(".") else {
                    throw UsageError(
                        "Invalid value '\(range)' for '--range': expected A..B, two revisions (for example main~50..main)."
                    )
                }
                (tip, stop, limit) = (ends[1].isEmpty ? "HEAD" : ends[1], ends[0], .max)
            } else {
                limit = try arguments.int("max-count") ?? 200
                guard limit > 0 else {
                    throw UsageError("The value '\(limit)' is invalid for '-n, --max-count <n>': expected 1 or more")
                }
            }
        }
    }

    /// Gathers what the page shows around a comparison of the working tree, and writes it
    /// (shared with `ci --html`).
    static func write(
        _ report: VerdictReport, baseline: Baseline, workspace: Workspace, window: HistoryWindow,
        to path: String, context: CommandContext
    ) throws {
        let repository = workspace.repository
        let result = report.current
        let stop = try window.stop.map { try repository.resolveCommit($0) }
        let history = try ReportHistory.load(
            repository, tip: window.tip, limit: window.limit, stop: stop,
            current: result, currentCommit: workspace.head.commit)
        let cases = Evaluation.cases(
            workspace.config, repository: repository, commit: result.dirty ? nil : result.commit)
        let flips = ReportFlip.of(
            report.comparison, cases: cases,
            baselineResult: ReportFlip.baselineResult(baseline, repository: repository))
        var page = HTMLReport(verdict: report, history: history, flips: flips)
        page.generator = "evalguard \(EvalGuardVersion.current)"
        try AtomicFile.writeOutput(page.render(), to: CICommand.absolute(path, context))
    }

    /// The markdown summary's pointer to the page: where it was written and, on GitHub Actions
    /// and GitLab CI, a link to where the CI system keeps it once it is uploaded as an artifact.
    static func artifactNote(_ path: String, environment: [String: String]) -> String {
        var note =
            "\nThe HTML report (verdict, history charts, flipped cases side by side) is `\(path.replacingText("`", with: "'"))`"
        if let server = environment["GITHUB_SERVER_URL"], let repository = environment["GITHUB_REPOSITORY"],
            let run = environment["GITHUB_RUN_ID"], !server.isEmpty, !repository.isEmpty, !run.isEmpty
        {
            note += ": download it from [this run's artifacts](\(server)/\(repository)/actions/runs/\(run)#artifacts)"
        } else if let job = environment["CI_JOB_URL"], !job.isEmpty, !path.hasPrefix("/") {
            note +=
                ": [open it](\(job)/artifacts/file/\(path.split(separator: "/").map { PercentEncoding.encodePath($0) }.joined(separator: "/")))"
        }
        return note + " (keep it as a build artifact).\n"
    }
}
