import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardCLI
@testable import EvalGuardSupport

/// A command that does what its options say, so every path through `CLI.run` can be reached.
enum ProbeCommand: Command {
    static let spec = CommandSpec(
        name: "check", abstract: "Compare the model against the baseline.",
        options: [
            .option("against", value: "rev", help: "The revision to compare with.", defaultValue: "HEAD"),
            .option("outcome", value: "outcome", help: "What to do: pass, regression, usage, config, crash, other."),
            .option("jobs", short: "j", value: "n", help: "Cases evaluated at once."),
            .flag("show-directory", help: "Print the working directory."),
        ],
        arguments: [PositionalSpec(name: "rev", help: "The commit to check.", optional: true)])

    struct Unexpected: Error, CustomStringConvertible {
        var description: String { "the disk is on fire" }
    }

    static func run(_ arguments: ParsedArguments, _ context: CommandContext) throws -> ExitCode {
        if arguments.flag("show-directory") {
            context.console.out(context.workingDirectory)
            return .pass
        }
        _ = try arguments.int("jobs")
        context.console.out("against \(arguments.value("against") ?? "")")
        switch arguments.value("outcome") {
        case "regression": return .regression
        case "usage": throw UsageError("--outcome usage cannot be used here")
        case "config":
            throw EvalGuardError(
                #"expected an object with "input", found a string"#,
                file: ".evals/cases/intents.jsonl", line: 17, hint: "  fix the case")
        case "crash": throw EvalGuardError.evaluation("the model exited with status 9")
        case "other": throw Unexpected()
        default: return .pass
        }
    }
}

enum BlameProbe: Command {
    static let spec = CommandSpec(name: "blame", abstract: "Find the commit that caused a regression.")
    static func run(_ arguments: ParsedArguments, _ context: CommandContext) throws -> ExitCode { .pass }
}

struct CLIResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

func runCLI(
    _ arguments: [String], workingDirectory: String = "/",
    environment: [String: String] = [:]
) -> CLIResult {
    let (console, captured) = Console.capturing(environment: environment)
    let status = CLI.run(
        arguments: arguments, console: console, environment: environment,
        workingDirectory: workingDirectory, commands: [ProbeCommand.self, BlameProbe.self])
    return CLIResult(status: status, stdout: captured.stdout, stderr: captured.stderr)
}

/// `CLI.run`: how a command is found and its help printed, what each outcome exits with, and `-C`.
@Suite struct CommandDispatchTests {
    @Test func theThreeWaysOfAskingForHelpPrintTheSameOnStdout() {
        let forms = [["help", "check"], ["check", "-h"], ["check", "--help"], ["check", "--against", "x", "-h"]]
        let results = forms.map { runCLI($0) }
        #expect(results.allSatisfy { $0.status == 0 && $0.stderr.isEmpty })
        #expect(Set(results.map(\.stdout)).count == 1)
        #expect(
            results[0].stdout.hasPrefix("OVERVIEW: Compare the model against the baseline.\n\nUSAGE: evalguard check "))
    }

    @Test func topLevelHelpGoesToStdoutWhenAskedAndStderrWhenNothingWasGiven() {
        let asked = [["--help"], ["-h"], ["help"]].map { runCLI($0) }
        #expect(asked.allSatisfy { $0.status == 0 && $0.stderr.isEmpty })
        #expect(Set(asked.map(\.stdout)).count == 1)
        #expect(asked[0].stdout.contains("SUBCOMMANDS:\n  check                   Compare the model"))
        #expect(asked[0].stdout.contains("  blame                   Find the commit"))

        let nothing = runCLI([])
        #expect(nothing.status == 2)
        #expect(nothing.stdout.isEmpty)
        #expect(nothing.stderr == asked[0].stdout)
    }

    @Test func version() {
        #expect(runCLI(["--version"]).stdout == "evalguard 0.1.0\n")
        #expect(runCLI(["--version"]).status == 0)
    }

    @Test func unknownSubcommandsSuggestTheNearestOne() {
        let result = runCLI(["chek"])
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        #expect(
            result.stderr == """
                Error: Unknown subcommand 'chek'. Did you mean 'check'?
                Usage: evalguard [-C <dir> ...] [--version] <subcommand>
                  See 'evalguard --help' for more information.

                """)
        #expect(runCLI(["frobnicate"]).stderr.hasPrefix("Error: Unknown subcommand 'frobnicate'\n"))
        #expect(runCLI(["help", "chek"]).stderr.hasPrefix("Error: Unknown subcommand 'chek'. Did you mean 'check'?\n"))
        #expect(runCLI(["help", "check", "blame"]).status == 2)
    }

    @Test func subcommandUsageErrorsPrintTheCommandsUsage() {
        let result = runCLI(["check", "--treshold", "1"])
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        // The full synopsis is wider than 80 columns, so the options are condensed.
        #expect(
            result.stderr == """
                Error: Unknown option '--treshold'
                Usage: evalguard check [<options>] [<rev>]
                  See 'evalguard check --help' for more information.

                """)
        #expect(
            runCLI(["check", "--agianst", "main"]).stderr
                .hasPrefix("Error: Unknown option '--agianst'. Did you mean '--against'?\n"))
        #expect(
            runCLI(["check", "--jobs", "many"]).stderr
                .hasPrefix("Error: The value 'many' is invalid for '--jobs <n>': expected an integer\n"))
        #expect(runCLI(["check", "a", "b"]).stderr.hasPrefix("Error: Unexpected argument 'b'\n"))
    }

    @Test func globalOptionsComeBeforeTheSubcommand() {
        #expect(runCLI(["--bogus", "check"]).stderr.hasPrefix("Error: Unknown option '--bogus'\nUsage: evalguard "))
        // After the subcommand, --version belongs to it, and it has none.
        #expect(runCLI(["check", "--version"]).status == 2)
        // After --, a subcommand's option-like words are positionals.
        #expect(runCLI(["check", "--", "--fresh"]).status == 0)
    }

    @Test func resultsAndErrorsMapToTheirExitCodes() {
        let pass = runCLI(["check", "--against=main"])
        #expect(pass.status == 0 && pass.stdout == "against main\n" && pass.stderr.isEmpty)
        #expect(runCLI(["check", "--outcome", "regression"]).status == 1)

        let usage = runCLI(["check", "--outcome", "usage"])
        #expect(usage.status == 2)
        #expect(usage.stderr.hasPrefix("Error: --outcome usage cannot be used here\nUsage: evalguard check "))

        let config = runCLI(["check", "--outcome", "config"])
        #expect(config.status == 2)
        #expect(config.stdout == "against HEAD\n")
        #expect(
            config.stderr == """
                error: .evals/cases/intents.jsonl:17: expected an object with "input", found a string
                  fix the case

                """)

        let crash = runCLI(["check", "--outcome", "crash"])
        #expect(crash.status == 3)
        #expect(crash.stderr == "error: the model exited with status 9\n")

        let other = runCLI(["check", "--outcome", "other"])
        #expect(other.status == 3)
        #expect(other.stderr == "error: the disk is on fire\n")
    }

    @Test func dashCRunsAsIfStartedThere() throws {
        let base = try CLI.changeDirectory(NSTemporaryDirectory(), from: "/")
        let name = "evalguard-cli-\(UUID().uuidString)"
        let directory = base + "/" + name
        try FileManager.default.createDirectory(atPath: directory + "/sub", withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: directory + "/file", contents: Data())
        defer { try? FileManager.default.removeItem(atPath: directory) }

        #expect(runCLI(["check", "--show-directory"], workingDirectory: directory).stdout == directory + "\n")
        #expect(runCLI(["-C", directory, "check", "--show-directory"]).stdout == directory + "\n")
        #expect(runCLI(["-C", name, "check", "--show-directory"], workingDirectory: base).stdout == directory + "\n")
        // Each -C is relative to the one before, as in git.
        #expect(
            runCLI(["-C", directory, "-C", "sub", "-C", "..", "-C", "sub", "check", "--show-directory"]).stdout
                == directory + "/sub\n")

        let missing = runCLI(["-C", "nope", "check"], workingDirectory: directory)
        #expect(missing.status == 2)
        #expect(missing.stdout.isEmpty)
        #expect(missing.stderr == "error: cannot change to 'nope': No such file or directory\n")
        let file = runCLI(["-C", "file", "check"], workingDirectory: directory)
        #expect(file.status == 2)
        #expect(file.stderr == "error: cannot change to 'file': Not a directory\n")
    }

    @Test func runFlushesABufferedStdoutBeforeReturning() {
        let recorder = CLIConsoleTests.Recorder()
        let console = Console(stdout: { recorder.events.append($0) }, stderr: { _ in }, bufferStdout: true)
        let status = CLI.run(
            arguments: ["check"], console: console, environment: [:],
            workingDirectory: "/", commands: [ProbeCommand.self])
        #expect(status == 0)
        #expect(recorder.events == ["against HEAD\n"])
    }

    @Test func theProductionRegistryHasNoDuplicateNames() {
        let names = CLI.commands.map { $0.spec.name }
        #expect(Set(names).count == names.count)
        #expect(!names.contains("help"))
    }
}
