import EvalGuardConfig
import EvalGuardSupport
import FoundationEssentials

/// Sums of amounts of money without binary rounding: per-case costs are decimal numbers
/// (0.0015 USD, from token counts and a price table), and adding them as doubles gives
/// 0.30000000000000004 for 0.1 + 0.2, a difference a cost comparison would then report.
package enum Money {
    /// The exact decimal sum of the amounts as written (each double's shortest decimal form),
    /// rounded to a double once at the end.
    package static func sum(_ amounts: [Double]) -> Double {
        var total = Decimal(0)
        for amount in amounts {
            guard amount.isFinite, let d = Decimal(string: "\(amount)", locale: Locale(identifier: "en_US_POSIX"))
            else {
                return amounts.reduce(0, +)
            }
            total += d
        }
        return PriceTable.Price.double(total) // the exact digits rounded once, correctly
    }
}
