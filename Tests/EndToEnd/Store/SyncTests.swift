import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardStore

/// `evalguard sync`, `install-hook --sync` and the notes fetch of `ci`, between clones of a bare
/// remote in temporary directories.
@Suite struct SyncTests {
    /// A repository with evals and a second commit, pushed to a bare remote, and a clone of it.
    final class Pair {
        let a: ScratchRepository
        let remote: String
        let b: String
        let first: String
        let second: String

        init() throws {
            a = try ScratchRepository()
            try a.setUpEvals(model: Models.echo(), cases: [caseLine("x", "x"), caseLine("y", "y")])
            try a.commitAll("Add evals")
            first = a.head
            try a.write("notes.txt", "change\n")
            try a.commitAll("Second")
            second = a.head
            let base = FileManager.default.temporaryDirectory.appendingPathComponent(
                "evalguard-sync-\(UUID().uuidString)"
            ).path
            remote = base + "/remote.git"
            b = base + "/b"
            try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
            #expect(try Shell.run(["git", "init", "-q", "--bare", "-b", "main", remote]).status == 0)
            try a.git("remote", "add", "origin", remote)
            try a.git("push", "-q", "origin", "main")
            #expect(try Shell.run(["git", "clone", "-q", remote, b]).status == 0)
        }

        deinit { try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: b).deletingLastPathComponent().path) }
    }

    /// The lines of a commit's evalguard note in a clone, or [] without one.
    func noteLines(_ directory: String, _ commit: String) throws -> Set<String> {
        let r = try Shell.run(["git", "notes", "--ref=evalguard", "show", commit], in: directory)
        return r.status == 0 ? Set(r.stdout.split(separator: "\n").map(String.init)) : []
    }

    @Test func twoClonesThatStoredDifferentResultsBothEndWithBoth() throws {
        let p = try Pair()
        // a evaluates both commits, b the second one only: the second commit has a result on each side.
        #expect(p.a.evalguard("run", "--commit", p.first).status == 0)
        #expect(p.a.evalguard("run", "--commit", p.second).status == 0)
        #expect(p.a.evalguard("run", "--commit", p.second, in: p.b).status == 0)
        let fromA = try noteLines(p.a.root, p.second)
        let fromB = try noteLines(p.b, p.second)
        #expect(fromA.count == 1 && fromB.count == 1)

        let pushA = p.a.evalguard("sync")
        #expect(pushA.status == 0, "\(pushA.stderr)")
        #expect(
            pushA.stderr.contains("origin has no stored results yet")
                && pushA.stderr.contains("pushed refs/notes/evalguard to origin"), "\(pushA.stderr)")
        // b's push is not a fast-forward of a's: sync merges first, and never forces.
        let syncB = p.a.evalguard("sync", "origin", in: p.b)
        #expect(syncB.status == 0, "\(syncB.stderr)")
        #expect(syncB.stderr.contains("fetched the results stored on origin"), "\(syncB.stderr)")
        #expect(p.a.evalguard("sync").status == 0)

        for clone in [p.a.root, p.b, p.remote] {
            #expect(try noteLines(clone, p.second) == fromA.union(fromB), "\(clone)")
            #expect(try noteLines(clone, p.first).count == 1, "\(clone)")
        }
        // Both results of the merged note read back; log shows both commits in both clones.
        let merged = try Shell.run(["git", "notes", "--ref=evalguard", "show", p.second], in: p.b).stdout
        #expect(
            ResultStore.decodeAll(RunResult.self, Data(merged.utf8), source: "a note").count == fromA.union(fromB).count
        )
        for clone in [p.a.root, p.b] {
            try? FileManager.default.removeItem(atPath: clone + "/.evals/results")
            let log = p.a.evalguard("log", in: clone)
            #expect(log.status == 0, "\(log.stderr)")
            #expect(
                log.stdout.contains(String(p.first.prefix(7))) && log.stdout.contains(String(p.second.prefix(7))),
                "\(clone): \(log.stdout)")
            #expect(log.stdout.contains("Second") && log.stdout.contains("Add evals"))
        }
    }

    @Test func aRemoteThatMovedOnIsMergedNotOverwritten() throws {
        let p = try Pair()
        #expect(p.a.evalguard("run", "--commit", p.first, in: p.b).status == 0)
        #expect(p.a.evalguard("sync", in: p.b).status == 0)
        // a never fetched b's notes: its push is rejected, then fetched, merged and pushed again.
        #expect(p.a.evalguard("run", "--commit", p.second).status == 0)
        #expect(p.a.evalguard("sync").status == 0)
        let remoteNotes = try Shell.run(["git", "notes", "--ref=evalguard", "list"], in: p.remote).stdout
        #expect(remoteNotes.split(separator: "\n").count == 2, "\(remoteNotes)")
        // A remote named by its path or URL, as git hands it to the pre-push hook for `git push URL`.
        let byURL = p.a.evalguard("sync", "file://" + p.remote, in: p.b)
        #expect(byURL.status == 0, "\(byURL.stderr)")
        #expect(try noteLines(p.b, p.second).count == 1)
    }

    @Test func syncWithoutARemoteIsABadUsageError() throws {
        let repo = try ScratchRepository()
        let r = repo.evalguard("sync")
        #expect(r.status == 2)
        #expect(
            r.stderr.contains("no remote to sync results with") && r.stderr.contains("git remote add"), "\(r.stderr)")
        let missing = repo.evalguard("sync", "nowhere")
        #expect(missing.status == 3)
        #expect(missing.stderr.contains("git fetch nowhere failed"), "\(missing.stderr)")
    }

    @Test func syncWithoutGitOnPathSaysSoNotThatThereIsNoRemote() throws {
        let p = try Pair()
        let path = "/nonexistent-\(UUID().uuidString)"
        for arguments in [["sync"], ["sync", "origin"]] {
            let r = try runBinary(arguments, in: p.a.root, environment: ["PATH": path, "HOME": NSHomeDirectory()])
            #expect(r.status == 3)
            #expect(r.stderr.contains("error: evalguard sync: git was not found on PATH (\(path))"), "\(r.stderr)")
            #expect(r.stderr.contains("install git, or add its directory to PATH"), "\(r.stderr)")
            #expect(!r.stderr.contains("no remote"), "\(r.stderr)")
        }
    }

    @Test func syncWithAnUnwritableTMPDIRNamesIt() throws {
        let p = try Pair()
        let tmp = "/nonexistent-\(UUID().uuidString)"
        var environment = ProcessInfo.processInfo.environment
        environment["TMPDIR"] = tmp
        let r = try runBinary(["sync"], in: p.a.root, environment: environment)
        #expect(r.status == 3)
        #expect(r.stderr.contains("error: evalguard sync: TMPDIR (\(tmp)/) is not writable"), "\(r.stderr)")
        #expect(r.stderr.contains("Set TMPDIR to a directory you can write to"), "\(r.stderr)")
        #expect(!r.stderr.contains("no remote"), "\(r.stderr)")
    }

    @Test func thePrePushHookWithSyncPushesTheResultsOfAPassingPush() throws {
        let p = try Pair()
        #expect(try runBinary(["baseline"], in: p.a.root).status == 0)
        try p.a.commitAll("Baseline")
        #expect(try runBinary(["run"], in: p.a.root).status == 0)
        let install = try runBinary(["install-hook", "--sync"], in: p.a.root)
        #expect(install.status == 0, "\(install.stderr)")
        #expect(install.stdout.contains("syncs the stored results"))
        let push = try Shell.run(["git", "push", "origin", "main"], in: p.a.root)
        #expect(push.status == 0, "\(push.stderr)")
        #expect(push.stderr.contains("pushed refs/notes/evalguard to origin"), "\(push.stderr)")
        let head = p.a.head
        #expect(try noteLines(p.remote, head).count == 1, "the result of the pushed commit is on the remote")
        #expect(try Shell.run(["git", "rev-parse", "main"], in: p.remote).stdout.hasPrefix(head))
    }

    @Test func ciFetchesTheStoredResultsFirstAndReusesThem() throws {
        let p = try Pair()
        #expect(p.a.evalguard("baseline").status == 0)
        try p.a.commitAll("Baseline")
        try p.a.git("push", "-q", "origin", "main")
        #expect(p.a.evalguard("run").status == 0)
        #expect(p.a.evalguard("sync").status == 0)
        let fresh = URL(fileURLWithPath: p.b).deletingLastPathComponent().path + "/c"
        #expect(try Shell.run(["git", "clone", "-q", p.remote, fresh]).status == 0)
        let r = p.a.evalguard("ci", "--base", "main", in: fresh)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("fetched the stored results (refs/notes/evalguard) from origin"), "\(r.stderr)")
        #expect(r.stderr.contains("reusing the stored result"), "\(r.stderr)")

        // No remote: said, and not an error.
        #expect(try Shell.run(["git", "remote", "remove", "origin"], in: fresh).status == 0)
        let alone = p.a.evalguard("ci", "--base", "main", in: fresh)
        #expect(alone.status == 0, "\(alone.stderr)")
        #expect(alone.stderr.contains("no git remote"), "\(alone.stderr)")
    }
}
