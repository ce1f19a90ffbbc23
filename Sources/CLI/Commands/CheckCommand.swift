import EvalGuardCompare
import EvalGuardConfig
import EvalGuardEvaluation
import EvalGuardGate
import EvalGuardGit
import EvalGuardReport
import EvalGuardStore
import EvalGuardSupport
import FoundationEssentials

/// `evalguard check`: evaluate the working tree (or a commit) and hold it against a committed baseline.
struct CheckCommand: Command {
    static let spec = CommandSpec(
        name: "check",
        abstract: "Compare the working tree, or a commit, with the baseline committed at a revision.",
        discussion: """
            Evaluates the working tree (reusing the stored result when nothing the model depends \
            on changed) and compares it, suite by suite, with .evals/baseline.json as committed at \
            <rev>, never the working-tree copy. With --commit, evaluates that commit in an isolated \
            checkout instead, and --against defaults to it. A metric beyond its threshold is a \
            regression only when the change is significant (alpha in the configuration, default \
            0.05); otherwise it is inconclusive, which passes with a warning unless on_inconclusive \
            is "fail". Exits 0 when every metric passes, 1 on a regression, 2 on bad usage or input, 3 when the model could not be \
            evaluated. With --bisect, for 'git bisect run': 0 good, 1 bad, 125 cannot evaluate; inside a \
            bisect session (refs/bisect/bad and refs/bisect/good-*) the commit is sided case by case \
            against those ends instead of the baseline, and skipped only when the votes cannot decide.
            """,
        options: [
            .option(
                "against", value: "rev",
                help: "The commit whose committed baseline to compare with (default: HEAD, or the --commit)."),
            .option("commit", value: "rev", help: "Evaluate this commit instead of the working tree."),
            .flag("fresh", help: "Run the model even when a result for the same inputs is stored."),
            GateOptions.suiteOption,
            .flag("bisect", help: "Exit as 'git bisect run' expects: 0 good, 1 bad, 125 cannot evaluate."),
            GateOptions.settleFlag,
            RepeatOption.option,
            BatchOption.flag,
            BatchOption.maxWait,
            ShardOption.option,
            OutputFormat.withMarkdown,
        ])

    static func run(_ arguments: ParsedArguments, _ context: CommandContext) throws -> ExitCode {
        if let shard = try ShardOption.value(arguments) {
            return try ShardOption.run(shard, arguments, context, command: "check")
        }
        guard arguments.flag("bisect") else { return try check(arguments, context).blocks ? .regression : .pass }
        do {
            // Inside a bisect session the cases vote between the ends git bisect knows.
            if let voted = try BisectVotes.exitCode(arguments, context) { return voted }
            // An inconclusive commit is neither good nor bad: let git bisect skip it.
            switch try check(arguments, context).verdict {
            case .regression: return .regression
            case .inconclusive: return .bisectSkip
            case .pass, .skipped: return .pass
            }
        } catch {
            // Only a verdict may say good or bad: anything else skips the commit (see ErrorCategory).
            context.console.err(CLI.describe(error))
            return ExitCode.of(error, bisect: true)
        }
    }

    static func check(_ arguments: ParsedArguments, _ context: CommandContext) throws -> Comparison {
        let options = try GateOptions(arguments, formats: [.text, .json, .markdown], repeating: true)
        let against = arguments.value("against") ?? arguments.value("commit") ?? "HEAD"
        let evaluator: Evaluator
        let request: GateRequest
        let subject: String
        let commit: String
        let rendering = "check " + options.format.rawValue
        if let revision = arguments.value("commit") {
            let repository = try Repository.discover(from: context.workingDirectory)
            commit = try repository.resolveCommit(revision)
            evaluator = Evaluator(repository: repository, environment: context.environment)
            request = options.request(.commit(commit), against: against, cacheParts: [], rendering: rendering)
            subject = "evalguard check: commit \(commit.prefix(7))"
        } else {
            let workspace = try Workspace(directory: context.workingDirectory, environment: context.environment)
            if workspace.head.isUnborn, arguments.value("against") == nil {
                throw EvalGuardError(
                    "the repository has no commits yet, so no baseline is committed to check against",
                    hint:
                        "Record the baseline and commit it:\n  evalguard baseline\n  git add -A\n  git commit -m \"Add evalguard evals and baseline\""
                )
            }
            evaluator = workspace.evaluator
            var tree = options.request(.workingTree, against: against, cacheParts: [], rendering: rendering)
            tree.workingCopy = workspace.root
            (request, commit) = (tree, workspace.head.commit)
            subject = "evalguard check: \(context.describe(workspace.head))"
        }
        // What names the commit and the revision is said anew, also when a kept verdict answers.
        func output(dirty: Bool, baselineCommit: String) -> CheckOutput {
            CheckOutput(
                format: options.format, subject: subject + (dirty ? " + uncommitted changes" : ""),
                baselineLabel: "the baseline committed at \(against) (\(baselineCommit.prefix(7)))",
                named: [
                    "commit": .string(commit), "dirty": .bool(dirty),
                    "baseline": .object(["revision": .string(against), "commit": .string(baselineCommit)]),
                ])
        }
        try BatchOption.apply(arguments, to: evaluator, context, honoursConfigured: false)
        let session = GateSession(
            evaluator: evaluator, say: { context.console.err($0) }, progress: context.progressReporter())
        let run: GateRun
        switch try session.run(request) {
        case .passedBefore(let hit):
            let body = hit.verdict.renderings?[rendering] ?? ""
            context.console.out(
                output(dirty: hit.dirty, baselineCommit: hit.baselineCommit).render(body, verdict: .pass),
                terminator: "")
            return Comparison(suites: [], settings: try evaluator.config(of: request.subject).verdict)
        case .evaluated(let evaluated):
            run = evaluated
        }
        let printed = output(dirty: run.dirty, baselineCommit: run.baselineCommit)
        var report = VerdictReport(
            comparison: run.comparison, current: run.result, subject: printed.subject,
            baselineLabel: printed.baselineLabel)
        report.expected = run.expected
        let body = CheckOutput.body(
            report, format: options.format,
            extra: [
                "result_commit": .string(run.result.commit), "reused_result": .bool(run.reused),
                "reuse": run.result.reuseJSON,
            ])
        context.console.out(printed.render(body, verdict: run.comparison.verdict), terminator: "")
        for line in run.warnings { context.console.err(line) }
        var kept = CachedVerdict(resultCommit: run.result.commit, stdout: "")
        kept.renderings = [rendering: body]
        session.keep(run, kept)
        return run.comparison
    }
}
