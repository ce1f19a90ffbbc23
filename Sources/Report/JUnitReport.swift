import EvalGuardCompare
import EvalGuardSupport

/// A comparison as JUnit XML, the format GitLab, Jenkins and most CI systems read for test
/// reports: one testsuite per evalguard suite, one testcase per gated metric. A metric that blocks
/// (a regression, or an inconclusive one under `on_inconclusive: "fail"`, the suite's own or the
/// top level's) is a failure carrying the numbers; an inconclusive one that passes says so as a
/// warning with what would settle it; a metric not gated is skipped.
package enum JUnitReport {
    /// With `audit` (from `ci`), each testsuite carries a `<property name="evalguard.audit">`
    /// saying what the audit of its stored answers found.
    package static func xml(_ comparison: Comparison, audit: AuditStatus? = nil) -> String {
        func fails(_ m: MetricComparison, _ suite: SuiteComparison) -> Bool {
            m.verdict == .regression || (m.verdict == .inconclusive && comparison.policy(of: suite) == .fail)
        }
        let cases = comparison.suites.flatMap { s in s.metrics.map { (s, $0) } }
        let failures = cases.filter { fails($0.1, $0.0) }.count
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<testsuites name=\"evalguard\" tests=\"\(cases.count)\" failures=\"\(failures)\">\n"
        for suite in comparison.suites {
            let suiteFailures = suite.metrics.filter { fails($0, suite) }.count
            let skipped = suite.metrics.filter { $0.verdict == .skipped }.count
            out +=
                "  <testsuite name=\"\(escape(suite.name))\" tests=\"\(suite.metrics.count)\" failures=\"\(suiteFailures)\" skipped=\"\(skipped)\">\n"
            if let audit {
                out +=
                    "    <properties>\n      <property name=\"evalguard.audit\" value=\"\(escape(audit.junitLine(suite: suite.name)))\"/>\n    </properties>\n"
            }
            for m in suite.metrics {
                out +=
                    "    <testcase classname=\"evalguard.\(escape(suite.name))\" name=\"\(m.metric.rawValue)\" time=\"0\""
                let figures =
                    "baseline \(Format.value(m.baseline, of: m.metric)), current \(Format.value(m.current, of: m.metric)), delta \(Format.delta(m)), threshold \(Format.threshold(m.threshold))"
                switch m.verdict {
                case _ where fails(m, suite):
                    let what = m.verdict == .regression ? " regressed: " : " inconclusive (on_inconclusive is fail): "
                    out +=
                        ">\n      <failure type=\"\(m.verdict.rawValue)\" message=\"\(escape(m.metric.rawValue + what + figures))\">\(escape(figures))</failure>\n    </testcase>\n"
                case .skipped:
                    out += ">\n      <skipped message=\"\(escape(m.note ?? "not gated"))\"/>\n    </testcase>\n"
                case .inconclusive:
                    // Passing, but never quietly: the report's readers see what would settle it.
                    let warning =
                        "inconclusive: " + figures + " (warning: passing because on_inconclusive is pass)"
                        + (m.advice.map { "; to settle it: " + $0 } ?? "")
                    out += ">\n      <system-out>\(escape(warning))</system-out>\n    </testcase>\n"
                case .pass, .regression:
                    out +=
                        ">\n      <system-out>\(escape(m.verdict.rawValue + ": " + figures))</system-out>\n    </testcase>\n"
                }
            }
            out += "  </testsuite>\n"
        }
        return out + "</testsuites>\n"
    }

    /// XML text and attribute values are escaped as HTML's are (the same five characters;
    /// control characters, which XML 1.0 forbids, become U+FFFD).
    static func escape(_ s: String) -> String { HTML.escape(s) }
}
