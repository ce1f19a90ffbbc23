import EvalGuardEvaluation
import EvalGuardGate
import EvalGuardSupport

/// The options the gate commands (`check`, `ci`) share, parsed once into a typed group; each
/// command adds its own subject, baseline and cache parts to the `GateRequest` they build.
struct GateOptions {
    static let settleFlag = OptionSpec.flag(
        "no-settle",
        help: "Decide on the first run alone: never ask the model again about the cases that differ from the baseline.")
    static let suiteOption = OptionSpec.option(
        "suite", value: "name", help: "Gate this suite only (repeatable).", repeating: true)

    var format: OutputFormat
    /// `--suite` (nil: every suite).
    var only: [String]?
    var fresh: Bool
    var settle: Bool
    /// `--repeat` where the command has it.
    var repeats: Int?
    /// `--batch`: a batched evaluation measures no latency, so its verdict is kept apart.
    var batch: Bool

    /// `repeating`: whether the command declares `--repeat`.
    init(_ arguments: ParsedArguments, formats: [OutputFormat], repeating: Bool) throws {
        format = try OutputFormat(arguments, allowed: formats)
        let suites = arguments.values("suite")
        only = suites.isEmpty ? nil : suites
        fresh = arguments.flag("fresh")
        settle = !arguments.flag("no-settle")
        repeats = repeating ? try RepeatOption.value(arguments) : nil
        batch = arguments.flag("batch")
    }

    /// A request for `subject` against the baseline committed at `against`, kept (when it
    /// passes) under these options and `cacheParts` (what else decides it for this command),
    /// with what the command prints kept as `rendering` (see `GateRequest.rendering`).
    func request(_ subject: EvaluationSubject, against: String, cacheParts: [String]?, rendering: String? = nil)
        -> GateRequest
    {
        var request = GateRequest(subject: subject, baselineAt: against)
        (request.only, request.fresh, request.settle, request.repeats) = (only, fresh, settle, repeats)
        request.cacheParts = cacheParts.map {
            GateRequest.verdictParts(only: only, repeats: repeats, settle: settle) + (batch ? ["batch"] : []) + $0
        }
        request.rendering = rendering
        return request
    }
}
