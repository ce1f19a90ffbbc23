import EvalGuardSupport

/// `"settle": {"max_repeats": 5}`: how far `check`, `ci` and the pre-push hook go to settle an
/// inconclusive accuracy verdict by asking the model again about the cases whose outcome differs
/// from the baseline. Allowed at the top level (every suite) and in a suite (that suite; it
/// overrides the top level). On by default; `"max_repeats": 0` switches it off.
package struct SettleSettings: Sendable, Equatable {
    /// The most times one case is asked again. 0: never settle.
    package var maxRepeats: Int

    package static let defaults = SettleSettings(maxRepeats: 5)
    package static let off = SettleSettings(maxRepeats: 0)

    package init(maxRepeats: Int) {
        self.maxRepeats = maxRepeats
    }

    package var enabled: Bool { maxRepeats > 0 }

    /// Reads `{"max_repeats": n}`; absent keys keep `inherited`.
    init(node: ConfigNode, inherited: SettleSettings) throws {
        self = inherited
        let members = try node.object(allowed: ["max_repeats"])
        if let n = members["max_repeats"] {
            let value = try n.number()
            guard value >= 0, value <= 100, value == value.rounded() else {
                throw n.error(
                    "max_repeats must be a whole number from 0 to 100, found \(Format.plain(value))",
                    hint: "0 switches settling off; 5 is the default.")
            }
            maxRepeats = Int(value)
        }
    }
}

private enum Format {
    static func plain(_ v: Double) -> String { v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : String(v) }
}

extension EvalConfig {
    /// The configuration with settling switched off everywhere (`--no-settle`).
    package func withoutSettling() -> EvalConfig {
        var copy = self
        copy.settle = .off
        for i in copy.suites.indices { copy.suites[i].settle = .off }
        return copy
    }
}
