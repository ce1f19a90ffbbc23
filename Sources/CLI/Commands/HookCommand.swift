import EvalGuardGate
import EvalGuardGit
import EvalGuardReport
import EvalGuardSupport

/// `evalguard hook pre-push <remote> <url>`: what the installed git hook calls.
struct HookCommand: Command {
    static let spec = CommandSpec(
        name: "hook",
        abstract: "Run evalguard as a git hook (the installed pre-push hook calls this).",
        discussion: """
            'evalguard hook pre-push <remote> <url>' reads git's pre-push input on stdin (under the \
            pre-commit framework, its PRE_COMMIT_FROM_REF, PRE_COMMIT_TO_REF, PRE_COMMIT_REMOTE_BRANCH \
            and PRE_COMMIT_REMOTE_NAME instead). Each \
            pushed commit is evaluated in an isolated checkout (or its stored result reused) and \
            compared with the baseline committed at the remote's tip; a regression blocks the push.
            """,
        arguments: [
            PositionalSpec(name: "hook", help: "The git hook: pre-push."),
            PositionalSpec(
                name: "git-arguments", help: "What git passes the hook: the remote's name and URL.", optional: true,
                repeating: true),
        ])

    static func run(_ arguments: ParsedArguments, _ context: CommandContext) throws -> ExitCode {
        guard arguments.positional("hook") == "pre-push" else {
            throw UsageError("Unknown hook '\(arguments.positional("hook") ?? "")': evalguard runs as a pre-push hook.")
        }
        let repository = try Repository.discover(from: context.workingDirectory)
        // Under the pre-commit framework git's input never arrives: the push is in PRE_COMMIT_*.
        let preCommit = try PreCommitPush(environment: context.environment, repository: repository)
        let remote = preCommit?.remote ?? arguments.positionals("git-arguments").first ?? "origin"
        let refs = try preCommit.map { [$0.ref] } ?? PushedRef.parse(context.readStandardInput())
        let hook = PrePushHook(repository: repository, remote: remote)
        let bypass = preCommit == nil ? PushReport.plainBypass : PushReport.preCommitBypass
        var status = ExitCode.pass
        for ref in refs {
            do {
                let outcome = try hook.check(
                    ref, progress: context.progressReporter(), say: { context.console.err($0) })
                context.console.err(PushReport.text(outcome, bypass: bypass), terminator: "")
                if case .checked(let check) = outcome {
                    for line in check.run.warnings { context.console.err(line) }
                    if !check.passed { status = .regression }
                }
            } catch let error as EvalGuardError {
                context.console.err(error.description)
                context.console.err(
                    "evalguard blocked this push: \(ref.localRef) could not be evaluated.\n  push anyway: \(bypass)")
                return error.exitCode
            }
        }
        return status
    }
}
