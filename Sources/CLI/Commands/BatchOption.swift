import EvalGuardEvaluation
import EvalGuardReport
import EvalGuardRunner
import EvalGuardSupport

/// `--batch` and `--max-wait`: whether the models' requests go through their provider's batch
/// API (half the price, answers within hours, latency not measured), and how long one run waits.
enum BatchOption {
    static let flag = OptionSpec.flag(
        "batch",
        help: "Send the models' requests through their provider's batch API (half the price; latency is not measured).")
    static let maxWait = OptionSpec.option(
        "max-wait", value: "duration",
        help:
            "With a batch: stop waiting after this long (90s, 30m, 2h; exit 3); the batch keeps running and --batch again resumes it."
    )

    /// Sets how `evaluator` batches: every model with `--batch`; with `honoursConfigured` (run,
    /// baseline), the models with `"batch": true`; else none.
    static func apply(
        _ arguments: ParsedArguments, to evaluator: Evaluator, _ context: CommandContext, honoursConfigured: Bool
    ) throws {
        let wait = try arguments.value("max-wait").map(duration)
        let scope: BatchRequest.Scope? = arguments.flag("batch") ? .every : honoursConfigured ? .configured : nil
        guard let scope else { return }
        let console = context.console
        let progress: (BatchProgress) -> Void =
            console.isStderrTerminal
            ? { p in
                console.err(
                    "\rbatch \(Format.safe(p.batchID)): \(Format.safe(p.status)), \(p.done)/\(p.total) requests",
                    terminator: "\u{1B}[K")
            } : { _ in }
        evaluator.batch = BatchRequest(
            scope: scope, maxWaitSeconds: wait, root: evaluator.repository.root,
            say: { console.err((console.isStderrTerminal ? "\r\u{1B}[K" : "") + Format.safe($0)) }, progress: progress)
    }

    /// `90s`, `30m`, `2h`, `1d`, or a number of seconds.
    static func duration(_ text: String) throws -> Double {
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
        let unit = text.last.flatMap { units[$0] }
        guard let n = Double(unit == nil ? text : String(text.dropLast())), n.isFinite, n >= 0 else {
            throw UsageError("Invalid value '\(text)' for '--max-wait': expected a duration such as 90s, 30m or 2h.")
        }
        return n * (unit ?? 1)
    }
}
