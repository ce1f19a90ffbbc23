import EvalGuardSupport

/// `max_cost_usd` (or `--max-cost`): the most a run may spend on model calls.
///
/// The cost of an answer is known only once it arrives, so the limit works from what answers
/// have cost so far: a request starts only while what is spent, plus the dearest answer yet for
/// each request in flight and for the new one, stays within the limit. Until the first answer
/// says what one costs, one request at a time goes out. When the next request would not fit,
/// no more start; the ones in flight finish, and the run stops (exit 3) saying what was spent.
package struct CostLimit: Sendable {
    package let maximumUSD: Double
    package private(set) var spentUSD = 0.0
    /// The dearest single answer so far; nil before any answer reported a cost.
    package private(set) var dearestUSD: Double?
    /// Set once a request could not start within the limit.
    package private(set) var reached = false

    /// `spentUSD`: what the run spent before (other models, judges, embeddings), counted
    /// against the same limit.
    package init(maximumUSD: Double, spentUSD: Double = 0) {
        self.maximumUSD = maximumUSD
        self.spentUSD = spentUSD
    }

    /// Whether one more request may start while `inFlight` are out.
    package mutating func allowsStart(inFlight: Int) -> Bool {
        if reached { return false }
        guard let dearest = dearestUSD else {
            // Nothing known yet: one request at a time; none at all under a limit of zero.
            if maximumUSD <= 0 { reached = true }
            return !reached && inFlight == 0
        }
        if spentUSD + dearest * Double(inFlight + 1) > maximumUSD {
            if inFlight == 0 { reached = true }
            return false
        }
        return true
    }

    /// An answer arrived costing `cost` (nil: the answer said nothing of its cost).
    /// An answer that says nothing of its cost counts as free.
    package mutating func record(_ cost: Double?) {
        let cost = cost ?? 0
        spentUSD += cost
        dearestUSD = max(dearestUSD ?? 0, cost)
    }

    /// The error that stops the run.
    package func exceeded(answered: Int, of total: Int) -> EvalGuardError {
        .evaluation(
            String(
                cFormat: "stopped before going over the cost limit of $%.4f: spent $%.4f on %ld of %ld requests",
                maximumUSD, spentUSD, answered, total),
            hint: "Raise max_cost_usd in .evals/evalguard.json or pass a higher --max-cost, or run fewer cases.")
    }
}

extension CostLimit {
    /// A cost limit that cannot be kept: an openai model without a price table cannot tell what
    /// an answer costs.
    package static func needsPrices(provider: String) -> EvalGuardError {
        EvalGuardError(
            "max_cost_usd (or --max-cost) needs a price table: without one evalguard cannot tell what an answer costs",
            file: ".evals/evalguard.json", hint: "Add .evals/prices.json with the model's prices, or drop the limit.")
    }

    /// A cost limit that cannot be kept: a command model (a judge, a model) answered without
    /// saying what the answer cost, so what it spends cannot be counted.
    package static func unreported(_ wording: ProviderWording, request: String) -> EvalGuardError {
        EvalGuardError(
            "max_cost_usd (or --max-cost) needs what each answer cost: \(wording.subject) (\(wording.settings)\(wording.usedBy.map { ", " + $0 } ?? "")) answered \(wording.request(request)) without \"cost_usd\"",
            file: ".evals/evalguard.json",
            hint:
                "Have the command write \"cost_usd\" (the answer's cost in US dollars) in every response line, or drop the limit."
        )
    }
}

/// A provider that stops before its answers, with the `spentBeforeUSD` spent before them, cost
/// more than `maxCostUSD` (nil: no limit).
package protocol CostLimited: AnyObject {
    var maxCostUSD: Double? { get set }
    var spentBeforeUSD: Double { get set }
}
