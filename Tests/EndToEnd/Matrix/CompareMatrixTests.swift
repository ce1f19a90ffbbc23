import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardSupport

/// `compare` over the matrix repository (every scorer, every provider): a variant that changes
/// nothing the answers depend on matches the current configuration in every suite, a variant
/// whose features break every case is seen as worse in every suite it touches, judges, the
/// scoring program, the schema and the embedder included, and a second compare asks nothing.
@Suite(.serialized) struct CompareMatrixTests {
    @Test func everyScorerWorksInVariants() throws {
        let m = try MatrixRepository()
        let commandSuites = MatrixRepository.suites.filter { !MatrixRepository.apiSuites.contains($0) }
        for suite in commandSuites {
            try m.repo.write(
                "features/\(suite)_broken.py",
                MatrixRepository.feature(suite, broken: Set(1...MatrixRepository.caseCount)))
        }
        let same =
            (commandSuites.map { "\"m_\($0)\": {\"timeout_s\": 25}" } + [
                "\"m_api\": {\"timeout_s\": 25}", "\"m_agent_api\": {\"timeout_s\": 25}",
                "\"m_agent_anthropic\": {\"timeout_s\": 25}",
            ]).joined(separator: ", ")
        let broken =
            commandSuites.map { #""m_\#($0)": {"command": ["python3", "features/\#($0)_broken.py"]}"# }.joined(
                separator: ", ")
            // An agent cut to one request makes its lookup but never reads the result.
            + #", "m_agent_api": {"max_steps": 1}, "m_agent_anthropic": {"max_steps": 1}"#
        var config = m.config()
        config.removeLast(config.count - config.lastIndex(of: "}")!.utf16Offset(in: config))
        config += #", "variants": {"same": {"models": {\#(same)}}, "broken": {"models": {\#(broken)}}}}"#
        try m.repo.write(".evals/evalguard.json", config)

        let first = m.repo.evalguard("compare", "--no-settle", "--format", "json")
        #expect(first.status == 0, "\(first.stderr)")
        let report = try JSONDecoder().decode(JSONValue.self, from: Data(first.stdout.utf8))
        let suites = report["suites"]?.arrayValue ?? []
        #expect(Set(suites.compactMap { $0["name"]?.stringValue }) == Set(MatrixRepository.suites))
        for suite in suites {
            let name = suite["name"]?.stringValue ?? "?"
            let candidates = suite["candidates"]?.arrayValue ?? []
            let unchanged = try #require(candidates.first { $0["name"] == .string("same") }, "\(name)")
            #expect(unchanged["accuracy"] == suite["current"]?["accuracy"], "\(name)")
            #expect(unchanged["worse"] == .number(0) && unchanged["better"] == .number(0), "\(name)")
            #expect(unchanged["errors"] == .number(0), "\(name)")
            let worse = try #require(candidates.first { $0["name"] == .string("broken") }, "\(name)")
            #expect(worse["errors"] == .number(0), "\(name): \(first.stderr)")
            if name != "api" {
                #expect((worse["worse"]?.numberValue ?? 0) > 0, "\(name): \(worse)")
            }
        }
        let second = m.repo.evalguard("compare", "--no-settle")
        #expect(second.status == 0, "\(second.stderr)")
        #expect(
            second.stderr.contains("same: every answer reused from stored results (no model asked)"), "\(second.stderr)"
        )
        #expect(
            second.stderr.contains("broken: every answer reused from stored results (no model asked)"),
            "\(second.stderr)")
    }
}
