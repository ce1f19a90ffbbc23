import EvalGuardCompare
import EvalGuardEvaluation
import EvalGuardGate
import EvalGuardGit
import EvalGuardReport
import EvalGuardStore
import EvalGuardSupport
import FoundationEssentials

/// `evalguard ci`: the CI step. Compares HEAD with the baseline committed at the merge-base of the
/// branch the change targets, and reports where the CI system shows it.
struct CICommand: Command {
    static let spec = CommandSpec(
        name: "ci",
        abstract: "Compare HEAD with the baseline at its merge-base with the target branch (for CI).",
        discussion: """
            The target branch is --base, else GITHUB_BASE_REF, else CI_MERGE_REQUEST_TARGET_BRANCH_NAME, \
            else the upstream of HEAD's branch. Prints the verdict like 'check', writes JUnit XML with \
            --junit, appends a markdown summary to $GITHUB_STEP_SUMMARY (or --markdown FILE), and on \
            GitHub Actions emits ::error annotations; --html writes the page of 'evalguard report', \
            to keep as a build artifact. Exits like 'check'. First, unless --no-fetch, it fetches the \
            stored results (refs/notes/evalguard) from origin, best effort, and in a shallow clone that \
            does not reach the merge-base it deepens the clone (git fetch --deepen) until it does. \
            Stored answers it reuses are audited: a seeded sample is asked of the model again, and a \
            suite whose answers do not match runs in full (see "audit_sample" in docs/configuration.md).
            """,
        options: [
            .option("base", value: "ref", help: "The branch or commit the change targets."),
            .option("junit", value: "file", help: "Write a JUnit XML report (one testcase per suite and metric)."),
            .option(
                "markdown", value: "file",
                help: "Append a markdown summary here (default: $GITHUB_STEP_SUMMARY when set)."),
            .option(
                "html", value: "file",
                help: "Write the HTML report (see 'evalguard report') here; the markdown summary says where."),
            .flag("fresh", help: "Run the model even when a result for the same inputs is stored."),
            .flag(
                "no-fetch", help: "Fetch neither the stored results (git notes) nor, in a shallow clone, more history."),
            GateOptions.suiteOption,
            ShardOption.option,
            BatchOption.flag,
            BatchOption.maxWait,
            .flag(
                "trust-stored",
                help: "Reuse stored answers without auditing them (no sample is asked of the model again)."),
            OutputFormat.option,
            GateOptions.settleFlag,
        ])

    static func run(_ arguments: ParsedArguments, _ context: CommandContext) throws -> ExitCode {
        let options = try GateOptions(arguments, formats: [.text, .json], repeating: false)
        if !arguments.flag("no-fetch") {
            context.console.err(CIFetch.notes(directory: context.workingDirectory, environment: context.environment))
        }
        if let shard = try ShardOption.value(arguments) {
            return try ShardOption.run(shard, arguments, context, command: "ci")
        }
        var workspace = try Workspace(directory: context.workingDirectory, environment: context.environment)
        let base = try detectBase(&workspace, arguments, context)
        let label =
            "the baseline at the merge-base \(base.mergeBase.prefix(7)) with \(base.reference) (from \(base.source))"
        let trust = arguments.flag("trust-stored")
        let secret = context.environment["EVALGUARD_AUDIT_KEY"]
        // A verdict is kept audit included (see GateSession.keep), per commit since the commit seeds
        // the audit's sample, with what ci printed; the HTML page is written anew each time.
        var request = options.request(
            .workingTree, against: base.mergeBase,
            cacheParts: arguments.value("html") != nil
                ? nil
                : [
                    "ci", label, context.describe(workspace.head), auditPart(trust: trust, secret: secret),
                    options.format.rawValue,
                    "commit " + workspace.head.commit,
                ])
        request.audit = trust ? nil : AuditRequest(secret: secret)
        try BatchOption.apply(arguments, to: workspace.evaluator, context, honoursConfigured: false)
        let session = GateSession(
            evaluator: workspace.evaluator, say: { context.console.err($0) }, progress: context.progressReporter())
        let run: GateRun
        switch try session.run(request) {
        case .passedBefore(let found):
            let hit = found.verdict
            context.console.out(hit.stdout, terminator: "")
            try writeReports(
                junit: hit.junit
                    ?? JUnitReport.xml(Comparison(suites: [], settings: workspace.config.verdict), audit: nil),
                markdown: hit.markdown ?? "", arguments, context)
            return .pass
        case .evaluated(let evaluated):
            run = evaluated
        }
        var report = VerdictReport(
            comparison: run.comparison, current: run.result,
            subject: "evalguard ci: \(context.describe(workspace.head))", baselineLabel: label)
        report.audit = options.fresh ? nil : trust ? AuditStatus.skipped : AuditStatus.audited(run.audit ?? [])
        report.expected = run.expected
        var output = ""
        if options.format == .json {
            JSONPretty.write(
                report.json(extra: ["merge_base": .string(base.mergeBase), "reuse": run.result.reuseJSON]), to: &output)
            output += "\n"
        } else {
            output = report.text()
        }
        context.console.out(output, terminator: "")
        let junit = JUnitReport.xml(run.comparison, audit: report.audit)
        var markdown = report.markdown()
        if let path = arguments.value("html") {
            try ReportCommand.write(
                report, baseline: run.baseline, workspace: workspace, window: .init(), to: path, context: context)
            markdown += ReportCommand.artifactNote(path, environment: context.environment)
        }
        try writeReports(junit: junit, markdown: markdown, arguments, context)
        if options.format == .text, context.environment["GITHUB_ACTIONS"] == "true" {
            for line in CIAnnotations.github(run.comparison) { context.console.out(line) }
        }
        for line in run.warnings { context.console.err(line) }
        session.keep(
            run, CachedVerdict(resultCommit: run.result.commit, stdout: output, junit: junit, markdown: markdown))
        return run.comparison.blocks ? .regression : .pass
    }

    /// What a cached `ci` verdict depends on of the audit: whether one ran, and under which secret
    /// (another secret draws another sample). The secret itself is only hashed into the digest.
    static func auditPart(trust: Bool, secret: String?) -> String {
        trust
            ? "trust-stored"
            : "audit " + (secret.map { GitHash.blobID(of: "evalguard audit key\n" + $0) } ?? "without a key")
    }

    /// Writes the JUnit report (--junit) and appends the markdown summary (--markdown, else
    /// $GITHUB_STEP_SUMMARY), when asked for.
    static func writeReports(junit: String, markdown: String, _ arguments: ParsedArguments, _ context: CommandContext)
        throws
    {
        if let path = arguments.value("junit") {
            try AtomicFile.writeOutput(junit, to: absolute(path, context))
        }
        if let path = arguments.value("markdown") ?? context.environment["GITHUB_STEP_SUMMARY"], !path.isEmpty {
            try AtomicFile.appendOutput(markdown, to: absolute(path, context))
        }
    }

    /// The merge-base; in a shallow clone that does not reach it, deepens the clone (git fetch
    /// --deepen, step by step) and looks again, saying on stderr what it fetched.
    static func detectBase(_ workspace: inout Workspace, _ arguments: ParsedArguments, _ context: CommandContext) throws
        -> CIBase
    {
        do {
            return try CIBase.detect(
                in: workspace.repository, explicit: arguments.value("base"), environment: context.environment)
        } catch let error as EvalGuardError where workspace.repository.isShallow && !arguments.flag("no-fetch") {
            let target = try CIBase.target(
                in: workspace.repository, explicit: arguments.value("base"), environment: context.environment)
            let deepened = CIFetch.deepen(
                directory: context.workingDirectory, reference: target.reference, environment: context.environment)
            guard deepened.found else {
                var failed = error
                if !deepened.commands.isEmpty {
                    failed.hint =
                        (failed.hint.map { $0 + "\n" } ?? "") + "evalguard tried: "
                        + deepened.commands.joined(separator: "; ")
                }
                throw failed
            }
            context.console.err(
                "note: this clone was too shallow to hold the merge-base with \(target.reference); fetched more history: "
                    + deepened.commands.joined(separator: "; "))
            // A new repository handle: libgit2 read the shallow boundary when it opened the clone.
            workspace = try Workspace(directory: context.workingDirectory, environment: context.environment)
            return try CIBase.detect(
                in: workspace.repository, explicit: arguments.value("base"), environment: context.environment)
        }
    }

    static func absolute(_ path: String, _ context: CommandContext) -> String {
        path.hasPrefix("/") ? path : context.workingDirectory + "/" + path
    }
}
