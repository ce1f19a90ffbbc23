import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardConfig
@testable import EvalGuardStore
@testable import EvalGuardSupport

/// A model that writes without a newline cannot grow evalguard's memory: one response line is
/// capped by `model.max_line_bytes`, and the case is recorded as an error quoting the first bytes.
@Suite struct ModelLineLimitTests {
    /// Echoes, but for the input "flood" writes 20 MB of "x" without a newline, then hangs; for
    /// "long" answers with a 3,000-character output on one line.
    static let floods = """
        import json, sys, time
        for line in sys.stdin:
            r = json.loads(line)
            if r["input"] == "flood":
                for _ in range(2000):
                    sys.stdout.write("x" * 10000)
                sys.stdout.flush()
                time.sleep(60)
            out = "y" * 3000 if r["input"] == "long" else r["input"]
            sys.stdout.write(json.dumps({"id": r["id"], "output": out}) + "\\n")
            sys.stdout.flush()
        """

    @Test func aLineLongerThanTheCapFailsItsCaseQuotingTheFirstBytes() throws {
        let repo = try ScratchRepository()
        try repo.setUpEvals(
            model: Self.floods,
            cases: [
                caseLine("a", "a"), caseLine("f", "flood"), caseLine("l", "long", String(repeating: "y", count: 3000)),
                caseLine("b", "b"),
            ],
            modelConfig: ", \"max_line_bytes\": 4096")
        try repo.commitAll("Add evals")
        let r = repo.evalguard("run")
        #expect(r.status == 0, "\(r.stderr)")
        let data = try #require(FileManager.default.contents(atPath: repo.path(".evals/results/\(repo.head).json")))
        let result = try JSONDecoder().decode(RunResult.self, from: data)
        let cases = Dictionary(uniqueKeysWithValues: result.suites[0].cases.map { ($0.id, $0) })
        let flood = try #require(cases["f"])
        #expect(flood.passed == false)
        #expect(flood.timedOut != true, "stopped at the cap, not by the time-out")
        let error = try #require(flood.error)
        #expect(
            error.hasPrefix("the model wrote more than 4096 bytes without a newline (model.max_line_bytes): 'xxxxxxxx"),
            "\(error)")
        #expect(error.hasSuffix("…'"))
        #expect(error.count < 400, "only the first bytes are quoted")
        #expect(cases["l"]?.passed == true, "a line under the cap is read whole")
        #expect(cases["a"]?.passed == true && cases["b"]?.passed == true, "the model is restarted for the next case")
        #expect(result.overall.errors == 1)
    }

    @Test func theCapDefaultsToOneMebibyteAndMustBeAWholeNumberOfBytes() throws {
        func parse(_ extra: String) throws -> EvalConfig {
            try EvalConfig.parse(
                ConfigSource(
                    displayPath: ".evals/evalguard.json",
                    text: """
                        {"model": {"command": ["m"]\(extra)}, "suites": {"s": {"cases": "s.jsonl"}}}
                        """))
        }
        #expect(try parse("").model.maxLineBytes == 1_048_576)
        #expect(try parse(", \"max_line_bytes\": 65536").model.maxLineBytes == 65536)
        for bad in ["0", "1.5", "\"big\"", "2147483648"] {
            #expect(throws: EvalGuardError.self, "\(bad)") { try parse(", \"max_line_bytes\": \(bad)") }
        }
    }
}
