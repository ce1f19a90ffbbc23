import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardStore

/// `.evals/baseline.json` is laid out so that `git diff` of a new baseline shows the flipped
/// cases and the metric lines, and little else, even when every case's cost and latency moved.
@Suite struct BaselineLayoutTests {
    /// Echoes, except the inputs in flip.txt; every answer costs price.txt × the input's length.
    static let model = """
        import json, sys
        price = float(open('price.txt').read())
        flip = set(open('flip.txt').read().split())
        for line in sys.stdin:
            r = json.loads(line)
            out = 'wrong' if r['input'] in flip else r['input']
            sys.stdout.write(json.dumps({'id': r['id'], 'output': out, 'cost_usd': price * len(r['input'])}) + '\\n')
            sys.stdout.flush()
        """

    static let metricKeys = [
        "cases", "passed", "errors", "timeouts", "accuracy", "p50_latency_ms", "p95_latency_ms",
        "p99_latency_ms", "mean_latency_ms", "avg_cost_usd", "total_cost_usd",
    ]

    @Test func aNewBaselineDiffsInTheFlippedCasesAndTheMetrics() throws {
        let repo = try ScratchRepository()
        try repo.setUpEvals(model: Self.model, cases: (1...40).map { caseLine("c\($0)", "q\($0)") })
        try repo.write("price.txt", "0.001")
        try repo.write("flip.txt", "")
        #expect(repo.evalguard("baseline").status == 0)
        try repo.commitAll("Baseline")
        // A prompt change: every cost and every latency moves, two cases flip.
        try repo.write("price.txt", "0.0013")
        try repo.write("flip.txt", "q3 q7")
        let again = repo.evalguard("baseline", "--fresh")
        #expect(again.status == 0, "\(again.stderr)")

        let diff = try repo.git("diff", "-U0", "--", ".evals/baseline.json")
        let added = diff.split(separator: "\n").filter { $0.hasPrefix("+") && !$0.hasPrefix("+++") }.map(String.init)
        let caseLines = added.filter { $0.contains("\"c3\"") || $0.contains("\"c7\"") }
        #expect(caseLines.count == 2, "\(diff)")
        let metricLines = added.filter { line in
            let text = line.dropFirst().drop { $0 == " " }
            return Self.metricKeys.contains { text.hasPrefix("\"\($0)\":") }
        }
        let rest = added.filter { !caseLines.contains($0) && !metricLines.contains($0) }
        // What is left: the latency sample (one line per suite) and the commit it came from.
        #expect(rest.count <= 3, "\(rest.joined(separator: "\n"))")
        #expect(added.count <= 2 + 2 * Self.metricKeys.count + 3)

        // The latency sample the gate bootstraps from is still there.
        let baseline = try Baseline.parse(
            Array(try #require(repo.read(".evals/baseline.json")).utf8), displayPath: Baseline.path)
        #expect((baseline.suites["main"]?.latenciesMs.count ?? 0) >= 30)
        #expect(baseline.suites["main"]?.cases["c3"]?.passed == false)
        try repo.commitAll("Accept the new prompt")
        let check = repo.evalguard("check")
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
    }
}
