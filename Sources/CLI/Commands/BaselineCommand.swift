import EvalGuardEvaluation
import EvalGuardReport
import EvalGuardStore
import EvalGuardSupport
import FoundationEssentials

/// `evalguard baseline`: write `.evals/baseline.json` from HEAD's result, for the user to commit.
struct BaselineCommand: Command {
    static let spec = CommandSpec(
        name: "baseline",
        abstract: "Write .evals/baseline.json from the result for HEAD (running the model if needed).",
        discussion: """
            The baseline is what every later change is measured against. It is a reviewed file: \
            commit it, and a reviewer sees in the diff which metrics and cases it changes.
            """,
        options: [
            .flag("fresh", help: "Run the model even when a result for the same inputs is stored."),
            .option(
                "suite", value: "name",
                help: "Record this suite anew and keep the others as .evals/baseline.json has them (repeatable).",
                repeating: true),
            RepeatOption.option, BatchOption.flag, BatchOption.maxWait,
        ])

    static func run(_ arguments: ParsedArguments, _ context: CommandContext) throws -> ExitCode {
        let workspace = try Workspace(directory: context.workingDirectory, environment: context.environment)
        let only = arguments.values("suite").isEmpty ? nil : arguments.values("suite")
        // With --suite the other suites come from the baseline file as it is: read it first, so that
        // a missing or broken one stops the command before the model runs.
        let previous = try only.map { _ in try currentBaseline(workspace) }
        try BatchOption.apply(arguments, to: workspace.evaluator, context, honoursConfigured: true)
        let evaluation = try workspace.evaluator.evaluate(
            .workingTree, fresh: arguments.flag("fresh"), repeats: try RepeatOption.value(arguments),
            only: only, progress: context.progressReporter())
        context.sayHowEvaluated(evaluation.result, reused: evaluation.reused, warnings: workspace.warnings)
        let (result, reused) = (
            only.map { evaluation.result.restricted(to: $0) } ?? evaluation.result, evaluation.reused
        )
        let baseline =
            previous.map { $0.replacingSuites(with: result, keeping: workspace.config.suites.map(\.name)) }
            ?? Baseline(result: result)
        let text = try baseline.rendered()
        try AtomicFile.write(text, to: workspace.root + "/" + Baseline.path)
        let source = reused ? "the stored result" : "a new run"
        let runs = result.repeats.map { ", \($0) runs per case" } ?? ""
        context.console.out(
            "wrote \(Baseline.path) from \(source)\(runs) for \(context.describe(workspace.head))\(result.dirty ? " (dirty working tree)" : "")"
        )
        if let only {
            let kept = baseline.suites.keys.filter { !only.contains($0) }.sorted()
            if !kept.isEmpty { context.console.out("  kept as they were: \(kept.joined(separator: ", "))") }
        }
        for suite in result.suites {
            let m = suite.metrics
            let cost = m.avgCostUSD.map { ", avg cost $\(Format.usd($0))" } ?? ""
            context.console.out(
                "  \(suite.name): accuracy \(Format.accuracy(m.accuracy)), p95 \(m.latencyMeasured ? Format.ms(m.p95LatencyMs) + " ms" : Metrics.notMeasuredInBatch)\(cost) over \(m.cases) cases"
            )
        }
        context.console.out(
            "Commit it so that checks use it:\n  git add \(Baseline.path)\n  git commit -m \"Update the evalguard baseline\""
        )
        return .pass
    }

    /// The working tree's baseline file, which `--suite` updates.
    static func currentBaseline(_ workspace: Workspace) throws -> Baseline {
        let path = workspace.root + "/" + Baseline.path
        guard let bytes = FileManager.default.contents(atPath: path) else {
            throw EvalGuardError(
                "--suite updates the named suites of \(Baseline.path), and there is none yet",
                hint: "Record every suite first: evalguard baseline", category: .usage)
        }
        return try Baseline.parse(Array(bytes), displayPath: Baseline.path)
    }
}
