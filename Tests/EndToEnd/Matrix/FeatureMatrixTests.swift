import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardSupport

/// Every scorer on every path that evaluates or re-scores, in one repository
/// (`MatrixRepository`): a change to one suite's inputs leaves every other suite's verdict
/// `pass` (latency included), a planted regression is named as its own suite's, and no path
/// exits 3. A new scorer is a suite of `MatrixRepository`; a new path is a row of `paths`.
@Suite(.serialized) struct FeatureMatrixTests {
    /// What one path said: its exit status, everything it printed, and the per-suite verdicts
    /// where it reports them (nil where the path has no per-suite verdicts).
    struct Said {
        var status: Int32
        var text: String
        var verdicts: [String: String]?
    }

    /// A way a user reaches a verdict. `gates`: its exit status is a verdict (0 pass, 1 regression).
    struct Path: Sendable {
        var name: String
        var gates: Bool
        var run: @Sendable (MatrixRepository) throws -> Said
    }

    static func verdicts(_ json: String) -> [String: String]? {
        guard let suites = (try? JSONParser.parse(json))?["suites"]?.objectValue else { return nil }
        return suites.compactMapValues { $0["verdict"]?.stringValue }
    }

    static func said(_ r: (status: Int32, stdout: String, stderr: String), json: Bool = false) -> Said {
        Said(status: r.status, text: r.stdout + "\n" + r.stderr, verdicts: json ? verdicts(r.stdout) : nil)
    }

    static func said(_ r: Invocation, json: Bool = false) -> Said {
        said((r.status, r.stdout, r.stderr), json: json)
    }

    /// `ci` in a new clone of the remote, after `prepare` ran there.
    static func ciInClone(
        _ m: MatrixRepository, depth: Int? = nil, noFetch: Bool = false,
        prepare: (String) throws -> Void = { _ in }
    ) throws -> Said {
        // The branch reaches the remote as it would for a pull request (not through the hook).
        _ = try m.push("-q", "--no-verify", "-f", "origin", "feature")
        let clone = try m.clone(branch: "feature", depth: depth)
        defer { try? FileManager.default.removeItem(atPath: clone) }
        try prepare(clone)
        return said(
            try runBinary(["ci", "--base", "main", "--format", "json"] + (noFetch ? ["--no-fetch"] : []), in: clone),
            json: true)
    }

    static let paths: [Path] = [
        Path(name: "run", gates: false) { said($0.repo.evalguard("run")) },
        Path(name: "run --fresh", gates: false) { said($0.repo.evalguard("run", "--fresh")) },
        Path(name: "check", gates: true) { said($0.repo.evalguard("check", "--format", "json"), json: true) },
        // The openai models and judges through the stand-in Batch API (the agent loop and the
        // embedder are asked directly); fresh, so the answers are not all reused.
        Path(name: "check --batch", gates: true) { m in
            var out = said(m.repo.evalguard("check", "--batch", "--fresh", "--format", "json"), json: true)
            if out.status == 0 || out.status == 1, !out.text.contains("to OpenAI's Batch API as batch") {
                out.status = 99
            }
            return out
        },
        Path(name: "check --commit", gates: true) {
            said($0.repo.evalguard("check", "--commit", "HEAD", "--against", "main", "--format", "json"), json: true)
        },
        Path(name: "pre-push hook", gates: true) { m in
            let push = try m.push("origin", "feature")
            return Said(
                status: push.status == 0 ? 0 : (push.stderr.contains("evalguard blocked this push:") ? 1 : push.status),
                text: push.stdout + "\n" + push.stderr, verdicts: nil)
        },
        Path(name: "ci (audit)", gates: true) {
            said($0.repo.evalguard("ci", "--base", "main", "--no-fetch", "--format", "json"), json: true)
        },
        Path(name: "ci --batch", gates: true) { m in
            var out = said(
                m.repo.evalguard("ci", "--base", "main", "--no-fetch", "--batch", "--fresh", "--format", "json"),
                json: true)
            if out.status == 0 || out.status == 1, !out.text.contains("to OpenAI's Batch API as batch") {
                out.status = 99
            }
            return out
        },
        Path(name: "ci after sync", gates: true) { m in
            _ = m.repo.evalguard("run")
            let sync = m.repo.evalguard("sync")
            guard sync.status == 0 else { return said(sync) }
            return try ciInClone(m)
        },
        Path(name: "ci after shards and merge", gates: true) { m in
            try ciInClone(m, noFetch: true) { clone in
                for share in ["1/2", "2/2"] { _ = try runBinary(["run", "--shard", share], in: clone) }
                let head = try Shell.run(["git", "rev-parse", "HEAD"], in: clone).stdout.trimmingCharacters(
                    in: .whitespacesAndNewlines)
                let merged = try runBinary(["merge", ".evals/results/shards/" + head], in: clone)
                guard merged.status == 0 else { throw TestFailure("merge: \(merged.stderr)") }
            }
        },
        Path(name: "ci in a depth-1 clone", gates: true) { m in
            _ = m.repo.evalguard("sync")
            return try ciInClone(m, depth: 1)
        },
        Path(name: "report", gates: true) { m in
            let page = m.repo.path("matrix-report.html")
            var out = said(m.repo.evalguard("report", "-o", page))
            if out.status == 0, !FileManager.default.fileExists(atPath: page) { out.status = 99 }
            return out
        },
    ]

    /// The repository on a branch `feature`, pushed without the hook (the paths push it again).
    static func onFeatureBranch() throws -> MatrixRepository {
        let m = try MatrixRepository()
        try m.repo.git("checkout", "-q", "-b", "feature")
        return m
    }

    func expectEveryPath(_ m: MatrixRepository, regressed: String?, _ scenario: String) throws {
        for path in Self.paths {
            let said = try path.run(m)
            let context = "\(scenario), \(path.name): exit \(said.status)\n\(said.text)"
            #expect(said.status != 3 && said.status != 2, "\(context)")
            #expect(!said.text.contains("was not loaded") && !said.text.contains("need a judge runner"), "\(context)")
            guard path.gates else {
                #expect(said.status == 0, "\(context)")
                continue
            }
            #expect(said.status == (regressed == nil ? 0 : 1), "\(context)")
            if let verdicts = said.verdicts {
                #expect(Set(verdicts.keys) == Set(MatrixRepository.suites), "\(context)")
                for (suite, verdict) in verdicts {
                    #expect(verdict == (suite == regressed ? "regression" : "pass"), "\(suite): \(context)")
                }
            }
            if let regressed { #expect(said.text.contains(regressed), "\(context)") }
        }
    }

    @Test func aChangeToOneSuiteLeavesEveryOtherSuitePassingOnEveryPath() throws {
        let m = try Self.onFeatureBranch()
        try m.commitFeature("exact", comment: "reworded", message: "Reword the exact feature")
        try m.commitFeature("slow", comment: "reworded", message: "Reword the slow feature")
        try expectEveryPath(m, regressed: nil, "one suite's inputs changed")
    }

    @Test func aPlantedRegressionIsNamedAsItsSuitesOnEveryPath() throws {
        let m = try Self.onFeatureBranch()
        try m.commitFeature("exact", comment: "reworded", message: "Reword the exact feature")
        try m.commitFeature("judged", broken: Set(1...MatrixRepository.caseCount), message: "Break the judged feature")
        try m.commitFeature("noisy", comment: "reworded", message: "Reword the noisy feature")
        try expectEveryPath(m, regressed: "judged", "a planted regression")
        let culprit = try m.repo.git("rev-parse", "HEAD~1")

        // blame (its default good end), and blame --suite: the planted commit, and only it.
        for arguments in [["blame", "--format", "json"], ["blame", "--suite", "judged", "--format", "json"]] {
            let blame = try runBinary(arguments, in: m.repo.root)
            #expect(blame.status == 0, "\(arguments): \(blame.stderr)")
            let doc = try JSONParser.parse(blame.stdout)
            #expect(doc["culprit"]?["sha"]?.stringValue == culprit, "\(arguments): \(blame.stdout)\n\(blame.stderr)")
        }

        // git bisect run evalguard check --bisect names it too.
        let binary = try #require(evalguardBinary())
        try m.repo.git("bisect", "start", "HEAD", "main")
        let bisect = try Shell.run(["git", "bisect", "run", binary.path, "check", "--bisect"], in: m.repo.root)
        #expect(bisect.stdout.contains("\(culprit) is the first bad commit"), "\(bisect.stdout)\n\(bisect.stderr)")
        try m.repo.git("bisect", "reset")
    }

    /// A small drop in every asked scorer's suite at once is inconclusive at first: settling asks
    /// again about the flipped cases of each (judges, the scoring program and the embedder
    /// included), and decides without exit 3.
    @Test func settlingAnInconclusiveDropWorksForEveryScorer() throws {
        let m = try Self.onFeatureBranch()
        let asked = MatrixRepository.asked
        // Six cases fall and the one that failed rises: p = 8/128 alone, so inconclusive until
        // settled; if the rise were noise, the falls alone would be significant.
        for suite in asked { try m.commitFeature(suite, broken: Set(1...6), message: "Nudge the \(suite) feature") }
        let check = m.repo.evalguard("check", "--format", "json")
        #expect(check.status == 0 || check.status == 1, "\(check.stdout)\n\(check.stderr)")
        #expect(check.stderr.contains("settled by re-asking"), "\(check.stderr)")
        let verdicts = try #require(Self.verdicts(check.stdout))
        for suite in MatrixRepository.suites where !asked.contains(suite) {
            #expect(verdicts[suite] == "pass", "\(suite): \(check.stdout)")
        }
    }
}
