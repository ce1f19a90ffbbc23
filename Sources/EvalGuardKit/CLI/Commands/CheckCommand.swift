import Foundation

/// `evalguard check`: evaluate the working tree and hold it against the committed baseline.
struct CheckCommand: Command {
    static let spec = CommandSpec(
        name: "check",
        abstract: "Compare the working tree with the baseline committed at a revision.",
        discussion: """
            Evaluates the working tree (reusing the stored result when nothing the model depends \
            on changed) and compares it, suite by suite, with .evals/baseline.json as committed at \
            <rev>, never the working-tree copy. Exits 0 when every metric is within its threshold, \
            1 on a regression, 2 on bad usage or input, 3 when the model could not be evaluated.
            """,
        options: [
            .option("against", value: "rev", help: "The commit whose committed baseline to compare with.", defaultValue: "HEAD"),
            .flag("fresh", help: "Run the model even when a result for the same inputs is stored."),
            OutputFormat.option,
        ])

    static func run(_ arguments: ParsedArguments, _ context: CommandContext) throws -> ExitCode {
        let format = try OutputFormat(arguments)
        let workspace = try Workspace(directory: context.workingDirectory, environment: context.environment)
        let against = arguments.value("against") ?? "HEAD"
        let (baseline, baselineCommit) = try committedBaseline(in: workspace, at: against, context: context)
        let (result, reused) = try workspace.evaluateWorkingTree(fresh: arguments.flag("fresh"), progress: context.progressReporter())
        for warning in workspace.warnings { context.console.err("warning: " + warning) }
        if reused {
            context.console.err("note: reusing the stored result for \(String(result.commit.prefix(7))): nothing the model depends on changed")
        }
        let comparison = Gate.compare(baseline: baseline, current: result, config: workspace.config)
        var report = VerdictReport(
            comparison: comparison, current: result,
            subject: "evalguard check: \(context.describe(workspace.head))\(result.dirty ? " + uncommitted changes" : "")",
            baselineLabel: "the baseline committed at \(against) (\(String(baselineCommit.prefix(7))))")
        switch format {
        case .text:
            if comparison.suites.contains(where: { !$0.regressed.isEmpty || !$0.fixed.isEmpty }) {
                report.expected = try expectedAnswers(workspace)
            }
            context.console.out(report.text(), terminator: "")
        case .json:
            context.printJSON(report.json(extra: [
                "commit": .string(result.commit), "dirty": .bool(result.dirty), "reused_result": .bool(reused),
                "baseline": .object(["revision": .string(against), "commit": .string(baselineCommit)]),
            ]))
        }
        return comparison.verdict == .regression ? .regression : .pass
    }

    /// The baseline as committed at `revision`, read through libgit2. Says so when the working
    /// tree's copy differs, since that copy is not what the check uses.
    static func committedBaseline(in workspace: Workspace, at revision: String, context: CommandContext) throws -> (Baseline, String) {
        let commit = try workspace.repository.resolveCommit(revision)
        guard let bytes = try workspace.repository.fileContents(Baseline.path, atCommit: commit) else {
            throw EvalGuardError(
                "no baseline committed at \(revision) (\(String(commit.prefix(7)))): \(Baseline.path) is not in that commit",
                hint: "Create one and commit it:\n  evalguard baseline\n  git add \(Baseline.path)\n  git commit -m \"Record the evalguard baseline\"")
        }
        let working = FileManager.default.contents(atPath: workspace.root + "/" + Baseline.path).map(Array.init)
        if working != bytes {
            context.console.err("note: \(Baseline.path) in the working tree differs from the one committed at \(revision); checking against the committed one")
        }
        return (try Baseline.parse(bytes, displayPath: "\(revision):\(Baseline.path)"), commit)
    }

    /// Expected answers by suite and case, to print beside flipped cases.
    static func expectedAnswers(_ workspace: Workspace) throws -> [String: [String: JSONValue]] {
        let suites = try Evaluation.loadSuites(workspace.config) { path in
            FileManager.default.contents(atPath: workspace.root + "/" + path).map(Array.init)
        }
        return Dictionary(uniqueKeysWithValues: suites.map { s in
            (s.config.name, Dictionary(uniqueKeysWithValues: s.cases.map { ($0.id, $0.expected) }))
        })
    }
}
