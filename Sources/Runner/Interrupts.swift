import EvalGuardSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns SIGINT and SIGTERM into a readable file descriptor (the self-pipe trick), so the runner's
/// poll loop notices Ctrl-C, stops its model processes and cleans up instead of dying mid-write.
package enum Interrupts {
    nonisolated(unsafe) private(set) static var readFD: Int32 = -1
    nonisolated(unsafe) fileprivate static var writeFD: Int32 = -1
    /// Set by the handler itself, so that `checkpoint()` costs no system call; the pipe exists
    /// only to wake a poll(2) that is waiting.
    nonisolated(unsafe) fileprivate static var interrupted = false

    package static func install() {
        guard readFD < 0 else { return }
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { return }
        for f in fds {
            _ = fcntl(f, F_SETFD, FD_CLOEXEC)
            _ = fcntl(f, F_SETFL, fcntl(f, F_GETFL) | O_NONBLOCK)
        }
        writeFD = fds[1]
        readFD = fds[0]
        interrupted = false
        signal(SIGPIPE, SIG_IGN)
        signal(SIGINT, onSignal)
        signal(SIGTERM, onSignal)
        // A launcher may have left these blocked (the mask is inherited across exec); a blocked
        // Ctrl-C would never reach the handler and the model would run on.
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        sigprocmask(SIG_UNBLOCK, &set, nil)
    }

    /// Throws once a signal has arrived since `install()`.
    package static func checkpoint() throws {
        if interrupted { throw EvalGuardError("interrupted", category: .interrupted) }
    }
}

private func onSignal(_ signal: Int32) {
    Interrupts.interrupted = true
    var byte = UInt8(truncatingIfNeeded: signal)
    _ = write(Interrupts.writeFD, &byte, 1)
}
