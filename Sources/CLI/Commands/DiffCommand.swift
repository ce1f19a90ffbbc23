import EvalGuardEvaluation
import EvalGuardGit
import EvalGuardReport
import EvalGuardSupport

/// `evalguard diff A B`: two commits' results compared case by case.
struct DiffCommand: Command {
    static let spec = CommandSpec(
        name: "diff",
        abstract: "Compare two commits' results case by case.",
        discussion: """
            Compares the results of two commits: every metric and its change, the cases that \
            flipped (pass → fail and fail → pass, with input, expected and actual output), and the \
            quantiles of the latency and cost distributions side by side. Stored results are used \
            (files, notes, or the same evaluation key); a commit without one is evaluated in an \
            isolated checkout and stored. Exits 0 unless something fails (2 usage, 3 evaluation).
            """,
        options: [
            .option("suite", value: "suite", help: "Only this suite (default: every suite)."),
            OutputFormat.option,
        ],
        arguments: [
            PositionalSpec(name: "a", help: "The earlier commit."),
            PositionalSpec(name: "b", help: "The later commit."),
        ])

    static func run(_ arguments: ParsedArguments, _ context: CommandContext) throws -> ExitCode {
        let format = try OutputFormat(arguments)
        let repository = try Repository.discover(from: context.workingDirectory)
        let evaluator = Evaluator(repository: repository)
        let revisions = [try arguments.requiredPositional("a"), try arguments.requiredPositional("b")]
        let shas = try revisions.map(repository.resolveCommit)
        let evaluations = try shas.map { sha in
            try evaluator.evaluate(.commit(sha), progress: context.progressReporter())
        }
        let suites = arguments.value("suite").map { Set([$0]) }
        let flips = CaseFlips.between(
            before: evaluations[0].result, after: evaluations[1].result, suites: suites,
            repository: repository, config: evaluations[1].config, at: shas[1])
        let labels = try zip(revisions, shas).map { revision, sha in
            let info = try repository.commitInfo(sha)
            return "\(revision) (\(info.shortSHA) \(Format.clip(info.subject, 40)))"
        }
        let report = DiffReport(
            a: evaluations[0].result, b: evaluations[1].result, labelA: labels[0], labelB: labels[1],
            suites: suites, broke: flips.broke, fixed: flips.fixed)
        switch format {
        case .json: context.printJSON(report.json())
        case .text, .markdown: context.console.out(report.text(), terminator: "")
        }
        return .pass
    }
}
