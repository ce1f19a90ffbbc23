/// evalguard's exit codes. Each means one thing, so hooks and CI can act on them.
package enum ExitCode: Int32, Sendable {
    /// Everything within thresholds (in `--bisect` mode: the commit is good).
    case pass = 0
    /// A metric regressed beyond its threshold (in `--bisect` mode: the commit is bad).
    case regression = 1
    /// Bad usage, configuration or input: the user has something to fix.
    case usage = 2
    /// Could not evaluate: the model crashed, timed out or is missing.
    case couldNotEvaluate = 3
    /// `git bisect run`'s "skip this commit".
    case bisectSkip = 125
    /// Stopped by Ctrl-C or SIGTERM (128 + SIGINT, as shells report it).
    case interrupted = 130
}

/// What kind of failure an error is. The exit code follows from the category here and nowhere
/// else; README's exit-code section shows the same table.
package enum ErrorCategory: String, Sendable, CaseIterable {
    /// A mistake on the command line.
    case usage
    /// Configuration, case files, baseline or prices that need fixing.
    case input
    /// The repository could not be read (a missing or corrupt object, a libgit2 failure).
    case git
    /// The model crashed, timed out, or its tool is missing.
    case model
    /// Results could not be stored (the directory is blocked, unwritable, or the disk is full).
    case store
    /// Ctrl-C or SIGTERM.
    case interrupted

    package var exitCode: ExitCode {
        switch self {
        case .usage, .input: .usage
        case .git, .model, .store: .couldNotEvaluate
        case .interrupted: .interrupted
        }
    }

    /// Under `check --bisect` only a verdict may say good or bad: every other failure asks
    /// `git bisect run` to skip the commit (125), except an interruption, which must stop the
    /// whole bisection (an exit code above 127 aborts it).
    package var bisectExitCode: ExitCode { self == .interrupted ? .interrupted : .bisectSkip }

    /// The category of any error a command throws. An error that is not one of ours (from
    /// Foundation) says what failed but not what to do; it comes from writing or reading files.
    package init(of error: any Error) {
        self = (error as? any CategorizedError)?.category ?? .store
    }
}

/// An error that knows its category (and so its exit code).
package protocol CategorizedError: Error {
    var category: ErrorCategory { get }
}

extension ExitCode {
    /// The exit code for an error a command threw (`bisect`: under `check --bisect`).
    package static func of(_ error: any Error, bisect: Bool = false) -> ExitCode {
        let category = ErrorCategory(of: error)
        return bisect ? category.bisectExitCode : category.exitCode
    }
}
