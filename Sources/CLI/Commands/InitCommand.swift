import EvalGuardConfig
import EvalGuardGit
import EvalGuardSupport
import FoundationEssentials

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `evalguard init`: write a starter `.evals/` that runs as it is.
struct InitCommand: Command {
    static let spec = CommandSpec(
        name: "init",
        abstract: "Create .evals/ with a configuration, an example suite and an example model.",
        discussion: """
            Writes .evals/evalguard.json (commented: every setting and its default), \
            .evals/cases/example.jsonl, .evals/example_model.py and .evals/.gitignore (which keeps \
            results/ out of git). Refuses to touch an existing .evals/.
            """)

    static func run(_ arguments: ParsedArguments, _ context: CommandContext) throws -> ExitCode {
        let repository = try Repository.discover(from: context.workingDirectory)
        let directory = repository.root + "/" + EvalConfig.directory
        if FileManager.default.fileExists(atPath: directory) {
            throw EvalGuardError(
                "\(EvalConfig.directory)/ already exists in \(repository.root); evalguard init does not overwrite it",
                hint: "Edit \(EvalConfig.path) instead, or move .evals/ away and run 'evalguard init' again.")
        }
        for (path, text) in InitTemplates.files {
            try AtomicFile.write(text, to: repository.root + "/" + path)
        }
        // May be ignored: the configuration runs it through python3; the bit is a convenience.
        _ = chmod(repository.root + "/.evals/example_model.py", 0o755)
        context.console.out(
            """
            created \(EvalConfig.directory)/ in \(repository.root):
            \(InitTemplates.files.map { "  " + $0.0 }.joined(separator: "\n"))
            Next (this works before the first commit, too):
              evalguard run         # run the model over the cases
              evalguard baseline    # record the result as the baseline
              git add .evals && git commit -m "Add evalguard evals and baseline"
              evalguard check       # later: compare your changes with the baseline
            """)
        return .pass
    }
}
