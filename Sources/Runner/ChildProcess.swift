import EvalGuardConfig
import EvalGuardSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A model process with its three pipes. The parent's ends are non-blocking and close-on-exec
/// (so a second model process never inherits the first one's pipes and EOF still means EOF).
/// The child leads its own process group, so a time-out kills whatever it started too.
final class ChildProcess {
    let pid: pid_t
    let stdinFD: Int32
    let stdoutFD: Int32
    let stderrFD: Int32
    var stdoutOpen = true
    var stderrOpen = true
    var stdoutBuffer: [UInt8] = []
    /// The last few kilobytes the process wrote to stderr, quoted when it fails.
    private(set) var stderrTail: [UInt8] = []
    private var pendingWrite: [UInt8] = []
    /// One read buffer for the process's life: reads happen several times per case.
    private var chunk = [UInt8](repeating: 0, count: 65536)
    private var exited = false

    /// Index of the request being answered, and when it was sent.
    var inFlight: Int?
    var sentAt: UInt64 = 0
    /// Requests answered so far; the first one also waited for the model to start.
    var answered = 0

    private static let stderrTailLimit = 8192

    /// `wording` names the command's owner in a failure to start it ("model", or "the judge 'grader'").
    init(command: [String], directory: String, wording: ProviderWording = .model) throws {
        var opened: [Int32] = []
        func pipePair() throws -> (Int32, Int32) {
            do {
                let p = try makePipe()
                opened += [p.read, p.write]
                return (p.read, p.write)
            } catch {
                for f in opened { closeDescriptor(f) }
                throw EvalGuardError.evaluation("cannot create a pipe for the model command: \(error.reason)")
            }
        }
        let input = try pipePair()
        let output = try pipePair()
        let errors = try pipePair()
        let child: pid_t
        do {
            child = try Self.spawn(command, directory: directory, stdin: input.0, stdout: output.1, stderr: errors.1)
        } catch {
            for f in opened { closeDescriptor(f) }
            throw Self.spawnFailure(error, program: command[0], wording: wording)
        }
        // The child holds its ends now; ours would keep EOF from ever arriving.
        for f in [input.0, output.1, errors.1] { closeDescriptor(f) }
        pid = child
        stdinFD = input.1
        stdoutFD = output.0
        stderrFD = errors.0
        do {
            for f in [stdinFD, stdoutFD, stderrFD] { try setDescriptorFlags(f, status: O_NONBLOCK, closeOnExec: false) }
        } catch {
            terminate()
            throw EvalGuardError.evaluation("cannot set up the model command's pipes: \(error)")
        }
    }

    /// The pipes on 0, 1 and 2, in `directory`, leading its own process group (`spawnProcess`).
    private static func spawn(
        _ command: [String], directory: String,
        stdin: Int32, stdout: Int32, stderr: Int32
    ) throws(SystemCallError) -> pid_t {
        try spawnProcess(command, directory: directory, stdin: stdin, stdout: stdout, stderr: stderr)
    }

    private static func spawnFailure(_ error: SystemCallError, program: String, wording: ProviderWording)
        -> EvalGuardError
    {
        // "model command …" for the feature's model; "the judge 'grader': command …" for others.
        let owner = wording.settings == "model" ? "model command" : wording.subject + ": command"
        guard error.call == "posix_spawnp" else {
            return .evaluation("cannot start the \(owner) '\(program)': \(error)")
        }
        switch error.errno {
        case ENOENT:
            return .evaluation(
                "\(owner) not found: '\(program)'",
                hint:
                    "\(wording.settings).command in \(EvalConfig.path) runs from the repository root; install '\(program)' or fix the path."
            )
        case EACCES:
            return .evaluation(
                "\(owner) is not executable: '\(program)'",
                hint:
                    "Make it executable (chmod +x \(program)) or run it through its interpreter, e.g. [\"python3\", \"\(program)\"]."
            )
        default:
            return .evaluation("cannot start the \(owner) '\(program)': \(error.reason)")
        }
    }

    deinit { terminate() }

    var wantsToWrite: Bool { !pendingWrite.isEmpty }

    /// Queues a request line and writes as much as the pipe takes now.
    func send(_ line: [UInt8], index: Int, at time: UInt64) {
        inFlight = index
        sentAt = time
        pendingWrite.append(contentsOf: line)
        _ = flushWrites()
    }

    /// Writes pending bytes; false when the process closed its stdin (it died or stopped reading).
    func flushWrites() -> Bool {
        while !pendingWrite.isEmpty {
            do throws(SystemCallError) {
                let n = try withSIGPIPEBlocked { () throws(SystemCallError) in
                    try syscall("write") { pendingWrite.withUnsafeBytes { write(stdinFD, $0.baseAddress, $0.count) } }
                }
                pendingWrite.removeFirst(n)
            } catch {
                if error.wouldBlock { return true }
                // EPIPE and the like: the process is gone or stopped reading.
                pendingWrite.removeAll()
                return false
            }
        }
        return true
    }

    /// Reads what is available, stopping once more than `limit` bytes wait unread (so a model that
    /// never writes a newline cannot grow the buffer); returns false at end of file.
    func readStdout(limit: Int) -> Bool {
        readAvailable(stdoutFD, until: { stdoutBuffer.count > limit }) { stdoutBuffer.append(contentsOf: $0) }
    }

    func readStderr() -> Bool {
        readAvailable(stderrFD) { chunk in
            stderrTail.append(contentsOf: chunk)
            if stderrTail.count > Self.stderrTailLimit {
                stderrTail.removeFirst(stderrTail.count - Self.stderrTailLimit)
            }
        }
    }

    private func readAvailable(
        _ fd: Int32, until full: () -> Bool = { false }, _ sink: (UnsafeRawBufferPointer) -> Void
    ) -> Bool {
        while !full() {
            do throws(SystemCallError) {
                let n = try syscall("read") { chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) } }
                if n == 0 { return false }
                chunk.withUnsafeBytes { sink(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            } catch {
                // Nothing more for now; any other failure ends the stream as EOF would.
                return error.wouldBlock
            }
        }
        return true
    }

    /// The next complete line of stdout, without its newline.
    func nextLine() -> ArraySlice<UInt8>? {
        guard let newline = stdoutBuffer.firstIndex(of: 0x0A) else { return nil }
        let line = stdoutBuffer[..<newline]
        return line
    }

    func consumeLine(_ line: ArraySlice<UInt8>) {
        stdoutBuffer.removeFirst(line.count + 1)
    }

    /// Kills the process group, reaps the child and keeps what it wrote to stderr.
    /// Returns a description of how it ended ("exit status 1", "killed by signal 9").
    @discardableResult
    func terminate() -> String {
        guard !exited else { return "ended" }
        exited = true
        // May be ignored: the group or the process may be gone already (ESRCH), which is the aim.
        _ = kill(-pid, SIGKILL)
        _ = kill(pid, SIGKILL)
        var status: Int32 = 0
        // May be ignored: the only other failure, ECHILD, means nothing is left to reap.
        _ = try? syscall("waitpid") { waitpid(pid, &status, 0) }
        if stderrOpen { _ = readStderr() }
        for f in [stdinFD, stdoutFD, stderrFD] { closeDescriptor(f) }
        stdoutOpen = false
        stderrOpen = false
        let signal = status & 0x7F
        return signal == 0 ? "exit status \((status >> 8) & 0xFF)" : "signal \(signal)"
    }

    /// Like `terminate`, for a process that already closed stdout: gives it a moment to exit by
    /// itself so its own exit status is reported rather than our SIGKILL.
    func reapAfterEOF() -> String {
        var status: Int32 = 0
        for _ in 0..<50 {
            let r = try? syscall("waitpid") { waitpid(pid, &status, WNOHANG) }
            if r == nil { break } // cannot wait for it here: terminate() will try again
            if r == pid {
                exited = true
                if stderrOpen { _ = readStderr() }
                // May be ignored: kills what the process left running in its group, if anything.
                _ = kill(-pid, SIGKILL)
                for f in [stdinFD, stdoutFD, stderrFD] { closeDescriptor(f) }
                stdoutOpen = false
                stderrOpen = false
                let signal = status & 0x7F
                return signal == 0 ? "exit status \((status >> 8) & 0xFF)" : "signal \(signal)"
            }
            _ = usleep(2000) // may be ignored: a signal only shortens the pause
        }
        return terminate()
    }

    /// The tail of stderr as text, the last `lines` lines.
    func stderrExcerpt(lines: Int = 12) -> String {
        let text = String(decoding: stderrTail, as: UTF8.self)
        return text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines + 1)
            .joined(separator: "\n").trimmingTrailingNewlines()
    }
}

extension String {
    func trimmingTrailingNewlines() -> String {
        var s = self
        while s.hasSuffix("\n") || s.hasSuffix("\r") { s.removeLast() }
        return s
    }
}
