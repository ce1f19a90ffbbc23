import EvalGuardBlame
import EvalGuardEvaluation
import EvalGuardGit
import EvalGuardSupport
import FoundationEssentials

/// How `evalguard blame` reports its answer: text for people, JSON for tools.
package struct BlameReport {
    package var answer: BlameAnswer

    package init(answer: BlameAnswer) {
        self.answer = answer
    }

    func value(_ v: Double?) -> String { answer.metric.map { Format.value(v, of: $0) } ?? "-" }

    package func text() -> String {
        let a = answer
        var out = "evalguard blame: \(a.good.shortSHA) (good: \(a.goodReason)) .. \(a.bad.shortSHA) (bad)\n"
        if let metric = a.metric {
            out +=
                "\(metric.rawValue) (\(a.suites.joined(separator: ", "))): \(value(a.goodValue)) → \(value(a.badValue))\n"
        }
        if a.status != .noRegression, let note = a.note { out += "note: \(note)\n" }
        out += "\n"
        // A found answer carries its culprit; one that did not would be listed as ambiguous.
        switch (a.status, a.culprit) {
        case (.noRegression, _):
            out += "No regression in this range: \(a.note ?? "the bad end passes").\n"
        case (.found, let c?):
            out += "First bad commit: \(c.commit.sha)\n"
            out += "  \(c.commit.subject)\n"
            out += "  Author: \(c.commit.author) <\(c.commit.email)>\n"
            out += "  Date:   \(Format.date(c.commit.date))\n"
            out +=
                "  \(a.metric?.rawValue ?? "metric"): \(value(c.beforeValue)) at \(c.before.prefix(7)) → \(value(c.afterValue)) at \(c.commit.shortSHA)\n"
            if let merged = c.mergedParent {
                out += "  A merge: the change came in through its second parent \(merged.prefix(7));\n"
                out += "  evalguard blame --good <fork point> --bad \(merged.prefix(7)) narrows it down.\n"
            }
            out += "\nChanged model inputs (\(c.changedInputs.count)):\n"
            for f in c.changedInputs { out += "  \(f.change.rawValue.padded(to: 9)) \(f.path)\n" }
            if c.changedInputs.isEmpty { out += "  (none: only the configuration or cases)\n" }
            out += flips("Broke (pass → fail)", c.broke)
            out += flips("Fixed (fail → pass)", c.fixed)
        case (.found, nil), (.ambiguous, _):
            let why =
                a.uncertain.isEmpty
                ? "commits that could not be evaluated sit between the last good and the first bad"
                : "the answer stays uncertain: some probes stayed within noise after retries"
            out += "The first bad commit could be any of (\(why)):\n"
            for c in a.candidates { out += "  \(c.sha)  \(c.subject)\n" }
        }
        if !a.skipped.isEmpty {
            out += "\nSkipped (could not be evaluated):\n"
            for p in a.skipped { out += "  \(p.commit.shortSHA)  \(Format.clip(p.reason, 100))\n" }
        }
        if !a.uncertain.isEmpty {
            out += "\nUncertain (within noise):\n"
            for p in a.uncertain { out += "  \(p.commit.shortSHA)  \(p.reason)\n" }
        }
        out +=
            "\nCost: \(a.evaluations) model evaluation(s) for \(a.commitsInRange) commit(s) in range (\(a.keysRead))\n"
        return out
    }

    private func flips(_ title: String, _ cases: [FlippedCase]) -> String {
        guard !cases.isEmpty else { return "" }
        var out = "\n\(title): \(cases.count) case(s)\n"
        var table = TextTable(headers: ["suite", "case", "input", "expected", "got"], rightAligned: [])
        for f in cases.prefix(Format.flipLimit) {
            table.rows.append([
                f.suite, f.id, Format.clip(f.input, 40), Format.clip(f.expected, 30, against: f.output),
                f.error.map { "error: " + Format.clip($0, 40) } ?? Format.clip(f.output, 30, against: f.expected),
            ])
        }
        out += table.render().split(separator: "\n").map { "  " + $0 }.joined(separator: "\n") + "\n"
        // An agent's calls before and after the culprit, row by row.
        for f in cases.prefix(Format.flipLimit) where f.error == nil && f.baselineError == nil {
            guard let calls = CallComparison(left: f.baselineOutput, right: f.output) else { continue }
            out +=
                "  \(Format.clip(f.suite + "/" + f.id, 60))\n"
                + calls.lines(leftLabel: "before", rightLabel: "after", indent: "    ").joined(separator: "\n") + "\n"
        }
        if cases.count > Format.flipLimit {
            out += "  … and \(cases.count - Format.flipLimit) more (--format json lists them all)\n"
        }
        return out
    }

    package func json() -> JSONValue {
        let a = answer
        func members(_ c: CommitInfo) -> [String: JSONValue] {
            [
                "sha": .string(c.sha), "subject": .string(c.subject), "author": .string(c.author),
                "email": .string(c.email), "date": .string(Format.date(c.date)),
            ]
        }
        func commit(_ c: CommitInfo) -> JSONValue { .object(members(c)) }
        func number(_ v: Double?) -> JSONValue { v.map(JSONValue.number) ?? .null }
        func string(_ v: String?) -> JSONValue { v.map(JSONValue.string) ?? .null }
        func flip(_ f: FlippedCase) -> JSONValue {
            .object([
                "suite": .string(f.suite), "id": .string(f.id), "input": string(f.input),
                "expected": string(f.expected), "output": string(f.output), "error": string(f.error),
            ])
        }
        func probe(_ p: Probe) -> JSONValue { .object(["commit": .string(p.commit.sha), "reason": .string(p.reason)]) }
        var doc: [String: JSONValue] = [
            "status": .string(a.status.rawValue),
            "good": commit(a.good), "good_reason": .string(a.goodReason), "bad": commit(a.bad),
            "metric": string(a.metric?.rawValue), "suites": .array(a.suites.map(JSONValue.string)),
            "good_value": number(a.goodValue), "bad_value": number(a.badValue),
            "commits_in_range": .number(Double(a.commitsInRange)),
            "distinct_keys": number(a.distinctKeys.map(Double.init)),
            "keyed_commits": .number(Double(a.keyedCommits)),
            "evaluations": .number(Double(a.evaluations)),
            "candidates": .array(a.candidates.map(commit)),
            "skipped": .array(a.skipped.map(probe)), "uncertain": .array(a.uncertain.map(probe)),
            "note": string(a.note),
        ]
        if let c = a.culprit {
            var culprit = members(c.commit)
            culprit["merged_parent"] = string(c.mergedParent)
            culprit["before_commit"] = .string(c.before)
            culprit["before"] = number(c.beforeValue)
            culprit["after"] = number(c.afterValue)
            culprit["pass_to_fail"] = .array(c.broke.map(flip))
            culprit["fail_to_pass"] = .array(c.fixed.map(flip))
            culprit["changed_inputs"] = .array(
                c.changedInputs.map { .object(["path": .string($0.path), "change": .string($0.change.rawValue)]) })
            doc["culprit"] = .object(culprit)
        } else {
            doc["culprit"] = .null
        }
        return .object(doc)
    }
}

extension BlameAnswer {
    /// What the search knows of the range's evaluation keys: how many distinct ones when it read
    /// them all; else how many it read, stored results having settled the rest.
    var keysRead: String {
        if let distinctKeys { return "\(distinctKeys) distinct evaluation key(s)" }
        return "evaluation keys read for \(keyedCommits) commit(s): stored results settled the rest"
    }
}
