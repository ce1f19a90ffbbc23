import EvalGuardSupport

/// Bad command-line usage. `CLI` prints it as swift-argument-parser does: the message, the
/// usage line and where to read more, on stderr, exit 2. Commands may throw it too, for
/// combinations the table cannot express ("--fresh cannot be used with --against").
package struct UsageError: CategorizedError, CustomStringConvertible, Sendable {
    package var message: String
    package var category: ErrorCategory { .usage }

    package init(_ message: String) {
        self.message = message
    }

    package var description: String { message }
}

/// Parses arguments against a `CommandSpec`, following swift-argument-parser's and getopt's
/// conventions: `--opt value`, `--opt=value`, `-n 5`, `-n5`, clustered flags `-vq`, `--` ends
/// options, and `-h`/`--help` anywhere before `--` asks for help.
enum ArgumentParser {
    enum Outcome: Sendable {
        case help
        case parsed(ParsedArguments)
    }

    /// With `stopAtFirstPositional`, parsing ends at the first positional argument, which is
    /// returned with everything after it in `remaining` (how global options are read before
    /// the subcommand).
    static func parse(
        _ arguments: [String], spec: CommandSpec,
        stopAtFirstPositional: Bool = false
    ) throws(UsageError) -> Outcome {
        spec.assertWellFormed()
        do {
            return try parseOptions(arguments, spec: spec, stopAtFirstPositional: stopAtFirstPositional)
        } catch {
            // Help wins over a mistake elsewhere on the line, so `check --treshold 1 -h` helps.
            if asksForHelp(arguments) { return .help }
            throw error
        }
    }

    private static func parseOptions(
        _ arguments: [String], spec: CommandSpec,
        stopAtFirstPositional: Bool
    ) throws(UsageError) -> Outcome {
        var parsed = ParsedArguments(spec: spec)
        var rawPositionals: [String] = []
        var index = 0
        var endOfOptions = false

        // The value of an option whose name was `displayName`: the next argument, unless it
        // is itself an option (`--against --fresh` is a missing value, not a revision).
        func nextValue(for option: OptionSpec) throws(UsageError) -> String {
            guard index < arguments.count, !looksLikeOption(arguments[index]) else {
                throw UsageError("Missing value for '\(option.displayName)'")
            }
            index += 1
            return arguments[index - 1]
        }

        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if endOfOptions || !looksLikeOption(argument) {
                if stopAtFirstPositional {
                    parsed.remaining = Array(arguments[(index - 1)...])
                    break
                }
                rawPositionals.append(argument)
                continue
            }
            if argument == "--" {
                endOfOptions = true
                continue
            }
            if argument.hasPrefix("--") {
                let body = argument.dropFirst(2)
                let name = String(body.prefix { $0 != "=" })
                let inlineValue = body.firstIndex(of: "=").map { String(body[body.index(after: $0)...]) }
                if name == "help" { return .help }
                guard let option = spec.option(long: name) else {
                    throw unknownOption("--" + name, spec: spec)
                }
                if option.isFlag {
                    if inlineValue != nil {
                        throw UsageError("The flag '--\(name)' does not take a value")
                    }
                    parsed.setFlag(option.key)
                } else {
                    if let inlineValue {
                        parsed.add(inlineValue, for: option.key)
                    } else {
                        parsed.add(try nextValue(for: option), for: option.key)
                    }
                }
                continue
            }
            // A cluster of short options: flags, then possibly one option taking the rest of
            // the cluster (`-n5`) or the next argument (`-n 5`) as its value.
            var cluster = Substring(argument.dropFirst())
            while let character = cluster.popFirst() {
                if character == "h" { return .help }
                guard let option = spec.option(short: character) else {
                    throw unknownOption("-\(character)", spec: spec)
                }
                if option.isFlag {
                    parsed.setFlag(option.key)
                    continue
                }
                if cluster.isEmpty {
                    parsed.add(try nextValue(for: option), for: option.key)
                } else {
                    parsed.add(String(cluster), for: option.key)
                }
                break
            }
        }
        if !stopAtFirstPositional {
            try parsed.assignPositionals(rawPositionals)
        }
        return .parsed(parsed)
    }

    /// `-x`, `--xyz`, `--`; but not `-` (stdin, by convention) nor a negative number.
    static func looksLikeOption(_ argument: String) -> Bool {
        guard argument.hasPrefix("-"), let second = argument.dropFirst().first else { return false }
        return !(second.isNumber || second == ".")
    }

    static func asksForHelp(_ arguments: [String]) -> Bool {
        for argument in arguments {
            if argument == "--" { return false }
            if argument == "-h" || argument == "--help" { return true }
        }
        return false
    }

    private static func unknownOption(_ name: String, spec: CommandSpec) -> UsageError {
        var message = "Unknown option '\(name)'"
        if name.hasPrefix("--") {
            let candidates = spec.options.filter { !$0.long.isEmpty }.map { "--" + $0.long } + ["--help"]
            if let suggestion = Suggestion.closest(to: name, among: candidates) {
                message += ". Did you mean '\(suggestion)'?"
            }
        }
        return UsageError(message)
    }
}
