#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs `body` (a write to a model's stdin or a TLS socket) with SIGPIPE blocked in this thread,
/// so a reader that went away turns into EPIPE instead of killing evalguard, whoever set up the
/// process's signals: the command line ignores SIGPIPE, a host running evalguard in-process (the
/// tests) may not. A SIGPIPE the write raised is consumed before the mask is restored, and
/// errno is left as `body` set it.
func withSIGPIPEBlocked<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
    #if canImport(Glibc)
        var pipeOnly = sigset_t()
        var saved = sigset_t()
        var pending = sigset_t()
        // sigemptyset/sigaddset may be ignored: they fail only for an invalid signal number.
        sigemptyset(&pipeOnly)
        sigaddset(&pipeOnly, SIGPIPE)
        // May be ignored: pthread_sigmask fails only for an invalid `how`, sigpending only for an
        // invalid pointer.
        _ = pthread_sigmask(SIG_BLOCK, &pipeOnly, &saved)
        _ = sigpending(&pending)
        let pendingBefore = sigismember(&pending, SIGPIPE) == 1
        defer {
            let bodyErrno = errno
            if !pendingBefore {
                var now = timespec()
                // May be ignored: EAGAIN means no SIGPIPE was raised (or it is ignored).
                while sigtimedwait(&pipeOnly, nil, &now) < 0 && errno == EINTR {}
            }
            _ = pthread_sigmask(SIG_SETMASK, &saved, nil) // may be ignored: as above
            errno = bodyErrno
        }
    #endif
    return try body()
}
