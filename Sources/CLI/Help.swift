import EvalGuardSupport

/// Help and usage text generated from a `CommandSpec`, laid out as swift-argument-parser
/// lays it out: labels indented two spaces, descriptions starting at column 27, wrapped at
/// 80 columns (fixed rather than the terminal's width, so the text is the same everywhere).
enum Help {
    static let descriptionColumn = 26
    static let width = 80

    static let helpOption = OptionSpec.flag("help", short: "h", help: "Show help information.")

    /// The full help for a command. `path` is how it is invoked: `evalguard check`.
    /// `subcommands` is given (possibly empty) only for the top level.
    static func text(for spec: CommandSpec, path: String, subcommands: [CommandSpec]? = nil) -> String {
        var lines = ["OVERVIEW: \(spec.abstract)"]
        if let discussion = spec.discussion {
            lines += ["", discussion]
        }
        lines += ["", "USAGE: \(usage(for: spec, path: path, hasSubcommands: subcommands != nil))"]
        if !spec.arguments.isEmpty {
            lines += ["", "ARGUMENTS:"]
            for argument in spec.arguments {
                lines += entry(argument.helpLabel, argument.help)
            }
        }
        lines += ["", "OPTIONS:"]
        for option in spec.options + [helpOption] {
            var help = option.help
            if let defaultValue = option.defaultValue {
                help += " (default: \(defaultValue))"
            }
            lines += entry(option.helpLabel, help)
        }
        if let subcommands, !subcommands.isEmpty {
            lines += ["", "SUBCOMMANDS:"]
            for subcommand in subcommands {
                lines += entry(subcommand.name, subcommand.abstract)
            }
            lines += ["", "  See '\(path) help <subcommand>' for detailed help."]
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `evalguard check [--against <rev>] [--format <format>] [<suite> ...]`. A synopsis too
    /// long for one line lists the options as `[<options>]`, as swift-argument-parser does.
    static func usage(for spec: CommandSpec, path: String, hasSubcommands: Bool = false) -> String {
        let positionals = spec.arguments.map(\.usageSynopsis) + (hasSubcommands ? ["<subcommand>"] : [])
        let full = ([path] + spec.options.map(\.usageSynopsis) + positionals).joined(separator: " ")
        if "USAGE: ".count + full.count <= width || spec.options.isEmpty {
            return full
        }
        return ([path, "[<options>]"] + positionals).joined(separator: " ")
    }

    /// What a usage error prints on stderr.
    static func usageError(
        _ error: UsageError, spec: CommandSpec, path: String,
        hasSubcommands: Bool = false
    ) -> String {
        """
        Error: \(error.message)
        Usage: \(usage(for: spec, path: path, hasSubcommands: hasSubcommands))
          See '\(path) --help' for more information.

        """
    }

    /// One aligned entry: the label, then its description from `descriptionColumn`; a label
    /// too long to leave two spaces puts the description on the next line.
    static func entry(_ label: String, _ description: String) -> [String] {
        let indent = String(repeating: " ", count: descriptionColumn)
        let wrapped = wrap(description, width: width - descriptionColumn)
        let head = "  " + label
        if head.count + 2 <= descriptionColumn, let first = wrapped.first {
            let padding = String(repeating: " ", count: descriptionColumn - head.count)
            return [head + padding + first] + wrapped.dropFirst().map { indent + $0 }
        }
        return [head] + wrapped.map { indent + $0 }
    }

    /// Greedy word wrap; explicit newlines are kept, and a word longer than `width` gets a
    /// line of its own rather than being cut.
    static func wrap(_ text: String, width: Int) -> [String] {
        var lines: [String] = []
        for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = ""
            for word in paragraph.split(separator: " ") {
                if line.isEmpty {
                    line = String(word)
                } else if line.count + 1 + word.count <= width {
                    line += " " + word
                } else {
                    lines.append(line)
                    line = String(word)
                }
            }
            lines.append(line)
        }
        return lines
    }
}
