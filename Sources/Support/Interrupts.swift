import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Turns SIGINT and SIGTERM into a readable file descriptor (the self-pipe trick), so the runner's
/// poll loop notices Ctrl-C, stops its model processes and cleans up instead of dying mid-write.
///
/// Process-wide state: the command-line entry point installs it once, before any work; the
/// evaluators and providers only read the flag (`checkpoint()`) and watch `readFD`. Code run
/// in-process without `install()` (tests) is simply never interrupted.
///
/// Only code with something to clean up (a model process, a temporary checkout, a file being
/// written, a git child) defers a signal, between `beginDeferring()` and `endDeferring()`;
/// anywhere else (reading history, waiting on git's stdin in the hook) a signal has its default
/// effect and ends the process. A deferred signal that no `checkpoint()` reported (and so no
/// error carries up to the command's exit code) takes its default effect when the outermost scope
/// ends, after that scope's clean-up: it is never lost.
///
/// The default effect of SIGINT is death by SIGINT (shells report 130); SIGTERM exits 130, as
/// an interrupted command does (`ExitCode.interrupted`), rather than the 143 it would report.
package enum Interrupts {
    nonisolated(unsafe) package private(set) static var readFD: Int32 = -1
    nonisolated(unsafe) fileprivate static var writeFD: Int32 = -1
    /// Set by the handler itself, so that `checkpoint()` costs no system call; the pipe exists
    /// only to wake a poll(2) that is waiting.
    nonisolated(unsafe) fileprivate static var interrupted = false
    /// The signal that arrived, for its default effect.
    fileprivate static let received = Atomic<Int32>(0)
    /// Set once `checkpoint()` has thrown: an error is on its way to the exit code.
    private static let reported = Atomic<Bool>(false)
    /// How many scopes defer signals now; lock-free, so the handler may read it.
    fileprivate static let deferring = Atomic<Int>(0)

    /// Installs the handlers for SIGINT and SIGTERM, ignores SIGPIPE (a closed stdout or model
    /// pipe becomes EPIPE, not death) and unblocks SIGINT and SIGTERM. Call once, from the
    /// process's entry point.
    package static func install() throws(SystemCallError) {
        guard readFD < 0 else { return }
        let pipe = try makePipe(nonBlocking: true)
        writeFD = pipe.write
        readFD = pipe.read
        interrupted = false
        try setHandler(SIGPIPE, SIG_IGN)
        try setHandler(SIGINT, onSignal)
        try setHandler(SIGTERM, onSignal)
        // A launcher may have left these blocked (the mask is inherited across exec); a blocked
        // Ctrl-C would never reach the handler and the model would run on.
        var set = sigset_t()
        // sigemptyset/sigaddset may be ignored: they fail only for an invalid signal number.
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        try syscallReturningError("pthread_sigmask") { pthread_sigmask(SIG_UNBLOCK, &set, nil) }
    }

    /// From here to `endDeferring()`, a signal sets the flag that `checkpoint()` reads instead of
    /// ending the process. Scopes nest.
    package static func beginDeferring() {
        deferring.add(1, ordering: .sequentiallyConsistent)
    }

    /// Ends a scope; the outermost one gives a signal no checkpoint reported its default effect.
    package static func endDeferring() {
        let depth = deferring.subtract(1, ordering: .sequentiallyConsistent).newValue
        guard depth == 0, interrupted, !reported.load(ordering: .sequentiallyConsistent) else { return }
        takeDefaultEffect(received.load(ordering: .sequentiallyConsistent))
    }

    /// Whether a signal has arrived, for code that must clean up before it reports it.
    package static var pending: Bool { interrupted }

    /// Throws once a signal has arrived since `install()`.
    package static func checkpoint() throws {
        guard interrupted else { return }
        reported.store(true, ordering: .sequentiallyConsistent)
        throw EvalGuardError("interrupted", category: .interrupted)
    }

    private static func setHandler(_ signal: Int32, _ handler: (@convention(c) (Int32) -> Void)?)
        throws(SystemCallError)
    {
        var action = sigaction()
        #if canImport(Glibc)
            action.__sigaction_handler.sa_handler = handler
        #else
            action.__sigaction_u.__sa_handler = handler
        #endif
        sigemptyset(&action.sa_mask) // may be ignored: fails only for a NULL set
        // As signal(2) does on glibc: slow calls other than poll resume after the handler.
        action.sa_flags = Int32(SA_RESTART)
        try syscall("sigaction") { sigaction(signal, &action, nil) }
    }
}

/// Ends the process as the signal would, or as an interrupted command does. Async-signal-safe.
private func takeDefaultEffect(_ signal: Int32) {
    guard signal == SIGINT else { _exit(ExitCode.interrupted.rawValue) }
    // As if no handler were installed: the process ends "killed by SIGINT", which shells
    // report as 130 and which stops a calling shell script.
    #if canImport(Glibc)
        _ = Glibc.signal(signal, SIG_DFL) // may be ignored: SIG_DFL for a valid signal cannot fail
    #else
        _ = Darwin.signal(signal, SIG_DFL) // may be ignored: as above
    #endif
    _ = raise(signal) // may be ignored: raising a valid signal in this thread cannot fail
}

private func onSignal(_ signal: Int32) {
    if Interrupts.deferring.load(ordering: .sequentiallyConsistent) == 0 {
        // Nothing to clean up.
        takeDefaultEffect(signal)
        return
    }
    Interrupts.received.store(signal, ordering: .sequentiallyConsistent)
    Interrupts.interrupted = true
    var byte = UInt8(truncatingIfNeeded: signal)
    // May be ignored: a full pipe already holds a byte that wakes the poll, and a signal
    // handler has nowhere to report anything.
    _ = write(Interrupts.writeFD, &byte, 1)
}
