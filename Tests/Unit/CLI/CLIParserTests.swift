import EvalGuardTestSupport
import Testing

@testable import EvalGuardCLI
@testable import EvalGuardSupport

/// A table shaped like a real command's: options with and without short names, defaults,
/// a repeating option, flags, and an optional positional.
let sampleSpec = CommandSpec(
    name: "check",
    abstract: "Compare the model against the baseline.",
    options: [
        .option("against", value: "rev", help: "The revision to compare with.", defaultValue: "HEAD"),
        .option("format", value: "format", help: "Output format: text or json.", defaultValue: "text"),
        .option("threshold", short: "t", value: "x", help: "Largest accepted drop in accuracy."),
        .option("jobs", short: "j", value: "n", help: "Cases evaluated at once."),
        .option("suite", short: "s", value: "name", help: "Only this suite.", repeating: true),
        .flag("fresh", short: "f", help: "Ignore stored results."),
        .flag("verbose", short: "v", help: "Print every case."),
    ],
    arguments: [PositionalSpec(name: "rev", help: "The commit to check.", optional: true)])

func parse(_ arguments: [String], _ spec: CommandSpec = sampleSpec) throws(UsageError) -> ParsedArguments {
    guard case .parsed(let parsed) = try ArgumentParser.parse(arguments, spec: spec) else {
        throw UsageError("asked for help")
    }
    return parsed
}

/// The message of the usage error the arguments cause, or nil if they parse.
func parseError(_ arguments: [String], _ spec: CommandSpec = sampleSpec) -> String? {
    do {
        _ = try ArgumentParser.parse(arguments, spec: spec)
        return nil
    } catch {
        return error.message
    }
}

func asksForHelp(_ arguments: [String], _ spec: CommandSpec = sampleSpec) -> Bool {
    if case .help? = try? ArgumentParser.parse(arguments, spec: spec) { return true }
    return false
}

@Suite struct CLIParserTests {
    @Test func longOptionsTakeTheNextArgumentOrAnInlineValue() throws {
        #expect(try parse(["--against", "main"]).value("against") == "main")
        #expect(try parse(["--against=main"]).value("against") == "main")
        #expect(try parse(["--against=a=b"]).value("against") == "a=b")
        #expect(try parse(["--against="]).value("against") == "")
    }

    @Test func shortOptionsTakeTheNextArgumentOrTheRestOfTheCluster() throws {
        #expect(try parse(["-j", "5"]).value("jobs") == "5")
        #expect(try parse(["-j5"]).value("jobs") == "5")
        let clustered = try parse(["-vfj8"])
        #expect(clustered.flag("verbose") && clustered.flag("fresh"))
        #expect(clustered.value("jobs") == "8")
    }

    @Test func flagsDefaultsAndIsSet() throws {
        let none = try parse([])
        #expect(!none.flag("fresh"))
        #expect(none.value("against") == "HEAD")
        #expect(none.value("threshold") == nil)
        #expect(!none.isSet("against"))
        let some = try parse(["--fresh", "--against", "HEAD"])
        #expect(some.flag("fresh"))
        #expect(some.isSet("against") && some.isSet("fresh"))
    }

    @Test func lastValueWinsAndRepeatingOptionsKeepAll() throws {
        #expect(try parse(["--format", "json", "--format=text"]).value("format") == "text")
        #expect(
            try parse(["-s", "intents", "--suite=safety", "-sfaq"]).values("suite") == ["intents", "safety", "faq"])
        #expect(try parse([]).values("suite") == [])
        #expect(try parse([]).values("format") == ["text"])
    }

    @Test func doubleDashEndsOptions() throws {
        let parsed = try parse(["--", "--fresh"])
        #expect(!parsed.flag("fresh"))
        #expect(parsed.positional("rev") == "--fresh")
        #expect(try parse(["--", "-h"]).positional("rev") == "-h")
        #expect(try parse(["-v", "--", "--"]).positionals == ["--"])
    }

    @Test func dashAndNegativeNumbersAreValuesNotOptions() throws {
        #expect(try parse(["-"]).positional("rev") == "-")
        #expect(try parse(["--threshold", "-0.5"]).value("threshold") == "-0.5")
        #expect(try parse(["-t", "-.5"]).value("threshold") == "-.5")
    }

    @Test func typedValues() throws {
        let parsed = try parse(["--jobs", "4", "--threshold", "0.02"])
        #expect(try parsed.int("jobs") == 4)
        #expect(try parsed.double("threshold") == 0.02)
        #expect(try parse([]).int("jobs") == nil)
        #expect(throws: UsageError.self) { try parse(["--jobs", "four"]).int("jobs") }
        do throws(UsageError) {
            _ = try parse(["-j", "4.5"]).int("jobs")
            Issue.record("expected a usage error")
        } catch {
            #expect(error.message == "The value '4.5' is invalid for '--jobs <n>': expected an integer")
        }
        do throws(UsageError) {
            _ = try parse(["-t", "nan"]).double("threshold")
            Issue.record("expected a usage error")
        } catch {
            #expect(error.message == "The value 'nan' is invalid for '--threshold <x>': expected a number")
        }
    }

    @Test func unknownOptionsSuggestOnlyCloseNames() {
        #expect(parseError(["--treshold", "1"]) == "Unknown option '--treshold'. Did you mean '--threshold'?")
        #expect(parseError(["--treshold=1"]) == "Unknown option '--treshold'. Did you mean '--threshold'?")
        #expect(parseError(["--froamt", "json"]) == "Unknown option '--froamt'. Did you mean '--format'?")
        #expect(parseError(["--hlep"]) == "Unknown option '--hlep'. Did you mean '--help'?")
        #expect(parseError(["--colour"]) == "Unknown option '--colour'")
        #expect(parseError(["-x"]) == "Unknown option '-x'")
        #expect(parseError(["-vx"]) == "Unknown option '-x'")
    }

    @Test func flagsRefuseValuesAndOptionsNeedThem() {
        #expect(parseError(["--fresh=1"]) == "The flag '--fresh' does not take a value")
        #expect(parseError(["--against"]) == "Missing value for '--against <rev>'")
        #expect(parseError(["--against", "--fresh"]) == "Missing value for '--against <rev>'")
        #expect(parseError(["-j"]) == "Missing value for '--jobs <n>'")
    }

    @Test func positionalsAreCountedAgainstTheTable() throws {
        #expect(parseError(["a", "b"]) == "Unexpected argument 'b'")
        let spec = CommandSpec(
            name: "blame", abstract: "",
            arguments: [
                PositionalSpec(name: "metric", help: ""),
                PositionalSpec(name: "range", help: "", optional: true),
            ])
        #expect(parseError([], spec) == "Missing expected argument '<metric>'")
        let one = try parse(["accuracy"], spec)
        #expect(one.positional("metric") == "accuracy" && one.positional("range") == nil)
        #expect(try parse(["accuracy", "v1..v2"], spec).positional("range") == "v1..v2")
        #expect(parseError(["a", "b", "c"], spec) == "Unexpected argument 'c'")
    }

    @Test func aRepeatingPositionalTakesTheRest() throws {
        let spec = CommandSpec(
            name: "run", abstract: "", options: [.flag("fresh", help: "")],
            arguments: [
                PositionalSpec(name: "suite", help: ""),
                PositionalSpec(name: "case", help: "", repeating: true),
            ])
        let parsed = try parse(["intents", "a", "--fresh", "b", "c"], spec)
        #expect(parsed.positional("suite") == "intents")
        #expect(parsed.positionals("case") == ["a", "b", "c"])
        #expect(parsed.positionals == ["intents", "a", "b", "c"])
        #expect(parsed.flag("fresh"))
        #expect(parseError(["intents"], spec) == "Missing expected argument '<case> ...'")
    }

    @Test func helpAnywhereBeforeDoubleDashWins() {
        #expect(asksForHelp(["-h"]))
        #expect(asksForHelp(["--help"]))
        #expect(asksForHelp(["--fresh", "--against", "main", "--help"]))
        #expect(asksForHelp(["-vh"]))
        #expect(asksForHelp(["--treshold", "1", "-h"]))
        #expect(asksForHelp(["a", "b", "c", "--help"]))
        #expect(!asksForHelp(["--", "-h"]))
        #expect(parseError(["--bogus", "--", "-h"]) == "Unknown option '--bogus'")
        #expect(!asksForHelp(["--fresh"]))
    }

    @Test func parsingStopsAtTheSubcommandWhenAsked() throws {
        let spec = CommandSpec(name: "evalguard", abstract: "", options: [.flag("version", help: "")])
        guard
            case .parsed(let parsed) = try ArgumentParser.parse(
                ["--version", "check", "--fresh", "x"], spec: spec, stopAtFirstPositional: true)
        else {
            Issue.record("expected arguments")
            return
        }
        #expect(parsed.flag("version"))
        #expect(parsed.remaining == ["check", "--fresh", "x"])
    }

    @Test func editDistanceCountsAdjacentSwapsAsOne() {
        #expect(Suggestion.editDistance("check", "check") == 0)
        #expect(Suggestion.editDistance("chek", "check") == 1)
        #expect(Suggestion.editDistance("chekc", "check") == 1)
        #expect(Suggestion.editDistance("", "abc") == 3)
        #expect(Suggestion.editDistance("kitten", "sitting") == 3)
        #expect(Suggestion.closest(to: "chek", among: ["init", "check", "blame"]) == "check")
        #expect(Suggestion.closest(to: "x", among: ["init", "run"]) == nil)
        // Two edits are too many for a short word: "in" is not a typo of "run".
        #expect(Suggestion.closest(to: "in", among: ["run"]) == nil)
        #expect(Suggestion.closest(to: "rn", among: ["run"]) == "run")
        #expect(Suggestion.closest(to: "lbame", among: ["blame", "baseline"]) == "blame")
    }
}
