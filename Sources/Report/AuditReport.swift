import EvalGuardEvaluation
import EvalGuardSupport

/// What `ci` did about stored answers before trusting them, as its reports word it.
package enum AuditStatus: Sendable, Equatable {
    /// `--trust-stored`: stored answers were reused without re-running any case.
    case skipped
    /// Per suite whose answers came from stored results (none: nothing was reused).
    case audited([SuiteAudit])

    /// "audit: 20 of 412 reused cases re-run, 20 matched", then one line per suite with its outcome.
    package var lines: [String] {
        switch self {
        case .skipped:
            return ["audit: skipped (--trust-stored): stored answers were reused without re-running any case"]
        case .audited(let suites) where suites.isEmpty:
            return ["audit: no stored answers were reused, nothing to audit"]
        case .audited(let suites):
            let (sampled, reused, matched) = suites.reduce((0, 0, 0)) {
                ($0.0 + $1.sampled.count, $0.1 + $1.reused, $0.2 + $1.matched)
            }
            let discarded = suites.filter { !$0.trusted }.map(\.suite)
            let outcome =
                discarded.isEmpty
                ? "stored answers kept"
                : "stored answers of \(discarded.joined(separator: ", ")) discarded, run in full"
            return ["audit: \(sampled) of \(reused) reused cases re-run, \(matched) matched: \(outcome)"]
                + suites.map { "  " + Self.line($0) }
        }
    }

    /// One suite: `router: 20 of 200 re-run, 17 matched (deterministic model: every answer must match): DISCARDED, ran in full; differed: r1, r4, r9`.
    static func line(_ a: SuiteAudit) -> String {
        var s = "\(a.suite): \(a.sampled.count) of \(a.reused) re-run, \(a.matched) matched"
        if a.noisy {
            s += " (noisy model: \(a.storedPassedOnly) passed only as stored, \(a.auditPassedOnly) only now"
            if let p = a.pValue { s += "; exact McNemar p \(Format.pValueRelation(p))" }
            s += ")"
        } else if !a.trusted {
            s += " (deterministic model: every answer must match)"
        }
        s += a.trusted ? ": kept" : ": DISCARDED, ran in full"
        if !a.mismatched.isEmpty {
            let shown = a.mismatched.prefix(Format.flipLimit).joined(separator: ", ")
            s +=
                "; differed: " + shown
                + (a.mismatched.count > Format.flipLimit ? ", … \(a.mismatched.count - Format.flipLimit) more" : "")
        }
        return s
    }

    /// For `--format json` readers: `{"skipped": bool, "sampled": n, "reused": n, "matched": n, "suites": {...}}`.
    package var json: JSONValue {
        guard case .audited(let suites) = self else { return .object(["skipped": .bool(true)]) }
        var entries: [String: JSONValue] = [:]
        for a in suites {
            var entry: [String: JSONValue] = [
                "reused": .number(Double(a.reused)), "sampled": .array(a.sampled.map(JSONValue.string)),
                "matched": .number(Double(a.matched)), "mismatched": .array(a.mismatched.map(JSONValue.string)),
                "model": .string(a.noisy ? "noisy" : "deterministic"), "kept": .bool(a.trusted),
            ]
            if a.noisy {
                entry["stored_passed_only"] = .number(Double(a.storedPassedOnly))
                entry["audit_passed_only"] = .number(Double(a.auditPassedOnly))
                entry["p_value"] = a.pValue.map(JSONValue.number) ?? .null
            }
            entries[a.suite] = .object(entry)
        }
        return .object([
            "skipped": .bool(false),
            "sampled": .number(Double(suites.reduce(0) { $0 + $1.sampled.count })),
            "reused": .number(Double(suites.reduce(0) { $0 + $1.reused })),
            "matched": .number(Double(suites.reduce(0) { $0 + $1.matched })),
            "suites": .object(entries),
        ])
    }

    /// The line for one suite of a JUnit report (a `<property name="evalguard.audit">`).
    func junitLine(suite: String) -> String {
        switch self {
        case .skipped: return lines[0]
        case .audited(let suites):
            return suites.first { $0.suite == suite }.map { "audit: " + Self.line($0) }
                ?? "audit: no stored answers reused"
        }
    }
}
