import EvalGuardSupport
import FoundationEssentials

/// `audit_sample`: how many of a suite's reused cases `ci` asks the model again before it trusts
/// stored answers (see `Evaluation.audit`).
///
/// - absent: the larger of 20 cases and 5 % of the reused cases (every case of a suite of 20 or fewer);
/// - a whole number of at least 1 (`50`): that many cases;
/// - a fraction between 0 and 1 (`0.1`) or a percentage string (`"10%"`, up to `"100%"`): that
///   share of the reused cases, rounded up.
///
/// Never more than the suite's reused cases. There is no zero: `ci --trust-stored` is the one
/// way to skip the audit, so it shows on the command line of the job that skipped it.
package enum AuditSample: Sendable, Equatable {
    case standard
    case count(Int)
    case fraction(Double)

    static let key = "audit_sample"
    static let standardMinimum = 20
    static let standardFraction = 0.05

    /// How many of `reused` cases to re-run.
    package func size(reused: Int) -> Int {
        guard reused > 0 else { return 0 }
        let wanted =
            switch self {
            case .standard: max(Self.standardMinimum, Self.share(Self.standardFraction, of: reused))
            case .count(let n): n
            case .fraction(let f): max(1, Self.share(f, of: reused))
            }
        return min(wanted, reused)
    }

    /// `ceil(f × n)`, without 0.07 × 100 becoming 8 through binary rounding.
    private static func share(_ f: Double, of n: Int) -> Int {
        Int((f * Double(n) - 1e-9).rounded(.up))
    }

    init(node: ConfigNode) throws {
        let hint =
            "Write a number of cases (\"audit_sample\": 50), a fraction of the reused cases (0.1) or a percentage (\"10%\"); "
            + "to skip the audit, run 'evalguard ci --trust-stored'."
        switch node.value {
        case .number(let n) where n >= 1:
            guard n == n.rounded(), n < 1e9 else {
                throw node.error("expected a whole number of cases, found \(n)", hint: hint)
            }
            self = .count(Int(n))
        case .number(let n) where n > 0:
            self = .fraction(n)
        case .string(let s) where s.hasSuffix("%"):
            guard let p = Double(s.dropLast().trimmingWhitespace()), p > 0, p <= 100 else {
                throw node.error("expected a percentage above 0 and up to 100, found \"\(s)\"", hint: hint)
            }
            self = .fraction(p / 100)
        case .number(let n):
            throw node.error("the audit needs at least one case, found \(n)", hint: hint)
        default:
            throw node.error(
                "expected a number of cases, a fraction or a percentage, found \(node.value.kindName)", hint: hint)
        }
    }
}
