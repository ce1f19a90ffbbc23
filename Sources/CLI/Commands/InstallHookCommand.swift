import EvalGuardGate
import EvalGuardGit
import EvalGuardSupport
import FoundationEssentials

/// `evalguard install-hook`: install the pre-push hook where git will run it.
struct InstallHookCommand: Command {
    static let spec = CommandSpec(
        name: "install-hook",
        abstract: "Install the pre-push hook that blocks pushes which regress.",
        discussion: """
            Writes the hook into the directory git runs hooks from (core.hooksPath when set, else \
            .git/hooks). An existing pre-push hook is kept: it is renamed pre-push.before-evalguard \
            and runs first. --force replaces it instead. With --sync, a push whose check passes first \
            pushes the stored results (evalguard sync REMOTE) to the same remote, before git pushes the \
            branch: git has no post-push hook; a failed sync is reported and does not stop the push.
            """,
        options: [
            .flag("force", help: "Replace an existing pre-push hook instead of chaining it."),
            .flag("sync", help: "Also sync the stored results with the remote on each push that passes."),
        ])

    static func run(_ arguments: ParsedArguments, _ context: CommandContext) throws -> ExitCode {
        let repository = try Repository.discover(from: context.workingDirectory)
        let evalguard = runningExecutable() ?? "evalguard"
        switch try HookInstaller.install(
            in: repository, evalguard: evalguard, force: arguments.flag("force"), sync: arguments.flag("sync"))
        {
        case .installed(let path): context.console.out("installed the pre-push hook: \(path)")
        case .updated(let path): context.console.out("updated the pre-push hook: \(path)")
        case .replaced(let path): context.console.out("replaced the existing pre-push hook: \(path)")
        case .chained(let path, let previous):
            context.console.out(
                "installed the pre-push hook: \(path)\nkept your existing hook as \(previous); it runs first")
        }
        context.console.out("A push that regresses is now blocked. To push anyway, once: git push --no-verify")
        if arguments.flag("sync") {
            context.console.out(
                "A push that passes also syncs the stored results (refs/notes/evalguard) with its remote.")
        }
        return .pass
    }

    /// The absolute path of this evalguard, so the hook finds it even where PATH lacks it
    /// (git runs hooks with the environment of whoever pushes: an IDE, a GUI client).
    static func runningExecutable() -> String? {
        if let resolved = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"),
            resolved.hasPrefix("/")
        {
            return resolved
        }
        let argument = CommandLine.arguments[0]
        guard argument.contains("/") else { return nil }
        return URL(fileURLWithPath: argument).standardizedFileURL.resolvingSymlinksInPath().path
    }
}
