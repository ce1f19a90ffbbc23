import EvalGuardSupport

/// What `check` does with a metric that is beyond its threshold but not significant.
package enum InconclusivePolicy: String, Sendable, Equatable {
    /// Exit 0, with a loud warning on stderr (the default: a gate that blocks on noise gets bypassed).
    case pass
    /// Exit 1, as for a regression.
    case fail

    /// `"on_inconclusive"`, at the top level or in a suite.
    init(node: ConfigNode) throws {
        let raw = try node.string()
        guard let policy = InconclusivePolicy(rawValue: raw) else {
            throw node.error("on_inconclusive must be \"pass\" or \"fail\", found \"\(raw)\"")
        }
        self = policy
    }
}

/// What the accuracy gate does with flaky cases (outcomes that disagree across repeats).
package enum FlakyPolicy: String, Sendable, Equatable {
    /// Keep them in the accuracy gate at their pass rates (the default); they are still listed.
    case include
    /// Leave them out of the accuracy gate; the report lists them and says so.
    case exclude
}

/// How noise is handled: how often each case runs, the significance level, and the two
/// policies. Top-level keys of `.evals/evalguard.json`: `repeat`, `alpha`, `on_inconclusive`,
/// `flaky`.
package struct VerdictSettings: Sendable, Equatable {
    /// Runs per case (`--repeat` overrides it). 1 = no repeats.
    package var repeats: Int
    /// Significance level: a metric beyond its threshold is a regression only when the chance
    /// that noise alone produced a change that large is below `alpha`.
    package var alpha: Double
    package var onInconclusive: InconclusivePolicy
    package var flaky: FlakyPolicy

    package static let defaults = VerdictSettings(repeats: 1, alpha: 0.05, onInconclusive: .pass, flaky: .include)

    /// Levels above 0.25 would make "significant" mean little, and the latency interval's
    /// confidence (1 - 2 alpha) must stay positive.
    static let alphaRange = 0.000_001...0.25

    static let keys = ["repeat", "alpha", "on_inconclusive", "flaky"]

    init(repeats: Int, alpha: Double, onInconclusive: InconclusivePolicy, flaky: FlakyPolicy) {
        self.repeats = repeats
        self.alpha = alpha
        self.onInconclusive = onInconclusive
        self.flaky = flaky
    }

    /// Reads the four keys from the configuration's top-level members; absent ones keep their defaults.
    init(members: [String: ConfigNode]) throws {
        self = .defaults
        if let node = members["repeat"] {
            repeats = try node.positiveInt()
            guard repeats <= 1000 else { throw node.error("repeat \(repeats) is more than 1000 runs per case") }
        }
        if let node = members["alpha"] { alpha = try node.number(in: Self.alphaRange) }
        if let node = members["on_inconclusive"] { onInconclusive = try InconclusivePolicy(node: node) }
        if let node = members["flaky"] {
            let raw = try node.string()
            guard let policy = FlakyPolicy(rawValue: raw) else {
                throw node.error("flaky must be \"include\" or \"exclude\", found \"\(raw)\"")
            }
            flaky = policy
        }
    }
}
