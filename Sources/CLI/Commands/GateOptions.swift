import EvalGuardEvaluation
import EvalGuardGate
import EvalGuardSupport

/// The options the gate commands (`check`, `ci`) share, parsed once into a typed group; each
/// command adds its own subject, baseline and cache parts to the `GateRequest` they build.
struct GateOptions {
    static let settleFlag = OptionSpec.flag(
        "no-settle", help: "Decide on the first run alone: never ask the model again about the cases that differ from the baseline.")
    static let suiteOption = OptionSpec.option("suite", value: "name", help: "Gate this suite only (repeatable).", repeating: true)

    var format: OutputFormat
    /// `--suite` (nil: every suite).
    var only: [String]?
    var fresh: Bool
    var settle: Bool
    /// `--repeat` where the command has it.
    var repeats: Int?

    /// `repeating`: whether the command declares `--repeat`.
    init(_ arguments: ParsedArguments, formats: [OutputFormat], repeating: Bool) throws {
        format = try OutputFormat(arguments, allowed: formats)
        let suites = arguments.values("suite")
        only = suites.isEmpty ? nil : suites
        fresh = arguments.flag("fresh")
        settle = !arguments.flag("no-settle")
        repeats = repeating ? try RepeatOption.value(arguments) : nil
    }

    /// A request for `subject` against the baseline committed at `against`, kept (when it
    /// passes) under `cacheParts` and these options.
    func request(_ subject: EvaluationSubject, against: String, cacheParts: [String]?) -> GateRequest {
        var request = GateRequest(subject: subject, baselineAt: against)
        (request.only, request.fresh, request.settle, request.repeats) = (only, fresh, settle, repeats)
        request.cacheParts = cacheParts.map {
            $0 + [format.rawValue, only?.joined(separator: "\n") ?? "", repeats.map(String.init) ?? "", settle ? "settle" : "no-settle"]
        }
        return request
    }
}
