import EvalGuardGit
import EvalGuardSupport

/// `evalguard sync`: exchange stored results (git notes) with a remote, losing none.
struct SyncCommand: Command {
    static let spec = CommandSpec(
        name: "sync",
        abstract: "Fetch and push the stored results (refs/notes/evalguard) with a remote.",
        discussion: """
            Fetches the remote's refs/notes/evalguard, merges it into the local notes with git's \
            cat_sort_uniq strategy (a commit evaluated on both sides keeps both results, one per line; \
            readers pick the one whose inputs match), then pushes the merged notes without force, \
            fetching and merging again if someone pushed in between. REMOTE defaults to origin (or the \
            only remote). Runs git, which must be on PATH, with prompts for credentials turned off.
            """,
        options: [.flag("no-push", help: "Only fetch and merge the remote's results.")],
        arguments: [PositionalSpec(name: "remote", help: "The remote to sync with (default: origin).", optional: true)])

    static func run(_ arguments: ParsedArguments, _ context: CommandContext) throws -> ExitCode {
        let repository = try Repository.discover(from: context.workingDirectory)
        var named = arguments.positional("remote")
        do throws(NotesSync.Failure) {
            if named == nil {
                named = try NotesSync.defaultRemote(directory: repository.root, environment: context.environment)
            }
        } catch {
            throw EvalGuardError.evaluation("evalguard sync: " + error.message, hint: error.hint)
        }
        guard let remote = named else {
            throw EvalGuardError(
                "this repository has no remote to sync results with",
                hint: "Add one (git remote add origin URL), or name it: evalguard sync REMOTE")
        }
        let sync = NotesSync(directory: repository.root, remote: remote, environment: context.environment)
        do throws(NotesSync.Failure) {
            switch try sync.fetch() {
            case .merged:
                context.console.err(
                    "fetched the results stored on \(remote) and merged them into \(Repository.notesRef)")
            case .noNotes: context.console.err("\(remote) has no stored results yet")
            }
            if arguments.flag("no-push") { return .pass }
            if try sync.push() {
                context.console.err("pushed \(Repository.notesRef) to \(remote)")
            } else {
                context.console.err("no local results to push")
            }
        } catch {
            throw EvalGuardError.evaluation(
                "evalguard sync: " + error.message,
                hint: error.hint ?? "Check that '\(remote)' is reachable: git fetch \(remote)")
        }
        return .pass
    }
}
