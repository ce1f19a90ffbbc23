import EvalGuardSupport
import FoundationEssentials

/// A subcommand: its table (which both parses and prints help) and what it does.
///
/// `run` returns the exit code for its verdict and throws for everything else:
/// `UsageError` for a bad combination of arguments (printed with the usage line, exit 2),
/// `EvalGuardError` for anything the user can act on (its own exit code). `CLI` catches all.
package protocol Command: SendableMetatype {
    static var spec: CommandSpec { get }
    static func run(_ arguments: ParsedArguments, _ context: CommandContext) throws -> ExitCode
}

/// What every command is given, built once by `CLI`.
package struct CommandContext: Sendable {
    package let console: Console
    /// Absolute; where evalguard was started, or the directory named by `-C`. Commands resolve
    /// relative paths against it: the process's own working directory is never changed, so
    /// several commands can run in one process (tests) without stepping on each other.
    package let workingDirectory: String
    package let environment: [String: String]
    /// All of standard input (git hooks receive their arguments there); tests pass their own.
    package var readStandardInput: @Sendable () -> String = {
        String(decoding: readAllBytes(0), as: UTF8.self)
    }

    package init(console: Console, workingDirectory: String, environment: [String: String]) {
        self.console = console
        self.workingDirectory = workingDirectory
        self.environment = environment
    }
}
