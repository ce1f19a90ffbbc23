import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardGit
@testable import EvalGuardHistory
@testable import EvalGuardStore
@testable import EvalGuardSupport

/// `log` and `blame` find stored results through indexes built once per command (the notes listed
/// once, root trees read once, summaries read without Foundation's decoder): what they find must
/// equal what the commit-by-commit readers found.
@Suite struct StoredLookupTests {
    /// Results evaluated at HEAD~2 and HEAD, kept in files and notes.
    static func stored() throws -> (ScratchRepository, counter: String) {
        let counter = NSTemporaryDirectory() + "evalguard-counter-\(UUID().uuidString)"
        let repo = try SyntheticHistory.make([.tweak, .docs, .plant(["q1", "q2"]), .docs, .tweak], counter: counter)
        for rev in ["HEAD~4", "HEAD~2", "HEAD"] {
            let run = repo.evalguard("run", "--commit", rev)
            guard run.status == 0 else { throw TestFailure("run failed: \(run.stderr)") }
        }
        return (repo, counter)
    }

    @Test func notesListedOnceReadAsNoteByNoteDid() throws {
        let (repo, counter) = try Self.stored()
        defer { try? FileManager.default.removeItem(atPath: counter) }
        let repository = try Repository.discover(from: repo.root)
        let notes = try Repository.withoutObjectCache { try repository.notes() }
        #expect(notes.count == 3)
        for (commit, blob) in notes {
            let direct = try #require(try repository.note(on: commit.hex))
            #expect(try repository.note(blob: blob) == direct)
            #expect(try Repository.withoutObjectCache { try repository.note(blob: blob) } == direct)
        }
        #expect(Set(notes.keys.map(\.hex)) == (try repository.notedCommits()))
        let head = try #require(ObjectID(hex: repo.head))
        #expect(notes[head] != nil)
    }

    @Test func summariesEqualFoundationsDecodingOfFilesAndNotes() throws {
        let (repo, counter) = try Self.stored()
        defer { try? FileManager.default.removeItem(atPath: counter) }
        let repository = try Repository.discover(from: repo.root)
        let files = try FileManager.default.contentsOfDirectory(atPath: repo.path(".evals/results")).filter {
            $0.hasSuffix(".json")
        }
        #expect(files.count == 3)
        for file in files {
            let data = try #require(FileManager.default.contents(atPath: repo.path(".evals/results/" + file)))
            let expected = try #require(ResultStore.decode(ResultSummary.self, data, source: "a file"))
            #expect(ResultSummary.decode(data, source: "a file") == expected)
            let note = try #require(try repository.note(on: String(file.dropLast(5))))
            #expect(ResultSummary.decode(Data(note.utf8), source: "a note") == expected)
            // A note merged by sync: one result per line, the first that reads wins, for both readers.
            let merged = Data(("{\"format\": 1}\n" + note + "\n" + note + "\n").utf8)
            #expect(
                ResultSummary.decode(merged, source: "a note")
                    == ResultStore.decode(ResultSummary.self, merged, source: "a note"))
            #expect(ResultSummary.decode(merged, source: "a note") == expected)
        }
    }

    @Test func summariesRefuseWhatTheDecoderRefuses() throws {
        let metrics =
            #"{"cases": 3, "passed": 2, "errors": 0, "timeouts": 0, "accuracy": 0.6667, "p50_latency_ms": 1, "p95_latency_ms": 2, "p99_latency_ms": 2, "mean_latency_ms": 1.5"#
        func result(format: Int = RunResult.formatVersion, overall: String = metrics + "}", extra: String = "") -> Data
        {
            Data(
                (#"{"format": \#(format), "commit": "\#(String(repeating: "ab", count: 20))", "key": "\#(String(repeating: "c", count: 40))", "dirty": false, "overall": \#(overall), "#
                    + #""suites": [{"name": "main", "cases": [{"id": "x", "output": "\"cases\": [ ] } ] {"}, {"id": "y\\", "n": [1, [2]]}], "metrics": \#(overall)}]\#(extra)}"#)
                    .utf8)
        }
        let cases: [(String, Data)] = [
            ("plain", result()),
            (
                "optional figures",
                result(
                    overall: metrics
                        + #", "avg_cost_usd": 0.001, "total_cost_usd": 0.003, "retries": 2, "retry_ms": 10.5, "mean_score": 0.7}"#
                )
            ),
            ("null optional", result(overall: metrics + #", "avg_cost_usd": null}"#)),
            (
                "fractional count",
                result(overall: metrics.replacingOccurrences(of: #""cases": 3"#, with: #""cases": 3.5"#) + "}")
            ),
            (
                "count as a string",
                result(overall: metrics.replacingOccurrences(of: #""passed": 2"#, with: #""passed": "2""#) + "}")
            ),
            (
                "missing latency",
                result(overall: metrics.replacingOccurrences(of: #", "mean_latency_ms": 1.5"#, with: "") + "}")
            ),
            ("other format", result(format: RunResult.formatVersion + 1)),
            ("trailing garbage", result() + Data(" x".utf8)),
            (
                "unbalanced cases",
                Data(String(decoding: result(), as: UTF8.self).replacingOccurrences(of: "[2]]", with: "[2}]").utf8)
            ),
            (
                "more passed than cases",
                result(overall: metrics.replacingOccurrences(of: #""passed": 2"#, with: #""passed": 4"#) + "}")
            ),
        ]
        for (name, data) in cases {
            #expect(
                ResultSummary.decode(data, source: "a file")
                    == ResultStore.decode(ResultSummary.self, data, source: "a file"), "\(name)")
        }
        #expect(ResultSummary.decode(cases[0].1, source: "a file")?.overall.cases == 3)
        #expect(ResultSummary.decode(cases[1].1, source: "a file")?.overall.meanScore == 0.7)
        #expect(ResultSummary.decode(cases[3].1, source: "a file") == nil)
        #expect(ResultSummary.decode(cases[8].1, source: "a file") == nil)
        #expect(ResultSummary.decode(cases[9].1, source: "a file") == nil)
    }

    @Test func parsingSkipsOnlyWhatItIsToldTo() throws {
        let text = #"{"a": {"cases": 2, "skip": [1, {"s": "]}\"[{"}, "\\"]}, "skip": "x", "keep": [1]}"#
        var copy = text
        let value = try copy.withUTF8 { bytes in try JSONParser.parse(bytes, keep: { name, _ in name != "skip" }) }
        #expect(value == .object(["a": .object(["cases": .number(2)]), "keep": .array([.number(1)])]))
        for bad in [#"{"skip": [1, 2}"#, #"{"skip": "open}"#, #"{"skip": [[1]"#, #"{"skip": tru}"#] {
            var b = bad
            #expect(throws: JSONParser.SyntaxError.self, "\(bad)") {
                try b.withUTF8 { try JSONParser.parse($0, keep: { name, _ in name != "skip" }) }
            }
        }
    }

    @Test func rootTreesReadOnceGiveTheSameEntriesAndKeys() throws {
        let (repo, counter) = try Self.stored()
        defer { try? FileManager.default.removeItem(atPath: counter) }
        let repository = try Repository.discover(from: repo.root)
        let once = HistoryIndex(repository: repository, keyingEveryCommit: true)
        let byName = HistoryIndex(repository: repository)
        let a = try Repository.withoutObjectCache { try once.firstParentChain(from: repo.head) }
        let b = try byName.firstParentChain(from: repo.head)
        #expect(
            a.count == Int(try repo.git("rev-list", "--first-parent", "--count", "HEAD"))
                && a.map(\.sha) == b.map(\.sha))
        for (x, y) in zip(a, b) {
            #expect(x.treeID == y.treeID && x.firstParentID == y.firstParentID && x.parentCount == y.parentCount)
            #expect(x.configBlob == y.configBlob && x.baselineBlob == y.baselineBlob)
            #expect(once.key(of: x) == byName.key(of: y))
            #expect(try once.changesBaseline(x) == byName.changesBaseline(y))
        }
        // The keys are those the stored results were evaluated with.
        for rev in ["HEAD~4", "HEAD~2", "HEAD"] {
            let sha = try repo.git("rev-parse", rev)
            let stored = try #require(ResultStore(root: repo.root).load(commit: sha))
            #expect(once.key(of: try #require(a.first { $0.sha == sha })) == stored.key)
        }
    }

    @Test func commitGraphGivesTheEntriesWithoutReadingCommits() throws {
        let counter = NSTemporaryDirectory() + "evalguard-counter-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: counter) }
        let repo = try SyntheticHistory.make([.tweak, .docs, .settings, .tweak], counter: counter)
        // A merge on the first-parent line: two parents.
        _ = try repo.git("checkout", "-q", "-b", "side", "HEAD~1")
        try repo.write("docs/side.md", "side\n")
        try repo.commitAll("Side docs")
        _ = try repo.git("checkout", "-q", "main")
        _ = try repo.git("merge", "-q", "--no-ff", "-m", "Merge side", "side")
        let repository = try Repository.discover(from: repo.root)
        #expect(repository.commitGraph() == nil)
        let plain = HistoryIndex(repository: repository, keyingEveryCommit: true)
        let expected = try plain.firstParentChain(from: repo.head)
        #expect(plain.commitsFromGraph == 0)

        _ = try repo.git("commit-graph", "write", "--reachable")
        let graph = try #require(repository.commitGraph())
        #expect(graph.count == Int(try repo.git("rev-list", "--all", "--count")))
        let index = HistoryIndex(repository: repository, keyingEveryCommit: true)
        let chain = try index.firstParentChain(from: repo.head)
        #expect(index.commitsFromGraph == chain.count)
        #expect(chain.count == expected.count && chain.first?.parentCount == 2)
        for (x, y) in zip(chain, expected) {
            #expect(
                x.sha == y.sha && x.treeID == y.treeID && x.firstParentID == y.firstParentID
                    && x.parentCount == y.parentCount)
            #expect(x.configBlob == y.configBlob && x.baselineBlob == y.baselineBlob)
            #expect(index.key(of: x) == plain.key(of: y))
        }

        // A commit made after the graph is read from its object; the rest still from the graph.
        try repo.write("docs/late.md", "late\n")
        try repo.commitAll("Late docs")
        let later = HistoryIndex(repository: repository, keyingEveryCommit: true)
        let longer = try later.firstParentChain(from: repo.head)
        #expect(longer.count == chain.count + 1 && later.commitsFromGraph == chain.count)
        // log reads the commits it shows anyway: no graph for it.
        let log = HistoryIndex(repository: repository)
        #expect(try log.firstParentChain(from: repo.head, limit: 3).count == 3 && log.commitsFromGraph == 0)
        #expect(longer.dropFirst().map(\.sha) == chain.map(\.sha))

        // Replace refs rewrite history: git ignores the graph then, and so does evalguard.
        _ = try repo.git("replace", chain[1].sha, chain[2].sha)
        #expect(repository.commitGraph() == nil)
    }
}
