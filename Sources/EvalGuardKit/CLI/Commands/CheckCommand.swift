import Foundation

/// `evalguard check`: evaluate the working tree and hold it against the committed baseline.
struct CheckCommand: Command {
    static let spec = CommandSpec(
        name: "check",
        abstract: "Compare the working tree with the baseline committed at a revision.",
        discussion: """
            Evaluates the working tree (reusing the stored result when nothing the model depends \
            on changed) and compares it, suite by suite, with .evals/baseline.json as committed at \
            <rev>, never the working-tree copy. A metric beyond its threshold is a regression only \
            when the change is significant (alpha in the configuration, default 0.05); otherwise it \
            is inconclusive, which passes with a warning unless on_inconclusive is "fail". \
            Exits 0 when every metric passes, 1 on a regression, 2 on bad usage or input, 3 when \
            the model could not be evaluated.
            """,
        options: [
            .option("against", value: "rev", help: "The commit whose committed baseline to compare with.", defaultValue: "HEAD"),
            .flag("fresh", help: "Run the model even when a result for the same inputs is stored."),
            RepeatOption.option,
            OutputFormat.withMarkdown,
        ])

    static func run(_ arguments: ParsedArguments, _ context: CommandContext) throws -> ExitCode {
        let format = try OutputFormat(arguments, allowed: [.text, .json, .markdown])
        let repeats = try RepeatOption.value(arguments)
        let workspace = try Workspace(directory: context.workingDirectory)
        let against = arguments.value("against") ?? "HEAD"
        let (baseline, baselineCommit) = try committedBaseline(in: workspace, at: against, context: context)
        let evaluation = try workspace.evaluateWorkingTree(fresh: arguments.flag("fresh"), repeats: repeats, progress: context.progressReporter())
        let (result, reused) = (evaluation.result, evaluation.reused)
        if reused {
            context.console.err("note: reusing the stored result of \(String(result.commit.prefix(7))): nothing the model depends on changed since")
        }
        let comparison = Gate.compare(baseline: baseline, current: result, config: workspace.config)
        var report = VerdictReport(
            comparison: comparison, current: result,
            subject: "evalguard check: \(context.describe(workspace.head))\(evaluation.dirty ? " + uncommitted changes" : "")",
            baselineLabel: "the baseline committed at \(against) (\(String(baselineCommit.prefix(7))))")
        switch format {
        case .text, .markdown:
            if comparison.suites.contains(where: { !$0.regressed.isEmpty || !$0.fixed.isEmpty }) {
                report.expected = try expectedAnswers(workspace)
            }
            context.console.out(format == .text ? report.text() : report.markdown(), terminator: "")
        case .json:
            context.printJSON(report.json(extra: [
                "commit": .string(workspace.head.commit), "dirty": .bool(evaluation.dirty),
                "result_commit": .string(result.commit), "reused_result": .bool(reused),
                "baseline": .object(["revision": .string(against), "commit": .string(baselineCommit)]),
            ]))
        }
        warnAboutNoise(comparison, context: context)
        return comparison.blocks ? .regression : .pass
    }

    /// An inconclusive result must never pass quietly: say so on stderr, whatever the format.
    static func warnAboutNoise(_ comparison: Comparison, context: CommandContext) {
        for suite in comparison.suites where suite.flakyExcluded {
            context.console.err("warning: \(suite.name): \(suite.flaky.count) flaky case(s) left out of the accuracy gate (flaky: exclude)")
        }
        let inconclusive = comparison.inconclusives
        guard !inconclusive.isEmpty else { return }
        let list = inconclusive.map { "\($0.suite) \($0.metric.metric.rawValue)" }.joined(separator: ", ")
        let outcome = comparison.verdict == .regression ? "" : comparison.settings.onInconclusive == .pass
            ? " PASSING anyway because on_inconclusive is \"pass\"."
            : " FAILING because on_inconclusive is \"fail\"."
        context.console.err("warning: INCONCLUSIVE: \(list) beyond the threshold but not distinguishable from noise.\(outcome)")
        for (suite, metric) in inconclusive {
            if let advice = metric.advice { context.console.err("  \(suite) \(metric.metric.rawValue): \(advice)") }
        }
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
