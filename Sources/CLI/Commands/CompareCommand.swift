import EvalGuardCompare
import EvalGuardConfig
import EvalGuardEvaluation
import EvalGuardGit
import EvalGuardReport
import EvalGuardStore
import EvalGuardSupport
import FoundationEssentials

/// `evalguard compare`: the configuration's variants side by side with the current one.
struct CompareCommand: Command {
    static let spec = CommandSpec(
        name: "compare",
        abstract: "Run the configuration's variants over the same cases and compare them with the current one.",
        discussion: """
            Each variant ("variants" in .evals/evalguard.json, or --set assignments) is merged over \
            the working tree's configuration and run over the same cases; answers are reused by each \
            variant's own evaluation key, so a second compare asks no model. Per suite and variant: \
            accuracy and its difference from the current configuration (Tango's score interval, the \
            exact McNemar test, Holm across the variants), mean score where gated, p95 latency with a \
            bootstrap interval, average cost, cost per correct answer, tokens, errors and the Pareto \
            front over accuracy, p95 and cost. --margin adds a non-inferiority verdict. Exits 0 (a \
            report), 1 when --margin is given and a variant is not shown non-inferior in a suite, 2 on \
            bad usage or configuration, 3 when a model could not be evaluated.
            """,
        options: [
            .option(
                "variant", value: "name", help: "Compare this variant (repeatable; default: every variant).",
                repeating: true),
            .option(
                "set", value: "key.path=value",
                help:
                    "An ad-hoc variant: set a configuration value, e.g. models.drafter.temperature=0.7 (repeatable; all together make one variant).",
                repeating: true),
            .option("suite", value: "name", help: "Only this suite (repeatable).", repeating: true),
            .option(
                "against", value: "current|rev",
                help: "What the variants are compared with: the working tree's configuration, or a commit's result.",
                defaultValue: "current"),
            .option(
                "margin", value: "fraction",
                help:
                    "Non-inferiority margin as a fraction (0.02: two points of accuracy); exit 1 when a variant is not shown within it."
            ),
            .option(
                "adopt", value: "name",
                help:
                    "Write the variant into .evals/evalguard.json and re-record .evals/baseline.json from its result (nothing is committed)."
            ),
            .flag("no-settle", help: "Do not re-ask a variant's flipped cases to settle a close accuracy verdict."),
            OutputFormat.withMarkdown,
            .option("html", value: "file", help: "Also write the comparison as an HTML page."),
        ])

    static func run(_ arguments: ParsedArguments, _ context: CommandContext) throws -> ExitCode {
        let format = try OutputFormat(arguments, allowed: [.text, .json, .markdown])
        let workspace = try Workspace(directory: context.workingDirectory, environment: context.environment)
        if let name = arguments.value("adopt") { return try adopt(name, workspace, context) }
        let config = workspace.config
        let only = arguments.values("suite").isEmpty ? nil : arguments.values("suite")
        if let only, let unknown = only.first(where: { name in !config.suites.contains { $0.name == name } }) {
            throw EvalGuardError(
                "no suite named '\(unknown)' in \(EvalConfig.path)",
                hint: "Suites: \(config.suites.map(\.name).joined(separator: ", ")).",
                category: .usage)
        }
        let margin = try arguments.double("margin")
        if let margin, !(0..<1).contains(margin) {
            throw UsageError(
                "Invalid value '\(margin)' for '--margin': expected a fraction from 0 to 1, such as 0.02 for two points."
            )
        }
        var variants = try
            (arguments.values("variant").isEmpty && arguments.values("set").isEmpty
            ? config.variantNames : arguments.values("variant"))
            .map(config.variant)
        if !arguments.values("set").isEmpty {
            variants.append(try config.variant(assignments: arguments.values("set")))
        }
        guard !variants.isEmpty else {
            throw EvalGuardError(
                "nothing to compare: \(EvalConfig.path) has no \"variants\"",
                hint:
                    "Add \"variants\": {\"ft-mini\": {\"models\": {\"<model>\": {\"model\": \"...\"}}}}, or give --set <key.path>=<value>.",
                category: .usage)
        }
        let evaluator = workspace.evaluator
        let against = arguments.value("against") ?? "current"
        let current: Evaluated
        let label: String
        if against == "current" {
            current = try evaluator.evaluate(.workingTree, only: only, progress: context.progressReporter())
            label = "current"
        } else {
            let sha = try workspace.repository.resolveCommit(against)
            current = try evaluator.evaluate(.commit(sha), only: only, progress: context.progressReporter())
            label = "\(against) (\(sha.prefix(7)))"
        }
        context.sayHowEvaluated(current.result, reused: current.reused, warnings: [])
        var candidates: [(name: String, result: RunResult)] = []
        var gates: [String: Comparison] = [:]
        let baseline = Baseline(result: only.map { current.result.restricted(to: $0) } ?? current.result)
        for variant in variants {
            let evaluated = try evaluator.evaluateVariant(variant, only: only, progress: context.progressReporter())
            let name = variant.variant?.name ?? "variant"
            context.console.err(
                evaluated.reusedAnswers
                    ? "\(CompareReport.safe(name)): every answer reused from stored results (no model asked)"
                    : "\(CompareReport.safe(name)): asked the model about \(evaluated.result.suites.reduce(0) { $0 + ($1.reuse?.ran.count ?? 0) }) case(s)"
            )
            // As check settles a close accuracy verdict: the flipped cases asked again, of the
            // variant and, when the current result is a clean commit's, of that commit's model.
            let gating = arguments.flag("no-settle") ? variant.withoutSettling() : variant
            let (settled, comparison) = try evaluator.settle(
                .workingTree, config: gating, result: evaluated.result, stored: false,
                judge: {
                    Gate.compare(
                        baseline: baseline, current: only.map($0.restricted(to:)) ?? $0, config: gating,
                        canAsk: workspace.repository.hasCommit)
                },
                pending: \.settlePending, progress: context.progressReporter())
            if settled.calls > 0 {
                context.console.err(
                    "\(CompareReport.safe(name)): settled by asking \(settled.cases) flipped case(s) again (\(settled.calls) call(s))"
                )
                try evaluator.keepVariant(settled.result, name: name, config: gating)
            }
            gates[name] = comparison
            candidates.append((name, settled.result))
        }
        for warning in evaluator.warnings { context.console.err("warning: " + warning) }
        let gated = Set(config.suites.filter { $0.thresholds.meanScore != nil }.map(\.name))
        let matrix = CandidateMatrix(
            current: current.result, currentLabel: label, candidates: candidates, suites: only.map(Set.init),
            scoreGated: gated, margin: margin, alpha: config.verdict.alpha, gates: gates)
        let report = CompareReport(matrix)
        switch format {
        case .text: context.console.out(report.text(), terminator: "")
        case .markdown: context.console.out(report.markdown(), terminator: "")
        case .json: context.printJSON(report.json())
        }
        if let path = arguments.value("html") {
            let page = CompareHTML(
                matrix, subject: "\(candidates.count) variant(s) against \(label), \(context.describe(workspace.head))")
            try AtomicFile.writeOutput(page.render(), to: CICommand.absolute(path, context))
            context.console.err("wrote \(path)")
        }
        let failed = matrix.suites.contains { $0.candidates.contains { $0.nonInferiority?.holds == false } }
        return failed ? .regression : .pass
    }

    /// `--adopt NAME`: the variant's values written into the configuration file, the baseline
    /// re-recorded from the variant's result (evaluated first when not stored), and its answers
    /// kept for the working tree's next evaluation. Both files are left as working-tree changes.
    static func adopt(_ name: String, _ workspace: Workspace, _ context: CommandContext) throws -> ExitCode {
        let variant = try workspace.config.variant(name)
        let adoption = try VariantAdoption(config: workspace.config, variant: name)
        var evaluated = try workspace.evaluator.evaluateVariant(variant, progress: context.progressReporter())
        // The answers are the working tree's with the adopted configuration, not HEAD's: recorded
        // as dirty, so settling never asks HEAD's model as this baseline's.
        evaluated.result.dirty = true
        evaluated.result.dirtyPaths = Array(Set((evaluated.result.dirtyPaths ?? []) + [EvalConfig.path])).sorted()
        let baseline = try Baseline(result: evaluated.result).rendered()
        try AtomicFile.write(adoption.text, to: workspace.root + "/" + EvalConfig.path)
        try AtomicFile.write(baseline, to: workspace.root + "/" + Baseline.path)
        // The adopted configuration's own key is new; its next run finds these answers here.
        try workspace.store.savePartial(evaluated.result)
        context.console.out(
            "adopted variant '\(CompareReport.safe(name))': wrote \(EvalConfig.path)\(adoption.keptLayout ? "" : " (rewritten whole: its comments could not be kept)") and \(Baseline.path) from \(evaluated.reused ? "its stored result" : "a new run")"
        )
        for suite in evaluated.result.suites {
            let m = suite.metrics
            context.console.out(
                "  \(CompareReport.safe(suite.name)): accuracy \(Format.accuracy(m.accuracy)), p95 \(Format.ms(m.p95LatencyMs)) ms\(m.avgCostUSD.map { ", avg cost $\(Format.usd($0))" } ?? "") over \(m.cases) cases"
            )
        }
        context.console.out(
            "Review and commit both:\n  git diff \(EvalConfig.path) \(Baseline.path)\n  git commit -am \"Adopt the \(CompareReport.safe(name)) variant\""
        )
        return .pass
    }
}
