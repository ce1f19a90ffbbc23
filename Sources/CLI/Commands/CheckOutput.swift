import EvalGuardCompare
import EvalGuardReport
import EvalGuardSupport

/// What `check` prints of a verdict, in two parts: the body, which depends only on what decides
/// the verdict and is kept with a passing one (`CachedVerdict.renderings`), and what names the
/// commit and the revision, said anew by each gate that prints it. A verdict kept on one commit
/// so serves the next commit with the same inputs word for word as if it had been evaluated
/// there; both paths print through `render`, so they cannot drift.
struct CheckOutput {
    var format: OutputFormat
    /// What was evaluated ("evalguard check: main (abc1234)", "+ uncommitted changes").
    var subject: String
    /// Which committed baseline it was held against.
    var baselineLabel: String
    /// The JSON form's fields that name the commit, its changes and the baseline.
    var named: [String: JSONValue]

    /// The name a kept verdict holds this format's body under.
    var rendering: String { "check " + format.rawValue }

    /// The part of `report` that names neither the commit nor the revision. `extra`: the JSON
    /// form's fields that come from the stored result.
    static func body(_ report: VerdictReport, format: OutputFormat, extra: [String: JSONValue]) -> String {
        switch format {
        case .text: return report.textBody()
        case .markdown: return report.markdownBody()
        case .json:
            var out = ""
            JSONWriter.write(report.json(extra: extra), to: &out)
            return out
        }
    }

    /// The whole output: the header (or, for JSON, the naming fields) with `body`.
    func render(_ body: String, verdict: Verdict) -> String {
        switch format {
        case .text: return VerdictReport.textHeader(subject: subject, baselineLabel: baselineLabel) + body
        case .markdown:
            return VerdictReport.markdownHeader(verdict, subject: subject, baselineLabel: baselineLabel) + body
        case .json:
            guard case .object(var document)? = try? JSONParser.parse(body) else { return body }
            document.merge(named) { $1 }
            var out = ""
            JSONPretty.write(.object(document), to: &out)
            return out + "\n"
        }
    }
}
