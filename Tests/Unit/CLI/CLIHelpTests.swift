import EvalGuardTestSupport
import Testing

@testable import EvalGuardCLI

@Suite struct CLIHelpTests {
    @Test func commandHelpHasTheSectionsInOrderWithAlignedDescriptions() {
        let spec = CommandSpec(
            name: "check", abstract: "Compare the model against the baseline.",
            discussion: "Reads .evals/ from the commit, not the working tree.",
            options: [
                .option("against", value: "rev", help: "The revision to compare with.", defaultValue: "HEAD"),
                .flag("fresh", short: "f", help: "Ignore stored results."),
            ],
            arguments: [PositionalSpec(name: "suite", help: "Suites to check.", optional: true, repeating: true)])
        let expected = """
            OVERVIEW: Compare the model against the baseline.

            Reads .evals/ from the commit, not the working tree.

            USAGE: evalguard check [--against <rev>] [--fresh] [<suite> ...]

            ARGUMENTS:
              <suite>                 Suites to check.

            OPTIONS:
              --against <rev>         The revision to compare with. (default: HEAD)
              -f, --fresh             Ignore stored results.
              -h, --help              Show help information.

            """
        #expect(Help.text(for: spec, path: "evalguard check") == expected)
    }

    @Test func topLevelHelpListsSubcommandsAndWhereToLearnMore() {
        let subcommands = [
            CommandSpec(name: "check", abstract: "Compare the model against the baseline."),
            CommandSpec(name: "blame", abstract: "Find the commit that caused a regression."),
        ]
        let text = Help.text(for: CLI.rootSpec, path: "evalguard", subcommands: subcommands)
        #expect(text.hasPrefix("OVERVIEW: A git-integrated regression guard for AI features.\n"))
        #expect(text.contains("\nUSAGE: evalguard [-C <dir> ...] [--version] <subcommand>\n"))
        #expect(
            text.contains(
                """

                OPTIONS:
                  -C <dir>                Run as if evalguard was started in <dir>. Several -C
                                          options each apply to the previous one.
                  --version               Show the version.
                  -h, --help              Show help information.

                SUBCOMMANDS:
                  check                   Compare the model against the baseline.
                  blame                   Find the commit that caused a regression.

                  See 'evalguard help <subcommand>' for detailed help.

                """))
        #expect(text.hasSuffix("for detailed help.\n"))
    }

    @Test func anEmptyRegistryStillShowsTheSubcommandSlotButNoSection() {
        let text = Help.text(for: CLI.rootSpec, path: "evalguard", subcommands: [])
        #expect(text.contains("<subcommand>"))
        #expect(!text.contains("SUBCOMMANDS:"))
    }

    @Test func longLabelsPutTheDescriptionOnTheNextLine() {
        #expect(
            Help.entry("--max-latency-increase <ms>", "Largest accepted rise in p95.") == [
                "  --max-latency-increase <ms>",
                "                          Largest accepted rise in p95.",
            ])
        // 22 characters leave exactly the two-space gap.
        let label = String(repeating: "x", count: 22)
        #expect(Help.entry(label, "Fits.") == ["  " + label + "  Fits."])
        #expect(Help.entry(label + "x", "Does not.").count == 2)
    }

    @Test func descriptionsWrapAtEightyColumns() {
        let words = Array(repeating: "word", count: 30).joined(separator: " ")
        let lines = Help.entry("--x", words)
        #expect(lines.count > 1)
        #expect(lines.allSatisfy { $0.count <= Help.width })
        #expect(lines.dropFirst().allSatisfy { $0.hasPrefix(String(repeating: " ", count: 26) + "word") })
        #expect(Help.wrap("a\nb c", width: 80) == ["a", "b c"])
    }

    @Test func usageLinesShowOptionalityAndRepetition() {
        let spec = CommandSpec(
            name: "run", abstract: "",
            options: [
                .option("suite", short: "s", value: "name", help: "", repeating: true)
            ],
            arguments: [
                PositionalSpec(name: "model", help: ""),
                PositionalSpec(name: "rev", help: "", optional: true),
            ])
        #expect(Help.usage(for: spec, path: "evalguard run") == "evalguard run [--suite <name> ...] <model> [<rev>]")
    }

    @Test func aTooLongUsageLineCondensesTheOptions() {
        let options = (1...8).map { OptionSpec.option("option-\($0)", value: "value", help: "") }
        let spec = CommandSpec(
            name: "check", abstract: "", options: options,
            arguments: [PositionalSpec(name: "rev", help: "", optional: true)])
        #expect(Help.usage(for: spec, path: "evalguard check") == "evalguard check [<options>] [<rev>]")
    }

    @Test func usageErrorsNameTheUsageAndWhereToReadMore() {
        let spec = CommandSpec(
            name: "check", abstract: "",
            options: [
                .option("against", value: "rev", help: ""),
                .option("format", value: "format", help: ""),
            ])
        let text = Help.usageError(UsageError("Unknown option '--treshold'"), spec: spec, path: "evalguard check")
        #expect(
            text == """
                Error: Unknown option '--treshold'
                Usage: evalguard check [--against <rev>] [--format <format>]
                  See 'evalguard check --help' for more information.

                """)
    }
}
