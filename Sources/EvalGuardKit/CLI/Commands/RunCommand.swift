#if canImport(Glibc)
import Glibc
import Foundation
#elseif canImport(Darwin)
import Darwin
#endif

/// `evalguard run`: evaluate the working tree and store the result for HEAD.
struct RunCommand: Command {
    static let spec = CommandSpec(
        name: "run",
        abstract: "Run the model over every case and store the result for HEAD.",
        discussion: """
            Runs the model configured in .evals/evalguard.json over every case of every suite, \
            prints a summary per suite, and writes .evals/results/<commit>.json. When the working \
            tree differs from HEAD in anything the model depends on, the result is marked dirty.
            """,
        options: [OutputFormat.option,
                  .flag("timings", help: "Print evalguard's own CPU time per case and the model's wall time on stderr.")])

    static func run(_ arguments: ParsedArguments, _ context: CommandContext) throws -> ExitCode {
        let format = try OutputFormat(arguments)
        let workspace = try Workspace(directory: context.workingDirectory, environment: context.environment)
        let (result, _) = try workspace.evaluateWorkingTree(fresh: true, progress: context.progressReporter())
        for warning in workspace.warnings { context.console.err("warning: " + warning) }
        switch format {
        case .text:
            context.console.out(RunSummary.render(result), terminator: "")
            let dirty = result.dirty ? " (dirty: \(result.dirtyPaths?.count ?? 0) changed file(s))" : ""
            context.console.err("wrote \(workspace.store.displayPath(for: result.commit)) for \(context.describe(workspace.head))\(dirty)")
        case .json:
            context.printJSON(try RunSummary.json(result))
        }
        if arguments.flag("timings") { context.console.err(timings(result, workspace)) }
        return .pass
    }

    /// evalguard's own CPU (this process only: a command model's processes are not counted), for
    /// benchmarks: `evalguard CPU: 412 ms total, 206 µs per case; model wall time 3.10 s, ...`.
    static func timings(_ result: RunResult, _ workspace: Workspace) -> String {
        var usage = rusage()
        #if canImport(Glibc)
        getrusage(RUSAGE_SELF.rawValue, &usage)
        #else
        getrusage(RUSAGE_SELF, &usage)
        #endif
        func ms(_ t: timeval) -> Double { Double(t.tv_sec) * 1000 + Double(t.tv_usec) / 1000 }
        let cpu = ms(usage.ru_utime) + ms(usage.ru_stime)
        let m = result.overall
        return String(format: "evalguard CPU: %.0f ms total, %.0f µs per case; model wall time %.2f s for %d cases; latency p50 %.2f ms, p95 %.2f ms",
                      cpu, cpu * 1000 / Double(max(m.cases, 1)), workspace.modelWallSeconds ?? 0, m.cases,
                      m.p50LatencyMs, m.p95LatencyMs)
    }
}
