import EvalGuardSupport

/// The table a command declares once. `ArgumentParser` parses against it and `Help` prints
/// it, so what a command accepts and what its help says cannot drift apart.
package struct CommandSpec: Sendable {
    /// The subcommand's name as typed: `check`.
    package var name: String
    /// One line, shown after `OVERVIEW:` and in the parent's `SUBCOMMANDS:` list.
    package var abstract: String
    /// Paragraphs printed under the overview in the command's own help.
    package var discussion: String?
    package var options: [OptionSpec]
    /// In order: required ones, then optional ones, then at most one repeating one last.
    package var arguments: [PositionalSpec]

    package init(
        name: String, abstract: String, discussion: String? = nil,
        options: [OptionSpec] = [], arguments: [PositionalSpec] = []
    ) {
        self.name = name
        self.abstract = abstract
        self.discussion = discussion
        self.options = options
        self.arguments = arguments
    }

    /// The option typed as `--long`.
    func option(long: String) -> OptionSpec? {
        options.first { !$0.long.isEmpty && $0.long == long }
    }

    /// The option a command asks for by `OptionSpec.key`.
    func option(key: String) -> OptionSpec? {
        options.first { $0.key == key }
    }

    func option(short: Character) -> OptionSpec? {
        options.first { $0.short == short }
    }

    /// Mistakes in a table are programming errors; catch them in debug builds and tests.
    func assertWellFormed() {
        var longs = Set<String>()
        var shorts = Set<Character>()
        for option in options {
            assert(!option.long.hasPrefix("-"), "OptionSpec.long is given without dashes: \(option.long)")
            assert(!option.long.isEmpty || option.short != nil, "an option needs a name")
            assert(option.long != "help" && option.short != "h", "-h/--help is built in")
            assert(longs.insert(option.key).inserted, "duplicate option \(option.key)")
            if let short = option.short {
                assert(shorts.insert(short).inserted, "duplicate option -\(short)")
            }
            assert(option.valueName != nil || !option.repeating, "a flag cannot repeat: --\(option.long)")
            assert(option.valueName != nil || option.defaultValue == nil, "a flag has no default: --\(option.long)")
        }
        var sawOptional = false
        for (index, argument) in arguments.enumerated() {
            assert(
                !argument.repeating || index == arguments.count - 1,
                "only the last positional may repeat: <\(argument.name)>")
            assert(
                argument.optional || !sawOptional,
                "required positional <\(argument.name)> after an optional one")
            sawOptional = sawOptional || argument.optional
        }
    }
}

/// A named option: a flag (`valueName == nil`) or an option taking a value.
package struct OptionSpec: Sendable {
    /// Without dashes: `against` for `--against`. Empty for a short-only option such as
    /// `-C <dir>`, which is then looked up by its short name (`value("C")`).
    package var long: String
    package var short: Character?
    /// Shown as `<valueName>` in usage and help; nil makes the option a flag.
    package var valueName: String?
    package var help: String
    /// May be given several times; every value is kept (`values(_:)`). Otherwise the last wins.
    package var repeating: Bool
    /// Returned by `value(_:)` when the option is absent, and shown as `(default: …)` in help.
    package var defaultValue: String?

    package init(
        long: String, short: Character? = nil, valueName: String? = nil, help: String,
        repeating: Bool = false, defaultValue: String? = nil
    ) {
        precondition(!long.isEmpty || short != nil, "an option needs a long or a short name")
        self.long = long
        self.short = short
        self.valueName = valueName
        self.help = help
        self.repeating = repeating
        self.defaultValue = defaultValue
    }

    /// A boolean switch.
    package static func flag(_ long: String, short: Character? = nil, help: String) -> OptionSpec {
        OptionSpec(long: long, short: short, help: help)
    }

    /// An option taking a value.
    package static func option(
        _ long: String, short: Character? = nil, value: String, help: String,
        repeating: Bool = false, defaultValue: String? = nil
    ) -> OptionSpec {
        OptionSpec(
            long: long, short: short, valueName: value, help: help,
            repeating: repeating, defaultValue: defaultValue)
    }

    package var isFlag: Bool { valueName == nil }

    /// The name `ParsedArguments` knows the option by: `long`, or the short name when
    /// there is no long one (`init` requires one of the two, so `short!` holds).
    package var key: String { long.isEmpty ? String(short!) : long }

    /// `--against`, or `-C` for a short-only option.
    var preferredName: String { long.isEmpty ? "-\(short!)" : "--\(long)" }

    /// `--against <rev>` (or `--fresh`): how errors and usage lines name the option.
    var displayName: String {
        if let valueName { return "\(preferredName) <\(valueName)>" }
        return preferredName
    }

    /// `-n, --jobs <n>`: the label in the `OPTIONS:` section.
    var helpLabel: String {
        var names = [String]()
        if let short { names.append("-\(short)") }
        if !long.isEmpty { names.append("--\(long)") }
        let joined = names.joined(separator: ", ")
        if let valueName { return "\(joined) <\(valueName)>" }
        return joined
    }

    /// `[--against <rev>]`, `[--tag <tag> ...]`: the option in a usage line.
    var usageSynopsis: String {
        "[\(displayName)\(repeating ? " ..." : "")]"
    }
}

/// A positional argument.
package struct PositionalSpec: Sendable {
    package var name: String
    package var help: String
    package var optional: Bool
    /// Takes every remaining positional; only the last argument may repeat.
    package var repeating: Bool

    package init(name: String, help: String, optional: Bool = false, repeating: Bool = false) {
        self.name = name
        self.help = help
        self.optional = optional
        self.repeating = repeating
    }

    var helpLabel: String { "<\(name)>" }

    /// `<rev>`, `[<rev>]`, `<path> ...`, `[<path> ...]`.
    var usageSynopsis: String {
        let core = "<\(name)>" + (repeating ? " ..." : "")
        return optional ? "[\(core)]" : core
    }
}
