/// `evalguard run`: evaluate the working tree and store the result for HEAD.
struct RunCommand: Command {
    static let spec = CommandSpec(
        name: "run",
        abstract: "Run the model over every case and store the result for HEAD.",
        discussion: """
            Runs the model configured in .evals/evalguard.json over every case of every suite, \
            prints a summary per suite, and writes .evals/results/<commit>.json. When the working \
            tree differs from HEAD in anything the model depends on, the result is marked dirty.
            """,
        options: [RepeatOption.option, OutputFormat.option])

    static func run(_ arguments: ParsedArguments, _ context: CommandContext) throws -> ExitCode {
        let format = try OutputFormat(arguments)
        let workspace = try Workspace(directory: context.workingDirectory)
        let repeats = try RepeatOption.value(arguments)
        let result = try workspace.evaluateWorkingTree(fresh: true, repeats: repeats, progress: context.progressReporter()).result
        switch format {
        case .text:
            context.console.out(RunSummary.render(result), terminator: "")
            let dirty = result.dirty ? " (dirty: \(result.dirtyPaths?.count ?? 0) changed file(s))" : ""
            context.console.err("wrote \(workspace.store.displayPath(for: result.commit)) for \(context.describe(workspace.head))\(dirty)")
        case .json, .markdown:
            context.printJSON(try RunSummary.json(result))
        }
        return .pass
    }
}
