/// `evalguard run`: evaluate the working tree (or a commit) and store the result.
struct RunCommand: Command {
    static let spec = CommandSpec(
        name: "run",
        abstract: "Run the model over every case and store the result for HEAD (or a commit).",
        discussion: """
            Runs the model configured in .evals/evalguard.json over every case of every suite, \
            prints a summary per suite, and writes .evals/results/<commit>.json. When the working \
            tree differs from HEAD in anything the model depends on, the result is marked dirty. \
            With --commit, the commit's own configuration and cases run in an isolated checkout: \
            the working tree, index and HEAD are not touched.
            """,
        options: [
            .option("commit", value: "rev", help: "Evaluate this commit instead of the working tree."),
            RepeatOption.option,
            OutputFormat.option,
        ])

    static func run(_ arguments: ParsedArguments, _ context: CommandContext) throws -> ExitCode {
        let format = try OutputFormat(arguments)
        let result: RunResult, label: String, store: ResultStore
        if let revision = arguments.value("commit") {
            let repository = try Repository.discover(from: context.workingDirectory)
            let evaluator = CommitEvaluator(repository: repository)
            result = try evaluator.evaluate(try repository.resolveCommit(revision), fresh: true, progress: context.progressReporter()).result
            label = "commit \(result.commit.prefix(7)) (evaluated in an isolated checkout)"
            store = evaluator.store
        } else {
            let workspace = try Workspace(directory: context.workingDirectory)
            result = try workspace.evaluateWorkingTree(fresh: true, repeats: try RepeatOption.value(arguments),
                                                       progress: context.progressReporter()).result
            let dirty = result.dirty ? " (dirty: \(result.dirtyPaths?.count ?? 0) changed file(s))" : ""
            label = context.describe(workspace.head) + dirty
            store = workspace.store
        }
        switch format {
        case .text:
            context.console.out(RunSummary.render(result), terminator: "")
            context.console.err("wrote \(store.displayPath(for: result.commit)) for \(label)")
        case .json, .markdown:
            context.printJSON(try RunSummary.json(result))
        }
        return .pass
    }
}
