import EvalGuardSupport

/// What `ArgumentParser` read, looked up by the names declared in the command's spec.
/// Asking for a name the spec does not declare is a programming error (asserted in debug).
package struct ParsedArguments: Sendable {
    let spec: CommandSpec
    private var flagCounts: [String: Int] = [:]
    private var optionValues: [String: [String]] = [:]
    private var positionalValues: [String: [String]] = [:]
    /// Every positional argument, in order.
    package private(set) var positionals: [String] = []
    /// With `stopAtFirstPositional`: the first positional and everything after it.
    var remaining: [String] = []

    init(spec: CommandSpec) {
        self.spec = spec
    }

    // MARK: Options

    /// Whether the flag `--name` was given.
    package func flag(_ name: String) -> Bool {
        guard declaredOption(name) != nil else { return false }
        return flagCounts[name, default: 0] > 0
    }

    /// The value of `--name`: the last one given, else the spec's default, else nil.
    package func value(_ name: String) -> String? {
        guard let option = declaredOption(name) else { return nil }
        return optionValues[name]?.last ?? option.defaultValue
    }

    /// Every value given for a repeating option, in order; the default when none was given.
    package func values(_ name: String) -> [String] {
        guard let option = declaredOption(name) else { return [] }
        if let given = optionValues[name] { return given }
        return option.defaultValue.map { [$0] } ?? []
    }

    /// Whether `--name` appeared on the command line (a default does not count).
    package func isSet(_ name: String) -> Bool {
        guard declaredOption(name) != nil else { return false }
        return flagCounts[name] != nil || optionValues[name] != nil
    }

    /// `value(name)` as an integer; a usage error naming the option when it is not one.
    package func int(_ name: String) throws(UsageError) -> Int? {
        guard let text = value(name) else { return nil }
        guard let number = Int(text) else { throw invalidValue(text, name, expected: "an integer") }
        return number
    }

    /// `value(name)` as a finite number; a usage error naming the option when it is not one.
    package func double(_ name: String) throws(UsageError) -> Double? {
        guard let text = value(name) else { return nil }
        guard let number = Double(text), number.isFinite else {
            throw invalidValue(text, name, expected: "a number")
        }
        return number
    }

    private func invalidValue(_ text: String, _ name: String, expected: String) -> UsageError {
        let label = spec.option(key: name)?.displayName ?? name
        return UsageError("The value '\(text)' is invalid for '\(label)': expected \(expected)")
    }

    private func declaredOption(_ name: String) -> OptionSpec? {
        let option = spec.option(key: name)
        assert(option != nil, "'\(spec.name)' declares no option '\(name)'")
        return option
    }

    // MARK: Positionals

    /// The value of a non-repeating positional argument, nil when an optional one is absent.
    package func positional(_ name: String) -> String? {
        positionals(name).first
    }

    /// A required positional argument's value. `assignPositionals` already refuses a command
    /// line without it; asked for one it let through, this is the same usage error, not a trap.
    package func requiredPositional(_ name: String) throws(UsageError) -> String {
        guard let value = positional(name) else { throw UsageError("Missing expected argument '<\(name)>'") }
        return value
    }

    /// The values of a positional argument (all of them for a repeating one).
    package func positionals(_ name: String) -> [String] {
        assert(spec.arguments.contains { $0.name == name }, "'\(spec.name)' declares no argument <\(name)>")
        return positionalValues[name] ?? []
    }

    // MARK: Filled in by the parser

    mutating func setFlag(_ name: String) {
        flagCounts[name, default: 0] += 1
    }

    mutating func add(_ value: String, for name: String) {
        optionValues[name, default: []].append(value)
    }

    /// Hands the positionals to the declared arguments in order; the repeating one takes
    /// the rest.
    mutating func assignPositionals(_ values: [String]) throws(UsageError) {
        positionals = values
        var index = 0
        for argument in spec.arguments {
            if argument.repeating {
                positionalValues[argument.name] = Array(values[index...])
                if !argument.optional && index == values.count {
                    throw UsageError("Missing expected argument '\(argument.usageSynopsis)'")
                }
                index = values.count
            } else if index < values.count {
                positionalValues[argument.name] = [values[index]]
                index += 1
            } else if !argument.optional {
                throw UsageError("Missing expected argument '\(argument.helpLabel)'")
            }
        }
        if index < values.count {
            throw UsageError("Unexpected argument '\(values[index])'")
        }
    }
}
