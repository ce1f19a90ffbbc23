import EvalGuardRunner
import EvalGuardSupport
import FoundationEssentials

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// evalguard's command line: `run(arguments:)` parses, dispatches and maps every error to an
/// exit code, so nothing escapes to the top level.
public enum CLI {
    /// The subcommands, in the order `evalguard --help` lists them.
    package static let commands: [any Command.Type] = [
        InitCommand.self, RunCommand.self, BaselineCommand.self, CheckCommand.self,
        CICommand.self, MergeCommand.self, InstallHookCommand.self, HookCommand.self, BlameCommand.self,
        LogCommand.self, DiffCommand.self, CompareCommand.self, ReportCommand.self,
        SyncCommand.self, JudgeCommand.self, CasesCommand.self,
    ]

    /// Global options, read before the subcommand.
    static let rootSpec = CommandSpec(
        name: "evalguard",
        abstract: "A git-integrated regression guard for AI features.",
        discussion: """
            Exit status: 0 pass, 1 regression, 2 bad usage, configuration or input,
            3 could not evaluate. With --bisect: 0 good, 1 bad, 125 skip this commit.
            """,
        options: [
            OptionSpec(
                long: "", short: "C", valueName: "dir",
                help: "Run as if evalguard was started in <dir>. Several -C options each apply to the previous one.",
                repeating: true),
            .flag("version", help: "Show the version."),
        ])

    static let toolName = "evalguard"

    /// Runs evalguard on the process's stdout, stderr, environment and working directory.
    /// Signal handling is process-wide, so it is set up here, once, and nowhere else.
    public static func run(arguments: [String]) -> Int32 {
        let environment = processEnvironment()
        let console = Console.standard(environment: environment)
        do {
            try Interrupts.install()
        } catch {
            console.err("error: cannot set up the Ctrl-C handler: \(error)")
            return ExitCode.couldNotEvaluate.rawValue
        }
        return run(arguments: arguments, console: console, environment: environment)
    }

    /// Runs evalguard in-process. `workingDirectory` defaults to the process's; `commands`
    /// to `CLI.commands`. Returns the exit code, with the console's stdout flushed.
    package static func run(
        arguments: [String], console: Console, environment: [String: String],
        workingDirectory: String? = nil, commands: [any Command.Type]? = nil,
        standardInput: (@Sendable () -> String)? = nil
    ) -> Int32 {
        defer { console.flush() }
        let commands = commands ?? Self.commands
        let subcommandSpecs = commands.map { $0.spec }
        // Only when shown: `--version` and every command start faster without it.
        func rootHelp() -> String { Help.text(for: rootSpec, path: toolName, subcommands: subcommandSpecs) }

        func rootUsageError(_ message: String) -> ExitCode {
            console.err(
                Help.usageError(
                    UsageError(message), spec: rootSpec, path: toolName,
                    hasSubcommands: true), terminator: "")
            return .usage
        }

        func find(_ name: String) -> (any Command.Type)? {
            commands.first { $0.spec.name == name }
        }

        func unknownSubcommand(_ name: String) -> ExitCode {
            var message = "Unknown subcommand '\(name)'"
            let candidates = subcommandSpecs.map(\.name) + ["help"]
            if let suggestion = Suggestion.closest(to: name, among: candidates) {
                message += ". Did you mean '\(suggestion)'?"
            }
            return rootUsageError(message)
        }

        let global: ParsedArguments
        do throws(UsageError) {
            switch try ArgumentParser.parse(arguments, spec: rootSpec, stopAtFirstPositional: true) {
            case .help:
                console.out(rootHelp(), terminator: "")
                return ExitCode.pass.rawValue
            case .parsed(let parsed):
                global = parsed
            }
        } catch {
            return rootUsageError(error.message).rawValue
        }
        if global.flag("version") {
            console.out("\(toolName) \(EvalGuardVersion.current)")
            return ExitCode.pass.rawValue
        }

        var directory = workingDirectory ?? FileManager.default.currentDirectoryPath
        for path in global.values("C") {
            do {
                directory = try changeDirectory(path, from: directory)
            } catch {
                console.err(error.description)
                return error.exitCode.rawValue
            }
        }

        guard let name = global.remaining.first else {
            // Asked for nothing: the help, but as a mistake (stderr, exit 2), so a script
            // that lost its subcommand does not pass silently.
            console.err(rootHelp(), terminator: "")
            return ExitCode.usage.rawValue
        }
        let rest = Array(global.remaining.dropFirst())

        if name == "help" {
            guard let topic = rest.first else {
                console.out(rootHelp(), terminator: "")
                return ExitCode.pass.rawValue
            }
            guard let command = find(topic) else { return unknownSubcommand(topic).rawValue }
            guard rest.count == 1 else { return rootUsageError("Unexpected argument '\(rest[1])'").rawValue }
            console.out(Help.text(for: command.spec, path: "\(toolName) \(topic)"), terminator: "")
            return ExitCode.pass.rawValue
        }
        guard let command = find(name) else { return unknownSubcommand(name).rawValue }

        var context = CommandContext(console: console, workingDirectory: directory, environment: environment)
        if let standardInput { context.readStandardInput = standardInput }
        let warnings = StoredInputWarnings { console.err("warning: " + $0) }
        let status = StoredInputWarnings.$current.withValue(warnings) { run(command, rest, context).rawValue }
        let traces = (environment["EVALGUARD_TRACE"] ?? "").split(separator: ",")
        if traces.contains("decode") { console.err(DecodeTrace.summary) }
        if traces.contains("status") { console.err(DecodeTrace.statusSummary) }
        if traces.contains("plan") { console.err(DecodeTrace.planSummary) }
        return status
    }

    /// Parses a subcommand's arguments and runs it, turning every error into an exit code.
    static func run(_ command: any Command.Type, _ arguments: [String], _ context: CommandContext) -> ExitCode {
        let spec = command.spec
        let path = "\(toolName) \(spec.name)"
        let console = context.console
        do {
            switch try ArgumentParser.parse(arguments, spec: spec) {
            case .help:
                console.out(Help.text(for: spec, path: path), terminator: "")
                return .pass
            case .parsed(let parsed):
                return try command.run(parsed, context)
            }
        } catch let error as UsageError {
            console.err(Help.usageError(error, spec: spec, path: path), terminator: "")
            return .usage
        } catch {
            console.err(describe(error))
            return ExitCode.of(error)
        }
    }

    /// How an error a command threw is printed on stderr.
    static func describe(_ error: any Error) -> String {
        if let error = error as? EvalGuardError { return error.description }
        let message = (error as? LocalizedError)?.errorDescription ?? String(describing: error)
        return "error: \(message)"
    }

    /// `-C <dir>` as git does it: relative to the directory so far, which must exist.
    /// Returns the canonical absolute path (symbolic links resolved, as `chdir` would).
    static func changeDirectory(_ path: String, from base: String) throws(EvalGuardError) -> String {
        let joined = path.hasPrefix("/") ? path : base + "/" + path
        let resolved: UnsafeMutablePointer<CChar>
        do {
            resolved = try syscallPointer("realpath") { realpath(joined, nil) }
        } catch {
            throw EvalGuardError("cannot change to '\(path)': \(error.reason)")
        }
        defer { free(resolved) }
        let result = String(cString: resolved)
        var isDirectory = false
        guard FileManager.default.fileExists(atPath: result, isDirectory: &isDirectory), isDirectory else {
            throw EvalGuardError("cannot change to '\(path)': Not a directory")
        }
        return result
    }
}
