import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardGate
@testable import EvalGuardGit
@testable import EvalGuardStore
@testable import EvalGuardSupport

/// Blame probes that ask only the cases whose outcome differs between the ends, plus controls.
@Suite(.serialized) struct PartialProbeTests {
    static let flipped = (1...40).map { "q\($0 * 50)" }

    /// A 2,000-case suite; 40 cases broken at a planted commit among 16 model changes. The model
    /// logs every request's id.
    static func history(log: String) throws -> (ScratchRepository, planted: String, base: String) {
        let repo = try ScratchRepository()
        try repo.write(
            "model.py",
            """
            import json, os, sys
            bug = set(open('model/bug.txt').read().split()) if os.path.exists('model/bug.txt') else set()
            with open(\(JSONValue.string(log).canonicalText), 'a') as f:
                for line in sys.stdin:
                    r = json.loads(line)
                    f.write(r['id'] + '\\n'); f.flush()
                    sys.stdout.write(json.dumps({'id': r['id'], 'output': 'wrong' if r['input'] in bug else r['input']}) + '\\n')
                    sys.stdout.flush()
            """)
        try repo.write("model/params.txt", "0\n")
        try repo.write(
            ".evals/cases/main.jsonl", (1...2000).map { caseLine("q\($0)", "q\($0)") }.joined(separator: "\n") + "\n")
        try repo.write(".evals/.gitignore", "results/\n")
        try repo.write(
            ".evals/evalguard.json",
            """
            {"model": {"command": ["python3", "model.py"], "jobs": 1, "inputs": ["model.py", "model/"]},
             "suites": {"main": {"cases": "cases/main.jsonl", "scorer": "exact"}},
             "thresholds": {"p95_latency_ms": false}}
            """)
        try repo.commitAll("evals")
        guard repo.evalguard("baseline").status == 0 else { throw TestFailure("baseline failed") }
        try repo.commitAll("baseline")
        let base = repo.head
        let shas = try SyntheticHistory.append((0..<16).map { $0 == 9 ? .plant(flipped) : .tweak }, to: repo)
        return (repo, shas[9], base)
    }

    func requests(_ log: String) -> [String] {
        (FileManager.default.contents(atPath: log).map { String(decoding: $0, as: UTF8.self) } ?? "").split(
            separator: "\n"
        ).map(String.init)
    }

    @Test func probesAskOnlyTheFlippedCasesAndControlsAndFindTheSameCulprit() throws {
        let log = NSTemporaryDirectory() + "evalguard-requests-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: log) }
        let (repo, planted, base) = try Self.history(log: log)
        let (run, doc) = try repo.evalguardJSON(["blame", "--good", base])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(doc["culprit"]?["sha"]?.stringValue == planted, "\(run.stdout)")
        let asked = requests(log)
        // The two ends in full, then per probe the 40 flipped cases and 10 controls.
        let probes = max(0, (asked.count - 4000) / 50)
        #expect(asked.count == 4000 + probes * 50 && probes >= 3, "\(asked.count) requests")
        let probeIDs = asked.dropFirst(4000)
        #expect(Set(Self.flipped).isSubset(of: Set(probeIDs)))
        #expect(Set(probeIDs).subtracting(Self.flipped).count <= probes * 10)
        for p in 0..<probes {
            let one = Set(probeIDs.dropFirst(p * 50).prefix(50))
            #expect(one.isSuperset(of: Self.flipped) && one.count == 50)
        }

        // Full probes, nothing stored: the same culprit, at 2,000 calls per probe.
        try SyntheticHistory.forgetStored(repo)
        try FileManager.default.removeItem(atPath: log)
        let (full, fullDoc) = try repo.evalguardJSON(["blame", "--good", base, "--full-probes"])
        #expect(full.status == 0)
        #expect(fullDoc["culprit"]?["sha"]?.stringValue == planted)
        #expect(requests(log).count % 2000 == 0 && requests(log).count > 4000)
    }

    /// A stored partial probe is never taken for the commit's result: not by check (it runs the
    /// model in full), not by log (no result shown), not by the hook.
    @Test func aPartialResultIsNeverTakenForAFullOne() throws {
        let log = NSTemporaryDirectory() + "evalguard-requests-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: log) }
        let (repo, _, base) = try Self.history(log: log)
        #expect(repo.evalguard("blame", "--good", base).status == 0)
        let probed = try FileManager.default.contentsOfDirectory(atPath: repo.path(".evals/results/partial"))
        #expect(!probed.isEmpty)
        let sha = String(probed[0].dropLast(".json".count))
        let partial = try JSONParser.parse(repo.read(".evals/results/partial/\(probed[0])") ?? "")
        #expect(partial["partial"]?.stringValue?.hasPrefix("blame probe: ") == true)
        #expect(ResultStore(root: repo.root).load(commit: sha) == nil)

        // log: the probed commit has no result line.
        let logRun = repo.evalguard("log", "-n", "30")
        #expect(
            !logRun.stdout.contains(String(sha.prefix(7)))
                || !logRun.stdout.split(separator: "\n")
                    .first(where: { $0.contains(String(sha.prefix(7))) }).map {
                        $0.contains("accuracy") || $0.contains("%")
                    }!
        )

        // check of the probed commit: every case evaluated (2,000 answers in the result).
        try FileManager.default.removeItem(atPath: log)
        let check = repo.evalguard("check", "--commit", sha, "--against", base, "--format", "json")
        #expect(check.status == 0 || check.status == 1, "\(check.stderr)")
        #expect(ResultStore(root: repo.root).load(commit: sha)?.suites.first?.cases.count == 2000)
        #expect(ResultStore(root: repo.root).load(commit: sha)?.partial == nil)

        // The pre-push hook on the probed commit (stored results forgotten, the partial kept):
        // it evaluates every case, never the probe's.
        try? FileManager.default.removeItem(atPath: repo.path(".evals/results/\(sha).json"))
        _ = try? repo.git("update-ref", "-d", "refs/notes/evalguard")
        try repo.write(".evals/results/partial/\(sha).json", repo.read(".evals/results/partial/\(probed[0])") ?? "")
        let hook = PrePushHook(repository: try Repository.discover(from: repo.root), remote: "origin")
        let refs = try PushedRef.parse("refs/heads/main \(sha) refs/heads/main \(String(repeating: "0", count: 40))\n")
        guard case .checked(let pushed) = try hook.check(refs[0], progress: { _, _ in }, say: { _ in }) else {
            Issue.record("the hook skipped the probed commit")
            return
        }
        #expect(pushed.run.result.partial == nil)
        #expect(pushed.run.result.suites.first?.cases.count == 2000)
    }
}
