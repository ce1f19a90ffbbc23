import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardCLI
@testable import EvalGuardGit
@testable import EvalGuardStore
@testable import EvalGuardSupport

/// `run|check|ci --shard i/N` and `evalguard merge`.
@Suite struct ShardTests {
    static let cases = (1...30).map { caseLine("c\($0)", "q\($0)") }
    static let others = (1...12).map { caseLine("o\($0)", "p\($0)") }

    /// Two suites, an echo model that records each request in `counter`, baseline committed.
    func project(counter: String) throws -> ScratchRepository {
        let repo = try ScratchRepository()
        try repo.setUpEvals(model: Models.echo(counter: counter), cases: Self.cases)
        try repo.write(".evals/cases/other.jsonl", Self.others.joined(separator: "\n") + "\n")
        try repo.write(
            ".evals/evalguard.json",
            """
            {
              "model": {"command": ["python3", "model.py"], "jobs": 2, "timeout_s": 5},
              "suites": {"main": {"cases": "cases/main.jsonl", "scorer": "exact"},
                         "other": {"cases": "cases/other.jsonl", "scorer": "exact"}},
              "thresholds": {"p95_latency_ms": false}
            }
            """)
        try repo.commitAll("Add evals")
        return repo
    }

    static func requests(_ counter: String) -> Int {
        (try? String(contentsOfFile: counter, encoding: .utf8))?.split(separator: "\n").filter { $0 == "request" }.count
            ?? 0
    }

    static func counterPath() -> String { NSTemporaryDirectory() + "evalguard-shard-counter-\(UUID().uuidString)" }

    /// The result with what depends on timing zeroed: when it was made, latencies (and the
    /// percentiles over them) and which answer was a process's first (cold start), which
    /// depends on how cases were spread over processes.
    static func timingZeroed(_ result: RunResult) -> RunResult {
        var r = result
        r.createdAt = ""
        func zero(_ m: inout Metrics) {
            (m.p50LatencyMs, m.p95LatencyMs, m.p99LatencyMs, m.meanLatencyMs) = (0, 0, 0, 0)
        }
        for s in r.suites.indices {
            zero(&r.suites[s].metrics)
            for c in r.suites[s].cases.indices {
                (r.suites[s].cases[c].latencyMs, r.suites[s].cases[c].latenciesMs, r.suites[s].cases[c].coldStart) = (
                    0, nil, nil
                )
            }
        }
        zero(&r.overall)
        return r
    }

    @Test func sharesSplitByCaseIdSoAddingCasesMovesNoOtherCase() {
        let ids = (1...300).map { "case-\($0)" }
        let before = ids.map { Shard.share(suite: "main", caseID: $0, count: 4) }
        let grown = (["new-1"] + ids + ["new-2"]).map { Shard.share(suite: "main", caseID: $0, count: 4) }
        #expect(Array(grown[1...300]) == before)
        for i in 1...4 {
            #expect(
                (50...100).contains(before.count { $0 == i }), "share \(i) holds \(before.count { $0 == i }) of 300")
        }
        #expect(Shard(parsing: "2/4") == Shard(index: 2, count: 4))
        for bad in ["0/4", "5/4", "2", "a/b", "1/0", "-1/2", "1/2/3"] { #expect(Shard(parsing: bad) == nil, "\(bad)") }
    }

    @Test func mergedSharesEqualTheUnshardedResultByteForByteOnceTimingFieldsAreZeroed() throws {
        let counter = Self.counterPath()
        defer { try? FileManager.default.removeItem(atPath: counter) }
        let repo = try project(counter: counter)
        let whole = repo.evalguard("run", "--fresh")
        #expect(whole.status == 0, "\(whole.stderr)")
        let unsharded = try #require(ResultStore(root: repo.root).load(commit: repo.head))
        #expect(Self.requests(counter) == 42)
        try FileManager.default.removeItem(atPath: repo.path(".evals/results"))
        try repo.git("update-ref", "-d", Repository.notesRef)

        for i in 1...3 {
            let share = repo.evalguard("run", "--shard", "\(i)/3", "--fresh")
            #expect(share.status == 0, "\(share.stderr)")
            #expect(share.stderr.contains("wrote .evals/results/shards/\(repo.head)/\(i)-of-3.json"))
        }
        #expect(Self.requests(counter) == 84, "each case asked once more, by exactly one share")
        #expect(ResultStore(root: repo.root).result(commit: repo.head) == nil, "shares alone are no result")
        let merge = repo.evalguard("merge", ".evals/results/shards/\(repo.head)")
        #expect(merge.status == 0, "\(merge.stderr)")
        let path = repo.path(".evals/results/\(repo.head).json")
        let file = try #require(FileManager.default.contents(atPath: path))
        let merged = try #require(ResultStore(root: repo.root).load(commit: repo.head))
        // The file is exactly what one machine's run writes for this result...
        #expect(Array(file) == Array(try ResultStore.encode(merged, pretty: true)) + [0x0A])
        // ...and, timing aside, the same bytes as the unsharded run's.
        let a = try ResultStore.encode(Self.timingZeroed(unsharded), pretty: true)
        let b = try ResultStore.encode(Self.timingZeroed(merged), pretty: true)
        #expect(a == b, "\(String(decoding: a, as: UTF8.self))\n---\n\(String(decoding: b, as: UTF8.self))")
        #expect(merged.suites.map(\.cases.count) == [30, 12])
        // Stored as run stores it: the git note too, so check needs no model.
        #expect(
            ResultStore(root: repo.root, repository: try Repository.discover(from: repo.root)).note(commit: repo.head)?
                .key == unsharded.key)
        let baseline = repo.evalguard("baseline")
        #expect(baseline.status == 0, "\(baseline.stderr)")
        try repo.commitAll("Record the baseline")
        let check = repo.evalguard("check")
        #expect(check.status == 0, "\(check.stderr)")
        #expect(Self.requests(counter) == 84, "check gated the merged result without asking the model")
    }

    @Test func aShareIsNeverTakenForAResult() throws {
        let counter = Self.counterPath()
        defer { try? FileManager.default.removeItem(atPath: counter) }
        let repo = try project(counter: counter)
        let share = repo.evalguard("check", "--shard", "1/2")
        #expect(share.status == 0, "\(share.stderr)")
        #expect(share.stderr.contains("not gated"))
        let asked = Self.requests(counter)
        #expect(asked > 0 && asked < 42)
        let store = ResultStore(root: repo.root, repository: try Repository.discover(from: repo.root))
        let shardFile = repo.path(".evals/results/shards/\(repo.head)/1-of-2.json")
        #expect(repo.exists(".evals/results/shards/\(repo.head)/1-of-2.json"))
        #expect(store.result(commit: repo.head) == nil)
        #expect(try repo.git("notes", "--ref", Repository.notesRef, "list").isEmpty)
        #expect(!FileManager.default.fileExists(atPath: repo.path(".evals/results/keys")))
        // Copied where a result belongs, a share still reads as no result.
        try FileManager.default.copyItem(atPath: shardFile, toPath: repo.path(".evals/results/\(repo.head).json"))
        #expect(store.result(commit: repo.head) == nil)
        let data = try #require(FileManager.default.contents(atPath: shardFile))
        #expect(ResultStore.decodeAll(RunResult.self, data, source: "a share").isEmpty)
        let log = repo.evalguard("log")
        #expect(log.status == 0, "\(log.stderr)")
        #expect(log.stdout.hasPrefix("No stored results on this history"), "\(log.stdout)")
        // The full evaluation asks the model about every case: nothing was taken from the share.
        let run = repo.evalguard("run")
        #expect(run.status == 0, "\(run.stderr)")
        #expect(Self.requests(counter) == asked + 42)
    }

    @Test func manyMissingSharesAreListedAsFewAsMissingCasesAre() throws {
        let counter = Self.counterPath()
        defer { try? FileManager.default.removeItem(atPath: counter) }
        let repo = try project(counter: counter)
        #expect(repo.evalguard("run", "--shard", "1/100000").status == 0)
        let merged = repo.evalguard("merge", ".evals/results/shards/\(repo.head)")
        #expect(merged.status == 2)
        #expect(
            merged.stderr.contains(
                "error: cannot merge: missing 99999 shards: 2/100000, 3/100000, 4/100000, 5/100000, 6/100000 and 99994 more; "
            ),
            "\(merged.stderr.prefix(300))")
        #expect(merged.stderr.contains("42 case(s) are in no shard given: "), "\(merged.stderr.prefix(300))")
        #expect(merged.stderr.utf8.count < 1000, "\(merged.stderr.utf8.count) bytes on stderr")
    }

    @Test func sharesOfACommitThisCloneLacksSayHowToFetchIt() throws {
        let counter = Self.counterPath()
        defer { try? FileManager.default.removeItem(atPath: counter) }
        let there = try project(counter: counter)
        // A commit of its own: two projects made in the same second would share their commit ids.
        try there.write("there.txt", "this history only\n")
        try there.commitAll("There")
        for i in 1...2 { #expect(there.evalguard("run", "--shard", "\(i)/2").status == 0) }
        let here = try project(counter: counter)
        try here.write("notes.txt", "another history\n")
        try here.commitAll("Elsewhere")
        for i in 1...2 {
            try FileManager.default.copyItem(
                atPath: there.path(".evals/results/shards/\(there.head)/\(i)-of-2.json"),
                toPath: here.path("share-\(i).json"))
        }
        let merged = here.evalguard("merge", "share-1.json", "share-2.json")
        #expect(merged.status == 2)
        #expect(
            merged.stderr.contains(
                "error: cannot merge: the shares evaluated commit \(there.head.prefix(7)), which is not in this clone"),
            "\(merged.stderr)")
        #expect(merged.stderr.contains("git fetch origin \(there.head)"), "\(merged.stderr)")
        #expect(!merged.stderr.contains("git_commit_lookup"), "\(merged.stderr)")
    }

    @Test func missingDuplicatedAndMismatchedSharesAreRefusedWithExitTwo() throws {
        let counter = Self.counterPath()
        defer { try? FileManager.default.removeItem(atPath: counter) }
        let repo = try project(counter: counter)
        for i in 1...3 { #expect(repo.evalguard("run", "--shard", "\(i)/3").status == 0) }
        let dir = ".evals/results/shards/\(repo.head)"
        let (one, two, three) = (dir + "/1-of-3.json", dir + "/2-of-3.json", dir + "/3-of-3.json")

        let missing = repo.evalguard("merge", one, three)
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("missing shard 2/3"), "\(missing.stderr)")
        let inTwo = try ResultStore.loadShard(
            try #require(FileManager.default.contents(atPath: repo.path(two))), displayPath: two)
        let aCase = try #require(inTwo.suites[0].caseIDs.first)
        #expect(missing.stderr.contains("main: \(aCase) (shard 2/3)"), "\(missing.stderr)")

        try FileManager.default.copyItem(atPath: repo.path(two), toPath: repo.path("copy-of-2.json"))
        let twice = repo.evalguard("merge", one, two, "copy-of-2.json", three)
        #expect(twice.status == 2)
        #expect(twice.stderr.contains("duplicated shard 2/3: \(two) and copy-of-2.json"), "\(twice.stderr)")

        // A case smuggled into a second share.
        var inOne = try ResultStore.loadShard(
            try #require(FileManager.default.contents(atPath: repo.path(one))), displayPath: one)
        let moved = try #require(inTwo.result.suites[0].cases.first)
        inOne.result.suites[0].cases.append(moved)
        inOne.suites[0].caseIDs.append(moved.id)
        try ResultStore(root: repo.root).saveShard(inOne, Shard(index: 1, count: 3))
        let duplicated = repo.evalguard("merge", dir)
        #expect(duplicated.status == 2)
        #expect(
            duplicated.stderr.contains("duplicated: 1 case(s) are in more than one shard: main: \(moved.id)"),
            "\(duplicated.stderr)")
        #expect(repo.evalguard("run", "--shard", "1/3").status == 0)

        let otherSplit = repo.evalguard("run", "--shard", "2/4")
        #expect(otherSplit.status == 0)
        let split = repo.evalguard("merge", one, dir + "/2-of-4.json", three)
        #expect(split.status == 2)
        #expect(
            split.stderr.contains("mismatched shards: \(one) is shard 1/3 but \(dir)/2-of-4.json is shard 2/4"),
            "\(split.stderr)")

        // A share of another commit (the model changed) does not fit the others.
        let old = repo.head
        try repo.write("model.py", Models.echo(flipping: ["q1"]))
        try repo.commitAll("Change the model")
        #expect(repo.evalguard("run", "--shard", "2/3").status == 0)
        let mixed = repo.evalguard(
            "merge", ".evals/results/shards/\(old)/1-of-3.json", ".evals/results/shards/\(repo.head)/2-of-3.json",
            ".evals/results/shards/\(old)/3-of-3.json")
        #expect(mixed.status == 2)
        #expect(mixed.stderr.contains("mismatched shards"), "\(mixed.stderr)")
        #expect(mixed.stderr.contains("differ in their commit"), "\(mixed.stderr)")

        let notAShard = repo.evalguard("merge", ".evals/evalguard.json")
        #expect(notAShard.status == 2)
        #expect(notAShard.stderr.contains(".evals/evalguard.json: not a shard result"), "\(notAShard.stderr)")
        // Nothing above stored a result for either commit.
        #expect(ResultStore(root: repo.root).load(commit: old) == nil)
        let bad = repo.evalguard("run", "--shard", "4/3")
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("expected i/N with 1 ≤ i ≤ N"))
    }
}
