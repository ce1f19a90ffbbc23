import EvalGuardStore
import EvalGuardSupport

/// A suite whose judge differs between the baseline and the current result. Grades of two
/// different judges are not comparable (a stricter rubric "regresses" every case, a swapped
/// judge model moves accuracy by itself), so such a comparison is refused rather than gated.
package struct JudgeChange: Sendable, Equatable {
    package var suite: String
    /// What changed, one phrase each: `rubric 1a2b3c4 → 5d6e7f8`, `judge model settings`.
    package var differences: [String]

    /// Every suite present on both sides whose judge fingerprints differ (a suite judged on one
    /// side only counts too).
    package static func find(baseline: Baseline, current: RunResult) -> [JudgeChange] {
        current.suites.compactMap { suite in
            guard let before = baseline.suites[suite.name] else { return nil }
            let now = suite.judge?.stamp
            guard before.judge?.fingerprint != now?.fingerprint else { return nil }
            return JudgeChange(suite: suite.name, differences: describe(before.judge?.settings, now?.settings))
        }
    }

    static func describe(_ before: JSONValue?, _ now: JSONValue?) -> [String] {
        guard let before, let now else {
            return [
                before == nil
                    ? "the baseline was not scored by a judge; now the judge '\(now?["judge"]?.stringValue ?? "?")' scores it"
                    : "the baseline was scored by the judge '\(before?["judge"]?.stringValue ?? "?")'; now no judge scores it"
            ]
        }
        var out: [String] = []
        let keys = Set((before.objectValue ?? [:]).keys).union((now.objectValue ?? [:]).keys).sorted()
        for key in keys where before[key] != now[key] {
            let name = key == "model" ? "judge model settings" : key
            switch (before[key], now[key]) {
            case (.string(let a)?, .string(let b)?):
                out.append("\(name) \(a.suffix(40).prefix(12)) → \(b.suffix(40).prefix(12))")
            case (let a?, let b?) where key != "model": out.append("\(name) \(a.canonicalText) → \(b.canonicalText)")
            case (let a?, let b?):
                let (ma, mb) = (a.objectValue ?? [:], b.objectValue ?? [:])
                let changed = Set(ma.keys).union(mb.keys).filter { ma[$0] != mb[$0] }.sorted()
                out.append(
                    "\(name) ("
                        + changed.map {
                            "\($0): \(ma[$0]?.canonicalText ?? "unset") → \(mb[$0]?.canonicalText ?? "unset")"
                        }.joined(separator: ", ") + ")")
            default: out.append(name)
            }
        }
        return out.isEmpty ? ["fingerprint"] : out
    }

    /// The refusal `check`, `ci` and the pre-push hook give (exit 2), with the command that
    /// re-records the baseline under the current judge.
    package static func refusal(_ changes: [JudgeChange]) -> EvalGuardError {
        let lines = changes.map { "  \($0.suite): " + $0.differences.joined(separator: "; ") }
        return EvalGuardError(
            "the judge changed since the baseline was recorded, so its grades cannot be compared:\n"
                + lines.joined(separator: "\n"),
            file: Baseline.path,
            hint: "If the new judge is intended, re-record the baseline with it and commit it:\n"
                + "  evalguard baseline && git add \(Baseline.path) && git commit -m \"Re-record the baseline with the new judge\""
        )
    }
}
