import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardSupport

/// `evalguard log` and `evalguard diff`.
@Suite struct LogDiffTests {
    @Test func logShowsStoredResultsWithBaselineMarksAndSparklines() throws {
        let counter = NSTemporaryDirectory() + "evalguard-counter-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: counter) }
        let repo = try SyntheticHistory.make([.tweak, .docs, .plant(["q1", "q2"]), .tweak], counter: counter)
        #expect(repo.evalguard("run", "--commit", "HEAD~3").status == 0)
        #expect(repo.evalguard("run", "--commit", "HEAD~1").status == 0)
        #expect(repo.evalguard("run", "--commit", "HEAD~4").status == 0)
        let log = repo.evalguard("log", "-n", "10")
        #expect(log.status == 0)
        let lines = log.stdout.split(separator: "\n").map(String.init)
        var short: [String: String] = [:]
        for rev in ["HEAD", "HEAD~1", "HEAD~2", "HEAD~3", "HEAD~4"] {
            short[rev] = String(try repo.git("rev-parse", rev).prefix(7))
        }
        // HEAD has no result; HEAD~2 shares HEAD~3's key (docs only); the baseline commit is marked.
        #expect(!lines.contains { $0.hasPrefix(short["HEAD"]! + " ") })
        #expect(lines.contains { $0.hasPrefix(short["HEAD~1"]!) && $0.contains("0.9000") })
        #expect(lines.contains { $0.hasPrefix(short["HEAD~2"]!) && $0.contains("= \(short["HEAD~3"]!)") })
        #expect(lines.contains { $0.hasPrefix(short["HEAD~4"]!) && $0.contains("◆ baseline") })
        let spark = try #require(lines.first { $0.hasPrefix("accuracy") })
        #expect(spark.contains("█") && spark.contains("▁") && spark.hasSuffix("0.9000–1.0000"))
        let jsonRun = repo.evalguard(arguments: ["log", "--format", "json", "-n", "2"])
        let entries = try #require(try JSONParser.parse(jsonRun.stdout).arrayValue)
        #expect(entries.count == 1)
        #expect(entries.first?.objectValue?["accuracy"]?.numberValue == 0.9)
    }

    @Test func diffListsFlipsDeltasAndDistributions() throws {
        let counter = NSTemporaryDirectory() + "evalguard-counter-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: counter) }
        let repo = try SyntheticHistory.make([.tweak, .plant(["q3", "q4"])], counter: counter)
        let diff = repo.evalguard("diff", "HEAD~1", "HEAD")
        #expect(diff.status == 0, "\(diff.stderr)")
        #expect(diff.stdout.contains("2 case(s) regressed (pass → fail), 0 fixed (fail → pass)"))
        #expect(diff.stdout.contains("main/c3  input \"q3\"  expected \"q3\"  got \"wrong\""))
        #expect(diff.stdout.contains("-0.1000"))
        #expect(diff.stdout.contains("latency ms") && diff.stdout.contains("cost usd"))
        // Both results are stored now: diff again runs no model.
        try? FileManager.default.removeItem(atPath: counter)
        let (again, json) = try repo.evalguardJSON(["diff", "HEAD~1", "HEAD"])
        #expect(again.status == 0)
        #expect(SyntheticHistory.starts(counter) == 0)
        #expect(json["pass_to_fail"]?.arrayValue?.count == 2)
        #expect(json["suites"]?.objectValue?["main"]?.objectValue?["b"]?.objectValue?["accuracy"]?.numberValue == 0.9)
        #expect(repo.evalguard("diff", "HEAD").status == 2)
        #expect(repo.evalguard("diff", "HEAD", "nope").status == 2)
    }
}

/// `diff` words its flips with the gate's test, so `check` and `diff` print one p-value for the same flips.
@Suite struct DiffPValueTests {
    @Test func diffPrintsTheGatesOneSidedPValue() throws {
        let counter = NSTemporaryDirectory() + "evalguard-counter-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: counter) }
        let repo = try SyntheticHistory.make([.tweak, .plant(["q3", "q4"])], counter: counter)
        let diff = repo.evalguard("diff", "HEAD~1", "HEAD")
        #expect(diff.status == 0, "\(diff.stderr)")
        // Two pass → fail, none fixed: one-sided 1/4 (two-sided would be 1/2).
        #expect(
            diff.stdout.contains(
                "2 case(s) regressed (pass → fail), 0 fixed (fail → pass); McNemar p = 0.25, one-sided"),
            "\(diff.stdout)")
    }
}
