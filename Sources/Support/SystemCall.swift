#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A system call that failed: which one, and the errno it set (or returned, for the calls that
/// return their error, such as posix_spawn and pthread_sigmask).
package struct SystemCallError: Error, Equatable, Sendable, CustomStringConvertible {
    package let call: String
    package let errno: Int32

    package init(_ call: String, errno: Int32) {
        self.call = call
        self.errno = errno
    }

    /// strerror's text for the error, e.g. "No such file or directory".
    package var reason: String { Self.reason(errno) }

    /// The one place evalguard turns an errno into words.
    package static func reason(_ code: Int32) -> String { String(cString: strerror(code)) }

    /// The descriptor is non-blocking and has nothing to give or take now.
    package var wouldBlock: Bool { errno == EAGAIN || errno == EWOULDBLOCK }

    /// "poll: Invalid argument".
    package var description: String { "\(call): \(reason)" }
}

/// Runs a system call that returns -1 and sets errno on failure (read, write, open, poll, …),
/// returning its value or throwing the failure with the call's name. An interrupted call
/// (EINTR) is started again unless `retryOnInterrupt` is false: a caller that must look at its
/// clock or at the interrupt flag after a signal asks for the EINTR instead.
@discardableResult
package func syscall<T: FixedWidthInteger & SignedInteger>(
    _ name: String, retryOnInterrupt: Bool = true, _ body: () -> T
) throws(SystemCallError) -> T {
    while true {
        let result = body()
        if result >= 0 { return result }
        let code = errno
        if code == EINTR && retryOnInterrupt { continue }
        throw SystemCallError(name, errno: code)
    }
}

/// Runs a call that returns its error number instead of setting errno (posix_spawn,
/// pthread_sigmask, posix_spawnattr_*): 0 is success.
package func syscallReturningError(_ name: String, _ body: () -> Int32) throws(SystemCallError) {
    let code = body()
    if code != 0 { throw SystemCallError(name, errno: code) }
}

/// Runs a call that returns NULL and sets errno on failure (realpath, mkdtemp).
package func syscallPointer<P>(_ name: String, _ body: () -> P?) throws(SystemCallError) -> P {
    guard let pointer = body() else { throw SystemCallError(name, errno: errno) }
    return pointer
}

/// Closes a descriptor evalguard opened (a pipe or a socket). Its result may be ignored: the
/// descriptor is released whatever close returns, nothing was written through it that a failed
/// close could still lose (files whose content matters are fsync'ed and checked by AtomicFile),
/// and retrying after EINTR could close a descriptor another call just reused.
package func closeDescriptor(_ fd: Int32) {
    _ = close(fd)
}

/// Adds status flags (O_NONBLOCK) and descriptor flags (FD_CLOEXEC) to `fd`.
package func setDescriptorFlags(_ fd: Int32, status: Int32 = 0, closeOnExec: Bool) throws(SystemCallError) {
    if closeOnExec {
        try syscall("fcntl") { fcntl(fd, F_SETFD, FD_CLOEXEC) }
    }
    if status != 0 {
        let current = try syscall("fcntl") { fcntl(fd, F_GETFL) }
        try syscall("fcntl") { fcntl(fd, F_SETFL, current | status) }
    }
}

/// A pipe whose two ends are close-on-exec (and non-blocking when asked).
package func makePipe(nonBlocking: Bool = false) throws(SystemCallError) -> (read: Int32, write: Int32) {
    var fds: [Int32] = [-1, -1]
    try syscall("pipe") { pipe(&fds) }
    do {
        for f in fds { try setDescriptorFlags(f, status: nonBlocking ? O_NONBLOCK : 0, closeOnExec: true) }
    } catch {
        for f in fds { closeDescriptor(f) }
        throw error
    }
    return (fds[0], fds[1])
}
