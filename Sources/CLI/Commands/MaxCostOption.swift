import EvalGuardEvaluation
import FoundationEssentials

/// `--max-cost USD`: the most this run may spend on model calls; overrides `max_cost_usd`.
enum MaxCostOption {
    static let option = OptionSpec.option(
        "max-cost", value: "usd",
        help: "Stop before spending more than this many US dollars on model calls (exit 3); overrides \"max_cost_usd\"."
    )

    static func value(_ arguments: ParsedArguments) throws -> Double? {
        guard let text = arguments.value("max-cost") else { return nil }
        let trimmed = text.hasPrefix("$") ? String(text.dropFirst()) : text
        guard let usd = Double(trimmed), usd.isFinite, usd >= 0 else {
            throw UsageError(
                "Invalid value '\(text)' for '--max-cost': expected an amount in US dollars, such as 2.50.")
        }
        return usd
    }

    static func apply(_ arguments: ParsedArguments, to evaluator: Evaluator) throws {
        if let usd = try value(arguments) { evaluator.maxCostUSD = usd }
    }
}
