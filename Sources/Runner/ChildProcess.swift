import EvalGuardConfig
import EvalGuardSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CSpawn

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

    init(command: [String], directory: String) throws {
        func pipePair() throws -> (Int32, Int32) {
            var fds: [Int32] = [0, 0]
            guard pipe(&fds) == 0 else { throw EvalGuardError.evaluation("cannot create a pipe: \(String(cString: strerror(errno)))") }
            for f in fds { _ = fcntl(f, F_SETFD, FD_CLOEXEC) }
            return (fds[0], fds[1])
        }
        let input = try pipePair(), output = try pipePair(), errors = try pipePair()
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, input.0, 0)
        posix_spawn_file_actions_adddup2(&actions, output.1, 1)
        posix_spawn_file_actions_adddup2(&actions, errors.1, 2)
        evalguard_spawn_file_actions_addchdir(&actions, directory)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t(), empty = sigset_t()
        sigemptyset(&defaults)
        for s in [SIGPIPE, SIGINT, SIGTERM] { sigaddset(&defaults, s) }
        sigemptyset(&empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        var argv: [UnsafeMutablePointer<CChar>?] = command.map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var child: pid_t = 0
        let rc = posix_spawnp(&child, command[0], &actions, &attributes, &argv, environ)
        for f in [input.0, output.1, errors.1] { close(f) }
        guard rc == 0 else {
            for f in [input.1, output.0, errors.0] { close(f) }
            let program = command[0]
            switch rc {
            case ENOENT:
                throw EvalGuardError.evaluation("model command not found: '\(program)'",
                    hint: "model.command in \(EvalConfig.path) runs from the repository root; install '\(program)' or fix the path.")
            case EACCES:
                throw EvalGuardError.evaluation("model command is not executable: '\(program)'",
                    hint: "Make it executable (chmod +x \(program)) or run it through its interpreter, e.g. [\"python3\", \"\(program)\"].")
            default:
                throw EvalGuardError.evaluation("cannot start the model command '\(program)': \(String(cString: strerror(rc)))")
            }
        }
        pid = child
        stdinFD = input.1
        stdoutFD = output.0
        stderrFD = errors.0
        for f in [stdinFD, stdoutFD, stderrFD] { _ = fcntl(f, F_SETFL, fcntl(f, F_GETFL) | O_NONBLOCK) }
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
            let n = pendingWrite.withUnsafeBytes { write(stdinFD, $0.baseAddress, $0.count) }
            if n > 0 { pendingWrite.removeFirst(n); continue }
            if n < 0 && (errno == EAGAIN || errno == EINTR) { return true }
            pendingWrite.removeAll()
            return false
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
            if stderrTail.count > Self.stderrTailLimit { stderrTail.removeFirst(stderrTail.count - Self.stderrTailLimit) }
        }
    }

    private func readAvailable(_ fd: Int32, until full: () -> Bool = { false }, _ sink: (UnsafeRawBufferPointer) -> Void) -> Bool {
        while !full() {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n > 0 { chunk.withUnsafeBytes { sink(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }; continue }
            if n < 0 && (errno == EAGAIN || errno == EINTR) { return true }
            return false
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
        kill(-pid, SIGKILL)
        kill(pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        if stderrOpen { _ = readStderr() }
        for f in [stdinFD, stdoutFD, stderrFD] { close(f) }
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
            let r = waitpid(pid, &status, WNOHANG)
            if r == pid {
                exited = true
                if stderrOpen { _ = readStderr() }
                kill(-pid, SIGKILL)
                for f in [stdinFD, stdoutFD, stderrFD] { close(f) }
                stdoutOpen = false
                stderrOpen = false
                let signal = status & 0x7F
                return signal == 0 ? "exit status \((status >> 8) & 0xFF)" : "signal \(signal)"
            }
            usleep(2000)
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
