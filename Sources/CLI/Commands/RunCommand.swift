import EvalGuardEvaluation
import EvalGuardGit
import EvalGuardReport
import EvalGuardStore
import EvalGuardSupport
import FoundationEssentials

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `evalguard run`: evaluate the working tree (or a commit) and store the result.
struct RunCommand: Command {
    static let spec = CommandSpec(
        name: "run",
        abstract: "Run the model over every case and store the result for HEAD (or a commit).",
        discussion: """
            Runs the model configured in .evals/evalguard.json over every case of every suite, \
            prints a summary per suite, and writes .evals/results/<commit>.json. When the working \
            tree differs from HEAD in anything the model depends on, the result is marked dirty. \
            With --commit, the commit's own configuration and cases run in an isolated checkout: \
            the working tree, index and HEAD are not touched.
            """,
        options: [
            .option("commit", value: "rev", help: "Evaluate this commit instead of the working tree."),
            RepeatOption.option,
            MaxCostOption.option,
            BatchOption.flag,
            BatchOption.maxWait,
            ShardOption.option,
            .flag("fresh", help: "Ask the model about every case, reusing no stored answer."),
            .option("suite", value: "name", help: "Ask the model about this suite only (repeatable).", repeating: true),
            OutputFormat.option,
            .flag("timings", help: "Print evalguard's own CPU time per case and the model's wall time on stderr."),
        ])

    static func run(_ arguments: ParsedArguments, _ context: CommandContext) throws -> ExitCode {
        if let shard = try ShardOption.value(arguments) {
            return try ShardOption.run(shard, arguments, context, command: "run")
        }
        let format = try OutputFormat(arguments)
        let repeats = try RepeatOption.value(arguments)
        let fresh = arguments.flag("fresh")
        let suites = arguments.values("suite").isEmpty ? nil : arguments.values("suite")
        let result: RunResult
        let label: String
        let store: ResultStore
        let warnings: [String]
        let stored: Bool
        let started = monotonicNanoseconds()
        if let revision = arguments.value("commit") {
            let repository = try Repository.discover(from: context.workingDirectory)
            let evaluator = Evaluator(repository: repository, environment: context.environment)
            try MaxCostOption.apply(arguments, to: evaluator)
            try BatchOption.apply(arguments, to: evaluator, context, honoursConfigured: true)
            let evaluation = try evaluator.evaluate(
                .commit(try repository.resolveCommit(revision)), fresh: fresh, repeats: repeats, record: true,
                only: suites,
                progress: context.progressReporter())
            (result, stored) = (evaluation.result, evaluation.stored)
            label = "commit \(result.commit.prefix(7)) (evaluated in an isolated checkout)"
            (store, warnings) = (evaluator.store, evaluator.warnings)
        } else {
            let workspace = try Workspace(directory: context.workingDirectory, environment: context.environment)
            try MaxCostOption.apply(arguments, to: workspace.evaluator)
            try BatchOption.apply(arguments, to: workspace.evaluator, context, honoursConfigured: true)
            let evaluation = try workspace.evaluator.evaluate(
                .workingTree, fresh: fresh, repeats: repeats, record: true, only: suites,
                progress: context.progressReporter())
            (result, stored) = (evaluation.result, evaluation.stored)
            let dirty = result.dirty ? " (dirty: \(result.dirtyPaths?.count ?? 0) changed file(s))" : ""
            label = context.describe(workspace.head) + dirty
            (store, warnings) = (workspace.store, workspace.warnings)
        }
        for warning in warnings { context.console.err("warning: " + warning) }
        for line in result.reuseLines { context.console.err(line) }
        for line in result.judgeLines { context.console.err(line) }
        switch format {
        case .text:
            context.console.out(RunSummary.render(result), terminator: "")
            context.console.err(
                stored
                    ? "wrote \(store.displayPath(for: result.commit)) for \(label)"
                    : "--suite: not stored as the result of \(label), which needs every suite; its answers are kept for reuse"
            )
        case .json, .markdown:
            context.printJSON(try RunSummary.json(result))
        }
        if arguments.flag("timings") {
            context.console.err(timings(result, wallSeconds: Double(monotonicNanoseconds() - started) / 1e9))
        }
        return .pass
    }

    /// evalguard's own CPU (this process only: a command model's processes are not counted), for
    /// benchmarks: `evalguard CPU: 412 ms total, 206 µs per case; wall time 3.10 s, ...`.
    static func timings(_ result: RunResult, wallSeconds: Double) -> String {
        var usage = rusage()
        #if canImport(Glibc)
            getrusage(RUSAGE_SELF.rawValue, &usage)
        #else
            getrusage(RUSAGE_SELF, &usage)
        #endif
        func ms(_ t: timeval) -> Double { Double(t.tv_sec) * 1000 + Double(t.tv_usec) / 1000 }
        let cpu = ms(usage.ru_utime) + ms(usage.ru_stime)
        let m = result.overall
        return String(
            cFormat:
                "evalguard CPU: %.0f ms total, %.0f µs per case; wall time %.2f s for %ld cases; latency p50 %.2f ms, p95 %.2f ms",
            cpu, cpu * 1000 / Double(max(m.cases, 1)), wallSeconds, m.cases, m.p50LatencyMs, m.p95LatencyMs)
    }
}
