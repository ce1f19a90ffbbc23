import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardStore
@testable import EvalGuardSupport

/// Stored results are input: a result file, a git note or a share that no run could have
/// written (here, a case with more passes than runs) is set aside with a warning naming it,
/// and the command goes on as if it were absent; `merge` refuses such a share.
@Suite(.serialized) struct StoredResultValidationTests {
    /// A committed suite of three cases with its baseline; the model counts its requests.
    func project() throws -> (ScratchRepository, counter: String) {
        let repo = try ScratchRepository()
        let counter = NSTemporaryDirectory() + "evalguard-validation-\(UUID().uuidString).log"
        try repo.setUpEvals(
            model: Models.echo(counter: counter), cases: ["a", "b", "c"].map { caseLine($0, "word \($0)") })
        #expect(repo.evalguard("run").status == 0)
        #expect(repo.evalguard("baseline").status == 0)
        try repo.commitAll("evals and baseline")
        #expect(repo.evalguard("run").status == 0)
        return (repo, counter)
    }

    func requests(_ counter: String) -> Int {
        ((try? String(contentsOfFile: counter, encoding: .utf8)) ?? "").split(separator: "\n").filter {
            $0 == "request"
        }.count
    }

    /// `text` (a result's JSON) with its first case claiming 5 passes out of 2 runs.
    func forged(_ text: String) throws -> Data {
        var result = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        var suites = try #require(result["suites"] as? [[String: Any]])
        var cases = try #require(suites[0]["cases"] as? [[String: Any]])
        cases[0]["runs"] = 2
        cases[0]["passes"] = 5
        suites[0]["cases"] = cases
        result["suites"] = suites
        return try JSONSerialization.data(withJSONObject: result)
    }

    @Test func aForgedResultFileIsIgnoredWithAWarningAndTheModelRuns() throws {
        let (repo, counter) = try project()
        let head = repo.head
        let file = ".evals/results/\(head).json"
        // The forged file is the one result stored: no note, no other commit's answers to reuse.
        let text = try #require(repo.read(file))
        try FileManager.default.removeItem(atPath: repo.path(".evals/results"))
        try repo.write(file, String(decoding: try forged(text), as: UTF8.self))
        try repo.git("notes", "--ref=evalguard", "remove", "HEAD")
        let before = requests(counter)
        let check = repo.evalguard("check")
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        #expect(
            check.stderr.contains(
                "warning: ignoring the stored result in \(file): suite 'main': case 'a': passes 5 is not within 0…2"),
            "\(check.stderr)")
        #expect(requests(counter) - before == 3, "the model answered every case afresh")
    }

    @Test func aForgedNoteIsIgnoredWithAWarningAndTheModelRuns() throws {
        let (repo, counter) = try project()
        let note = try repo.git("notes", "--ref=evalguard", "show", "HEAD")
        let text = String(decoding: try forged(note), as: UTF8.self)
        try repo.git("notes", "--ref=evalguard", "add", "-f", "-m", text, "HEAD")
        try FileManager.default.removeItem(atPath: repo.path(".evals/results"))
        let before = requests(counter)
        let check = repo.evalguard("check")
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        #expect(
            check.stderr.contains(
                "warning: ignoring the stored result in the git note of commit \(repo.head.prefix(12)) (refs/notes/evalguard): suite 'main': case 'a': passes 5"
            ),
            "\(check.stderr)")
        #expect(requests(counter) - before == 3, "the model answered every case afresh")
    }

    @Test func mergeRefusesAForgedShareNamingItsFile() throws {
        let (repo, _) = try project()
        for i in 1...2 { #expect(repo.evalguard("run", "--shard", "\(i)/2", "--fresh").status == 0) }
        let dir = ".evals/results/shards/\(repo.head)"
        var forgedOne: String?
        for i in 1...2 {
            let share = "\(dir)/\(i)-of-2.json"
            let text = try #require(repo.read(share))
            var json = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
            let result = try #require(json["result"] as? [String: Any])
            let cases = try #require((result["suites"] as? [[String: Any]])?.first?["cases"] as? [[String: Any]])
            guard !cases.isEmpty, forgedOne == nil else { continue }
            json["result"] = try JSONSerialization.jsonObject(
                with: try forged(String(decoding: try JSONSerialization.data(withJSONObject: result), as: UTF8.self)))
            try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: repo.path(share)))
            forgedOne = share
        }
        let share = try #require(forgedOne)
        let merge = repo.evalguard("merge", dir)
        #expect(merge.status == 2, "\(merge.stderr)")
        #expect(merge.stderr.contains("\(share)"), "\(merge.stderr)")
        #expect(merge.stderr.contains("passes 5 is not within 0…2"), "\(merge.stderr)")
    }

    @Test func aKeyIndexEntryThatIsNotACommitIdIsIgnoredWithAWarning() throws {
        final class Said: @unchecked Sendable {
            let lock = NSLock()
            var lines: [String] = []
        }
        let repo = try ScratchRepository()
        let key = String(repeating: "a", count: 40)
        try repo.write(".evals/results/keys/\(key)", "../../outside\n")
        let said = Said()
        let sink = StoredInputWarnings { line in said.lock.withLock { said.lines.append(line) } }
        let found = StoredInputWarnings.$current.withValue(sink) {
            ResultStore(root: repo.root).find(key: key, commit: repo.head)
        }
        #expect(found == nil)
        #expect(said.lines == ["ignoring .evals/results/keys/\(key): it holds \"../../outside\", not a commit id"])
    }

    /// Each kind of unsound field is named, and the sound result it was made from passes.
    @Test func everyUnsoundFieldIsNamed() throws {
        let (repo, _) = try project()
        let text = try #require(repo.read(".evals/results/\(repo.head).json"))
        #expect(ResultStore.decode(Data(text.utf8), source: "sound")?.storedProblem == nil)
        let mutations: [(String, (inout [String: Any]) -> Void)] = [
            ("its input_digest \"XYZ\" is not a blob id", { $0["input_digest"] = "XYZ" }),
            (
                "its output_digest \"\(String(repeating: "A", count: 40))\" is not a blob id",
                { $0["output_digest"] = String(repeating: "A", count: 40) }
            ),
            ("score 2.0 is not within 0…1", { $0["score"] = 2 }),
            ("latency_ms -1.0 is not a finite, non-negative number", { $0["latency_ms"] = -1 }),
            (
                "passes 5 is not within 0…2 (its runs)",
                {
                    $0["runs"] = 2
                    $0["passes"] = 5
                }
            ),
            ("tool_call_count -1 is negative", { $0["tool_call_count"] = -1 }),
            ("step_count -3 is negative", { $0["step_count"] = -3 }),
            (
                "request_latencies_ms holds a number that is not finite and non-negative",
                { $0["request_latencies_ms"] = [3, -1] }
            ),
        ]
        for (problem, mutate) in mutations {
            var result = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
            var suites = try #require(result["suites"] as? [[String: Any]])
            var cases = try #require(suites[0]["cases"] as? [[String: Any]])
            mutate(&cases[0])
            suites[0]["cases"] = cases
            result["suites"] = suites
            let data = try JSONSerialization.data(withJSONObject: result)
            let warnings = Warnings()
            let decoded = StoredInputWarnings.$current.withValue(StoredInputWarnings { warnings.add($0) }) {
                ResultStore.decode(data, source: "the forged file")
            }
            #expect(decoded == nil, "\(problem)")
            #expect(
                warnings.lines.contains { $0.contains("the forged file") && $0.contains(problem) },
                "\(problem): \(warnings.lines)")
        }
    }

    final class Warnings: @unchecked Sendable {
        private let lock = NSLock()
        private var said: [String] = []
        func add(_ line: String) { lock.withLock { said.append(line) } }
        var lines: [String] { lock.withLock { said } }
    }
}
