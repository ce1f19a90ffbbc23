import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardGit
@testable import EvalGuardStore
@testable import EvalGuardSupport

/// A stored result goes to its file and its git note streamed: the file holds `JSONEncoder`'s
/// pretty bytes, the note its compact bytes, placed in the notes tree as `git_note_create` places
/// one, and both read back as the result that was saved.
@Suite struct StreamedNoteTests {
    /// A clean result of `count` cases for the repository's HEAD.
    static func result(for commit: String, count: Int) -> RunResult {
        var result = ResultSamples.fullResult(count: count)
        (result.commit, result.dirty, result.dirtyPaths, result.partial) = (commit, false, nil, nil)
        // Ids and figures a run could have written: the store sets anything else aside on read.
        let id = { (n: Int) in String(repeating: String(n), count: 40) }
        result.key = id(1)
        for s in result.suites.indices {
            (result.suites[s].key, result.suites[s].modelFingerprint) = (id(2 + s), id(4 + s))
            result.suites[s].judge?.fingerprint = id(6)
            for i in result.suites[s].cases.indices {
                var c = result.suites[s].cases[i]
                (c.score, c.latencyMs, c.costUSD, c.latenciesMs, c.requestLatenciesMs) = (
                    0.5, 10, 0.001, [1, 2, 3], [4, 6]
                )
                (c.usage, c.retryMs, c.retryFromMs) = (["prompt_tokens": 3, "completion_tokens": 4], 5, 1)
                (c.inputDigest, c.scoringDigest, c.reusedFrom) = (id(7), id(8), id(9))
                result.suites[s].cases[i] = c
            }
            result.suites[s].metrics = Metrics(result.suites[s].cases)
        }
        result.overall = Metrics(of: result.suites.lazy.flatMap(\.cases))
        return result
    }

    /// The notes ref's commit: its tree, its parents and its message.
    static func notesCommit(_ repo: ScratchRepository) throws -> (tree: String, parents: [String], message: String) {
        let tree = try repo.git("rev-parse", Repository.notesRef + "^{tree}")
        let parents = try repo.git("rev-list", "--parents", "-n", "1", Repository.notesRef).split(separator: " ")
            .dropFirst().map(String.init)
        return (tree, parents, try repo.git("log", "-1", "--format=%B", Repository.notesRef))
    }

    @Test func aSavedResultIsEncoderBytesInItsFileAndNoteAndReadsBack() throws {
        let repo = try ScratchRepository()
        let store = ResultStore(root: repo.root, repository: try Repository.discover(from: repo.root))
        let result = Self.result(for: repo.head, count: 40)
        try store.save(result)

        let file = try #require(FileManager.default.contents(atPath: repo.path(store.displayPath(for: repo.head))))
        #expect(
            ResultSamples.difference(Array(file), try ResultSamples.foundation(result, pretty: true) + [0x0A]) == nil)
        let note = try #require(try store.repository?.note(on: repo.head))
        #expect(ResultSamples.difference(Array(note.utf8), try ResultSamples.foundation(result, pretty: false)) == nil)
        #expect(try repo.git("notes", "--ref=evalguard", "show", repo.head) == note, "git reads the same note")

        let fromFile = try #require(store.load(commit: repo.head))
        let fromNote = try #require(store.note(commit: repo.head))
        for read in [fromFile, fromNote] {
            #expect(read.suites.map(\.cases) == result.suites.map(\.cases))
            #expect(read.suites.map(\.judge) == result.suites.map(\.judge))
            #expect(read.overall == result.overall && read.model == result.model && read.key == result.key)
        }
        let commit = try Self.notesCommit(repo)
        #expect(commit.parents.isEmpty && commit.message == Repository.noteCommitMessage)
    }

    @Test func savingAgainReplacesTheNoteOnTopOfThePreviousNotesCommit() throws {
        let repo = try ScratchRepository()
        let store = ResultStore(root: repo.root, repository: try Repository.discover(from: repo.root))
        var result = Self.result(for: repo.head, count: 2)
        try store.save(result)
        let first = try repo.git("rev-parse", Repository.notesRef)
        result.key = String(repeating: "f", count: 40)
        try store.save(result)
        #expect(try Self.notesCommit(repo).parents == [first])
        #expect(try repo.git("notes", "--ref=evalguard", "list").split(separator: "\n").count == 1)
        #expect(store.note(commit: repo.head)?.key == String(repeating: "f", count: 40))
    }

    /// The same note written by libgit2's `git_note_create` and streamed: the same notes tree,
    /// whether the tree is flat or fanned out into `ab/cdef…` directories as git does for many notes.
    @Test(arguments: [false, true])
    func theNotesTreeIsTheOneLibgit2Writes(fannedOut: Bool) throws {
        let repo = try ScratchRepository()
        try repo.write("second.txt", "2\n")
        try repo.commitAll("Second")
        let target = repo.head
        let other = try repo.git("rev-parse", "HEAD~1")
        if fannedOut {
            // A note on the other commit, and an older note on the target, both under fan-out directories.
            func fanned(_ sha: String, _ text: String) throws -> String {
                let blob = try Shell.run(["git", "hash-object", "-w", "--stdin"], in: repo.root, stdin: text).stdout
                    .trimmed
                let inner = try Shell.run(
                    ["git", "mktree"], in: repo.root, stdin: "100644 blob \(blob)\t\(sha.dropFirst(2))\n"
                ).stdout.trimmed
                return "040000 tree \(inner)\t\(sha.prefix(2))\n"
            }
            let top = try Shell.run(
                ["git", "mktree"], in: repo.root, stdin: try fanned(other, "other") + fanned(target, "old")
            ).stdout.trimmed
            try repo.git("update-ref", Repository.notesRef, try repo.git("commit-tree", top, "-m", "notes"))
        }
        let start = try? repo.git("rev-parse", Repository.notesRef)
        let text = String(
            decoding: try ResultSamples.foundation(Self.result(for: target, count: 3), pretty: false), as: UTF8.self)

        let repository = try Repository.discover(from: repo.root)
        try repository.setNote(text, on: target)
        let byLibgit2 = try Self.notesCommit(repo)
        if let start {
            try repo.git("update-ref", Repository.notesRef, start)
        } else {
            try repo.git("update-ref", "-d", Repository.notesRef)
        }
        try repository.setNote(on: target) { sink in try Array(text.utf8).withUnsafeBytes(sink) }
        let streamed = try Self.notesCommit(repo)

        #expect(streamed.tree == byLibgit2.tree)
        #expect(streamed.parents == byLibgit2.parents && streamed.message == byLibgit2.message)
        #expect(try repository.note(on: target) == text)
        if fannedOut { #expect(try repository.note(on: other) == "other") }
    }
}

extension String {
    fileprivate var trimmed: String { trimmingCharacters(in: .whitespacesAndNewlines) }
}
