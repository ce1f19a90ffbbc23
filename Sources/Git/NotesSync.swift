import EvalGuardSupport
import FoundationEssentials

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Exchanges `refs/notes/evalguard` with a remote through the `git` CLI (libgit2 1.5 has no notes
/// merge and no transport evalguard could use without credentials helpers): fetch into
/// `refs/notes/remotes/<remote>/evalguard`, merge with `git notes merge -s cat_sort_uniq` (the
/// lines of both notes on a commit, sorted, duplicates removed: a result is one line, so a commit
/// evaluated on both sides keeps both results), then push without force. A push that loses a race
/// with another pusher fetches, merges and tries again. Needs git on PATH.
package struct NotesSync {
    /// Where git runs: any directory inside the repository.
    package let directory: String
    package let remote: String
    let environment: [String: String]

    /// Where the remote's notes are fetched to; a remote given as a URL (as git passes it to the
    /// pre-push hook for `git push URL`) becomes a valid ref name.
    package var trackingRef: String {
        let name = String(remote.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" })
        return "refs/notes/remotes/\(name)/evalguard"
    }

    /// What a fetch found.
    package enum Fetched: Equatable, Sendable {
        /// The remote's notes are merged into the local ones.
        case merged
        /// The remote has no evalguard notes yet.
        case noNotes
    }

    package struct Failure: Error, Sendable {
        package var message: String
        /// What to do, when it is not "check that the remote is reachable".
        package var hint: String?

        package init(message: String, hint: String? = nil) {
            self.message = message
            self.hint = hint
        }
    }

    package init(directory: String, remote: String, environment: [String: String]) {
        self.directory = directory
        self.remote = remote
        self.environment = environment
    }

    /// The remote to use when none is named: `origin`, else the only remote; nil when there is
    /// none. Throws when git cannot tell (it is not on PATH, TMPDIR is not writable), which is not
    /// the same as having no remote.
    package static func defaultRemote(directory: String, environment: [String: String]) throws(Failure) -> String? {
        let r: (status: Int32, stdout: String, stderr: String)
        do { r = try git(["remote"], directory: directory, environment: environment) } catch {
            throw error as? Failure ?? Failure(message: "cannot run git: \(error)")
        }
        guard r.status == 0 else { throw Failure(message: "git remote failed: " + firstLine(r.stderr)) }
        let remotes = r.stdout.split(separator: "\n").map(String.init)
        return remotes.contains("origin") ? "origin" : remotes.count == 1 ? remotes[0] : nil
    }

    /// Fetches the remote's notes and merges them into `refs/notes/evalguard`.
    package func fetch() throws(Failure) -> Fetched {
        let fetched = try run([
            "fetch", "--quiet", "--no-write-fetch-head", remote, "+\(Repository.notesRef):\(trackingRef)",
        ])
        if fetched.status != 0 {
            if fetched.stderr.contains("couldn't find remote ref") { return .noNotes }
            throw Failure(message: "git fetch \(remote) failed: " + Self.firstLine(fetched.stderr))
        }
        let merged = try run([
            "notes", "--ref=\(Repository.notesRef)", "merge", "--quiet", "-s", "cat_sort_uniq", trackingRef,
        ])
        guard merged.status == 0 else {
            throw Failure(message: "git notes merge failed: " + Self.firstLine(merged.stderr))
        }
        return .merged
    }

    /// Pushes the local notes (never forced; `--no-verify`: pushing notes runs no pre-push check).
    /// A rejection because the remote moved on fetches, merges and pushes again, up to 3 times.
    /// Returns false when there are no local notes to push.
    package func push() throws(Failure) -> Bool {
        let local = try run(["rev-parse", "--verify", "--quiet", Repository.notesRef])
        guard local.status == 0 else { return false }
        for attempt in 1...3 {
            let pushed = try run([
                "push", "--quiet", "--no-verify", remote, "\(Repository.notesRef):\(Repository.notesRef)",
            ])
            if pushed.status == 0 { return true }
            let rejected =
                pushed.stderr.contains("rejected") || pushed.stderr.contains("fetch first")
                || pushed.stderr.contains("non-fast-forward")
            guard rejected, attempt < 3 else {
                throw Failure(
                    message: "git push \(remote) \(Repository.notesRef) failed: " + Self.firstLine(pushed.stderr))
            }
            _ = try fetch()
        }
        return true
    }

    private func run(_ arguments: [String]) throws(Failure) -> (status: Int32, stdout: String, stderr: String) {
        do {
            return try Self.git(arguments, directory: directory, environment: identified())
        } catch let failure as Failure {
            throw failure
        } catch {
            throw error as? Failure ?? Failure(message: "cannot run git (sync needs git on PATH): \(error)")
        }
    }

    /// The merge of two notes histories is a commit: without a configured identity (many CI
    /// machines) it is signed as evalguard, as `setNote` does.
    private func identified() -> [String: String] {
        var env = environment
        if let r = try? Self.git(["var", "GIT_COMMITTER_IDENT"], directory: directory, environment: environment),
            r.status == 0
        {
            return env
        }
        for (name, value) in [
            ("GIT_AUTHOR_NAME", "evalguard"), ("GIT_COMMITTER_NAME", "evalguard"),
            ("GIT_AUTHOR_EMAIL", "evalguard@localhost"), ("GIT_COMMITTER_EMAIL", "evalguard@localhost"),
        ] where env[name] == nil {
            env[name] = value
        }
        return env
    }

    static func firstLine(_ text: String) -> String {
        let lines = text.split(separator: "\n").map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
        return lines.first { $0.hasPrefix("fatal:") || $0.hasPrefix("error:") || $0.hasPrefix("!") } ?? lines.first
            ?? "no message"
    }

    /// Runs git, reading its output before waiting (a full pipe would hang the child); no terminal
    /// prompt for credentials: a push from a hook or CI must fail rather than wait.
    ///
    /// git leads its own process group (`spawnProcess` puts it there), so Ctrl-C at a
    /// terminal reaches evalguard alone: on SIGINT or SIGTERM, evalguard stops the whole group
    /// (git and what it started: `git-upload-pack`, ssh), waits for git, removes its temporary
    /// file, and only then lets the signal end evalguard (see `Interrupts`).
    package static func git(_ arguments: [String], directory: String, environment: [String: String]) throws -> (
        status: Int32, stdout: String, stderr: String
    ) {
        Interrupts.beginDeferring()
        // Ended after every clean-up below (defers run last first).
        defer { Interrupts.endDeferring() }
        if Interrupts.pending { throw Failure(message: "interrupted") }
        var env = environment
        env["GIT_TERMINAL_PROMPT"] = "0"
        // stderr goes to a file: reading two pipes would need a second thread.
        let errPath = temporaryDirectory() + "evalguard-git-\(UUID().uuidString).err"
        guard let errFD = try? createEmptyFile(errPath) else {
            throw Failure(
                message:
                    "TMPDIR (\(temporaryDirectory())) is not writable: cannot create a temporary file for git's messages",
                hint: "Set TMPDIR to a directory you can write to, or unset it to use /tmp.")
        }
        defer { _ = unlink(errPath) } // may be ignored: the file is ours and only a leftover
        let nullFD = open("/dev/null", O_RDONLY | O_CLOEXEC)
        defer { if nullFD >= 0 { closeDescriptor(nullFD) } }
        let out = try makePipe()
        let pid: pid_t
        do {
            pid = try spawnProcess(
                ["/usr/bin/env", "git"] + arguments, directory: directory, environment: env,
                stdin: nullFD, stdout: out.write, stderr: errFD)
        } catch {
            for fd in [out.read, out.write, errFD] { closeDescriptor(fd) }
            throw error
        }
        for fd in [out.write, errFD] { closeDescriptor(fd) }
        defer { closeDescriptor(out.read) }
        let outData: [UInt8]
        do {
            outData = try Interrupts.readToEnd(out.read)
        } catch {
            stop(pid)
            switch error {
            case .interrupted: throw Failure(message: "interrupted")
            case .failed(let e): throw Failure(message: "cannot read git's output: \(e.reason)")
            }
        }
        let status = try waitForExit(pid).status
        let errData = FileManager.default.contents(atPath: errPath) ?? Data()
        // env's "command not found": git itself exits 128 or less.
        if status == 127 {
            throw Failure(
                message: "git was not found on PATH (\(env["PATH"] ?? "unset"))",
                hint: "evalguard runs the git command to exchange results: install git, or add its directory to PATH.")
        }
        return (status, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }

    /// Ends git's process group and waits for git. SIGTERM lets git remove its lock files; what
    /// outlives git in its group after that is killed.
    private static func stop(_ group: pid_t) {
        // May be ignored: the group may be gone already (ESRCH), which is the aim.
        _ = kill(-group, SIGTERM)
        _ = try? waitForExit(group) // may be ignored: ECHILD means nothing is left to reap
        _ = kill(-group, SIGKILL) // may be ignored: as above
    }
}
