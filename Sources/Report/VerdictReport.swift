import EvalGuardCompare
import EvalGuardStatistics
import EvalGuardStore
import EvalGuardSupport

/// How `check` reports a comparison: a table of metrics with the evidence behind each verdict,
/// the cases that flipped or are flaky, and the verdict. Text for terminals, JSON for machines,
/// markdown for pull requests and CI summaries (`VerdictReport+Markdown.swift`).
package struct VerdictReport {
    package var comparison: Comparison
    package var current: RunResult
    /// Labels for the header: what was evaluated and which baseline it was held against.
    package var subject: String
    package var baselineLabel: String
    /// Expected answers by suite and case id, to show next to a flipped case's output.
    package var expected: [String: [String: JSONValue]] = [:]
    /// What `ci` did about stored answers before trusting them (nil: no audit, as for `check`).
    package var audit: AuditStatus?

    package init(comparison: Comparison, current: RunResult, subject: String, baselineLabel: String) {
        self.comparison = comparison
        self.current = current
        self.subject = subject
        self.baselineLabel = baselineLabel
    }

    static let headers = ["suite", "metric", "baseline", "current", "delta", "threshold", "evidence", "verdict"]

    /// The table's rows, shared by the text and markdown forms.
    func rows() -> [[String]] {
        comparison.suites.flatMap { suite in
            suite.metrics.map { m in
                [
                    suite.name, m.metric.rawValue, Format.value(m.baseline, of: m.metric),
                    Format.value(m.current, of: m.metric),
                    Format.delta(m), Format.threshold(m.threshold), Format.evidence(m),
                    (m.verdict == .regression
                        ? "REGRESSION" : m.verdict == .inconclusive ? "INCONCLUSIVE" : m.verdict.rawValue)
                        + (m.note.map { " (\($0))" } ?? ""),
                ]
            }
        }
    }

    package func text() -> String { Self.textHeader(subject: subject, baselineLabel: baselineLabel) + textBody() }

    /// The line that names what was evaluated and against what: a kept verdict's text
    /// (`textBody`) is printed again under the header of the gate that finds it.
    package static func textHeader(subject: String, baselineLabel: String) -> String {
        "\(subject) against \(baselineLabel)\n\n"
    }

    /// `text()` without its header.
    package func textBody() -> String {
        var out = ""
        var table = TextTable(headers: Self.headers, rightAligned: [2, 3, 4])
        table.rows = rows()
        out += table.render()
        for suite in comparison.suites {
            if let note = suite.note { out += "\n\(suite.name): \(note)\n" }
            let changes = caseChangeLines(suite)
            if !changes.isEmpty { out += "\n" + changes.joined(separator: "\n") + "\n" }
            let explanations = suite.metrics.flatMap { details($0) }
            if !explanations.isEmpty {
                out += "\n"
                for line in explanations { out += line.hasPrefix(" ") ? line + "\n" : "\(suite.name) \(line)\n" }
            }
            if !suite.flaky.isEmpty { out += "\n" + flakyHeadline(suite) + "\n" }
            for f in suite.flaky.prefix(Format.flipLimit) {
                out += "  ~ \(f.id)  pass rate \(Format.rate(f.baselineRate)) → \(Format.rate(f.currentRate))\n"
            }
            if suite.flaky.count > Format.flipLimit { out += "  … and \(suite.flaky.count - Format.flipLimit) more\n" }
            guard !suite.regressed.isEmpty || !suite.fixed.isEmpty else { continue }
            out += "\n" + flipHeadline(suite) + "\n"
            for flip in suite.regressed.prefix(Format.flipLimit) { out += "  - \(line(flip, suite: suite.name))\n" }
            if suite.regressed.count > Format.flipLimit {
                out += "  … and \(suite.regressed.count - Format.flipLimit) more\n"
            }
            for flip in suite.fixed.prefix(Format.flipLimit) { out += "  + \(line(flip, suite: suite.name))\n" }
            if suite.fixed.count > Format.flipLimit { out += "  … and \(suite.fixed.count - Format.flipLimit) more\n" }
        }
        if let audit { out += "\n" + audit.lines.joined(separator: "\n") + "\n" }
        out += "\n" + verdictLines().joined(separator: "\n") + "\n"
        return out
    }

    /// Lines explaining a metric's evidence, without the suite name.
    func details(_ m: MetricComparison) -> [String] {
        var lines: [String] = []
        let alpha = comparison.settings.alpha
        if let s = m.statistics {
            switch m.metric {
            case .accuracy:
                if let n = s.pairedCases, let worse = s.worse, let better = s.better {
                    var line = "accuracy: \(worse) of \(n) paired cases fell, \(better) rose"
                    if let p = s.pValue {
                        line += "; one-sided paired test p \(Format.pValueRelation(p)) (alpha \(Format.number(alpha)))"
                    }
                    lines.append(line + (s.significant ? ": significant" : ": not significant"))
                }
                if let b = s.baselineInterval, let c = s.currentInterval {
                    lines.append(
                        "  95% Wilson intervals: baseline \(Format.interval(b, Format.accuracy)), current \(Format.interval(c, Format.accuracy))"
                    )
                }
                let maxDrop = (m.threshold?.values ?? [:])["max_drop"] ?? 0
                if let n = s.pairedCases, (s.minimumDetectableDrop ?? 2) > maxDrop {
                    let mdd =
                        s.minimumDetectableDrop.map { "cannot show a drop below \(Format.number($0)) as significant" }
                        ?? "cannot show any drop as significant"
                    lines.append(
                        "  note: \(n) cases \(mdd) (alpha \(Format.number(alpha))); the threshold is \(Format.number(maxDrop))"
                    )
                }
            case .p95LatencyMs:
                var line = "p95_latency_ms:"
                if let p50 = s.percentiles["p50"], let p99 = s.percentiles["p99"] {
                    line +=
                        " p50 \(Format.ms(p50.baseline)) → \(Format.ms(p50.current)) ms, p99 \(Format.ms(p99.baseline)) → \(Format.ms(p99.current)) ms;"
                }
                if let d = s.differenceInterval, let conf = s.intervalConfidence {
                    line +=
                        " \(Format.number(conf * 100, digits: 1))% bootstrap interval for the p95 change: \(Format.signedMs(d.lower)) to \(Format.signedMs(d.upper)) ms"
                    if let r = s.ratioInterval {
                        line += " (×\(Format.number(r.lower, digits: 3)) to ×\(Format.number(r.upper, digits: 3)))"
                    }
                }
                if let n = s.samples { line += " over \(n.baseline) and \(n.current) timed runs" }
                lines.append(line)
            case .meanScore:
                if let n = s.pairedCases, let worse = s.worse, let better = s.better {
                    var line = "mean_score: \(worse) of \(n) paired cases scored lower, \(better) higher"
                    if let p = s.pValue {
                        line +=
                            "; one-sided paired sign-flip test p \(Format.pValueRelation(p))"
                            + (s.exactTest == false ? " (Monte-Carlo, \(PairedScore.draws) draws)" : " (exact)")
                            + " (alpha \(Format.number(alpha)))"
                    }
                    lines.append(line + (s.significant ? ": significant" : ": not significant"))
                }
                if let d = s.differenceInterval, let conf = s.intervalConfidence {
                    lines.append(
                        "  \(Format.number(conf * 100, digits: 1))% bootstrap interval for the mean score change: \(Format.signedPoints(from: 0, to: d.lower)) to \(Format.signedPoints(from: 0, to: d.upper))"
                    )
                }
            case .avgCostUSD, .avgSteps:
                break
            }
            if let adjusted = s.adjustedPValue, let family = s.familySize {
                lines.append(
                    "  Holm over the \(family) paired tests of this check: adjusted p \(Format.pValueRelation(adjusted))"
                )
            }
        }
        if let settle = m.settle { lines.append(settle.line) }
        for w in m.warnings { lines.append("\(m.metric.rawValue): warning: \(w)") }
        if let advice = m.advice { lines.append("\(m.metric.rawValue): INCONCLUSIVE: \(advice)") }
        return lines
    }

    func flakyHeadline(_ suite: SuiteComparison) -> String {
        "\(suite.name): \(suite.flaky.count) flaky case(s) (outcomes differ across repeats), "
            + (suite.flakyExcluded
                ? "LEFT OUT of the accuracy gate (flaky: exclude)" : "kept in the accuracy gate at their pass rates")
    }

    func flipHeadline(_ suite: SuiteComparison) -> String {
        let repeated = (suite.regressed + suite.fixed).contains { $0.baselineRate != nil }
        return repeated
            ? "\(suite.name): \(suite.regressed.count) case(s) passed less often, \(suite.fixed.count) more often"
            : "\(suite.name): \(suite.regressed.count) case(s) regressed (pass → fail), \(suite.fixed.count) fixed (fail → pass)"
    }

    /// "Verdict: …", with what an inconclusive result means for the exit code.
    package func verdictLines() -> [String] {
        let list = { (items: [(suite: String, metric: MetricComparison)]) in
            items.map { "\($0.suite) \($0.metric.metric.rawValue)" }.joined(separator: ", ")
        }
        switch comparison.verdict {
        case .regression:
            var lines = ["Verdict: REGRESSION (\(list(comparison.regressions)))"]
            if !comparison.inconclusives.isEmpty {
                lines.append("Also inconclusive: \(list(comparison.inconclusives))")
            }
            return lines
        case .inconclusive:
            let why =
                comparison.inconclusives.allSatisfy(\.metric.pricesChanged)
                ? "beyond the threshold, but \(PriceChange.reasons(comparison.inconclusives.map(\.metric.priceChange))); cost moved because prices changed"
                : "beyond the threshold, but not distinguishable from noise at alpha \(Format.number(comparison.settings.alpha))"
            return [
                "Verdict: INCONCLUSIVE (\(list(comparison.inconclusives))): \(why)",
                !comparison.blocks
                    ? "Passing because on_inconclusive is \"pass\"; set it to \"fail\" to block instead."
                    : "Failing because on_inconclusive is \"fail\".",
            ]
        default:
            return ["Verdict: pass"]
        }
    }

    private func line(_ flip: CaseFlip, suite: String) -> String {
        var s = flip.id
        if let b = flip.baselineRate, let c = flip.currentRate {
            s += "  pass rate \(Format.rate(b)) → \(Format.rate(c))"
        }
        // null: nothing expected (a json-schema case needs no "expected").
        let e = expected[suite]?[flip.id].flatMap { $0 == .null ? nil : $0.canonicalText }
        if let e { s += "  expected " + Format.clip(e, 80, against: flip.output) }
        if let error = flip.error {
            s += "  error: " + Format.clip(error, 80)
        } else if let o = flip.output {
            s += "  got " + Format.clip(o, 80, against: e)
        }
        if let reason = Format.reason(flip.reason) { s += "  because " + Format.clip(reason, 120) }
        // An agent's calls beside the expected ones, row by row.
        if flip.error == nil, let calls = CallComparison(left: e, right: flip.output) {
            s += "\n" + calls.lines(leftLabel: "expected", rightLabel: "got").joined(separator: "\n")
        }
        return s
    }
}
