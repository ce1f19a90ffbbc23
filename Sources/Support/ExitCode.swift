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
