/// The comparison as GitHub-flavoured markdown, for `$GITHUB_STEP_SUMMARY` or a merge request note.
extension VerdictReport {
    public func markdown() -> String {
        let verdict = comparison.verdict == .regression ? "❌ regression" : "✅ pass"
        var out = "### evalguard: \(verdict)\n\n\(subject) against \(baselineLabel)\n\n"
        out += "| suite | metric | baseline | current | delta | threshold | verdict |\n|---|---|---:|---:|---:|---|---|\n"
        for suite in comparison.suites {
            for m in suite.metrics {
                let cell = m.verdict == .regression ? "**REGRESSION**" : m.verdict.rawValue
                out += "| \(suite.name) | \(m.metric.rawValue) | \(Format.value(m.baseline, of: m.metric)) | \(Format.value(m.current, of: m.metric)) | \(Format.delta(m)) | \(m.threshold ?? "off") | \(cell) |\n"
            }
        }
        for suite in comparison.suites where !suite.regressed.isEmpty || !suite.fixed.isEmpty {
            out += "\n**\(suite.name)**: \(suite.regressed.count) case(s) regressed, \(suite.fixed.count) fixed"
            let listed = suite.regressed.prefix(Self.flipLimit).map { "`\($0.id)`" }.joined(separator: ", ")
            out += listed.isEmpty ? "\n" : ": \(listed)\(suite.regressed.count > Self.flipLimit ? ", …" : "")\n"
        }
        return out
    }
}
