import EvalGuardSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One round of the providers' single-threaded loops: the descriptors to watch, each with its
/// owner (a pipe of a model process, a slot's socket), one wait bounded by the earliest
/// deadline, and the ready descriptors handed back to their owners. The interrupt pipe is
/// always watched, so Ctrl-C wakes the wait at once; so is the answers' hand-off, when given, so
/// the loop starts the next request as soon as the caller has made room (`AnswerHandOff`).
///
/// Both providers time requests out through `PollDeadline`, so a model process and an HTTP server that answer at the same moment
/// after their deadline are both recorded as timed out.
struct PollLoop<Owner> {
    private var descriptors: [pollfd] = []
    /// nil for the interrupt pipe and the wake pipe.
    private var owners: [Owner?] = []
    /// A pipe that only wakes the wait (`AnswerHandOff.wakeFD`); drained when readable.
    private let wakeFD: Int32

    init(wake: Int32 = -1) {
        wakeFD = wake
    }

    /// Watches `fd` for `events` (POLLIN, POLLOUT) in the next `wait`.
    mutating func watch(_ fd: Int32, for events: Int16, owner: Owner) {
        descriptors.append(pollfd(fd: fd, events: events, revents: 0))
        owners.append(owner)
    }

    /// Waits until a watched descriptor is ready, `deadline` (monotonic nanoseconds) passes or
    /// a signal arrives; then calls `ready` with the owner and poll's `revents` of each ready
    /// descriptor, in the order they were watched, and forgets them all (every round watches
    /// afresh, since what each owner waits for changes). A signal (EINTR) returns with nothing
    /// ready: the caller checks the interrupt flag and its deadlines, then waits again.
    mutating func wait(until deadline: UInt64?, ready: (Owner, Int16) throws -> Void) throws {
        defer {
            descriptors.removeAll(keepingCapacity: true)
            owners.removeAll(keepingCapacity: true)
        }
        if Interrupts.readFD >= 0 {
            descriptors.append(pollfd(fd: Interrupts.readFD, events: Int16(POLLIN), revents: 0))
            owners.append(nil)
        }
        if wakeFD >= 0 {
            descriptors.append(pollfd(fd: wakeFD, events: Int16(POLLIN), revents: 0))
            owners.append(nil)
        }
        let timeout = PollDeadline.timeoutMilliseconds(until: deadline, now: monotonicNanoseconds())
        let count: Int32
        do throws(SystemCallError) {
            count = try syscall("poll", retryOnInterrupt: false) {
                poll(&descriptors, nfds_t(descriptors.count), timeout)
            }
        } catch {
            if error.errno == EINTR { return }
            throw EvalGuardError.evaluation("poll failed: \(error.reason)")
        }
        guard count > 0 else { return }
        for k in descriptors.indices where descriptors[k].revents != 0 {
            guard let owner = owners[k] else {
                if descriptors[k].fd == wakeFD { drainWake() }
                continue
            }
            try ready(owner, descriptors[k].revents)
        }
    }
}

extension PollLoop {
    /// Empties the wake pipe: the wait it ended is all its bytes were for.
    private func drainWake() {
        var bytes = [UInt8](repeating: 0, count: 64)
        while (try? syscall("read") { bytes.withUnsafeMutableBytes { read(wakeFD, $0.baseAddress, $0.count) } }) ?? 0
            > 0
        {}
    }
}

/// The deadline arithmetic both providers share: how long poll(2) may wait, and when a request
/// has timed out.
enum PollDeadline {
    /// The longest single wait. A deadline further away is reached in steps: the loop wakes,
    /// finds nothing due and waits again. It also keeps the milliseconds inside Int32.
    static var maximumWaitMilliseconds: Int32 { 60_000 }

    /// poll(2)'s time-out for a deadline on the monotonic clock: rounded UP to the next whole
    /// millisecond, so the wait never ends before the deadline. Rounding down (or to nearest)
    /// wakes the loop a fraction of a millisecond early, finds nothing expired, and spins on
    /// zero-length waits until the deadline passes. -1 (wait for a descriptor) without a deadline;
    /// 0 when it has already passed.
    static func timeoutMilliseconds(until deadline: UInt64?, now: UInt64) -> Int32 {
        guard let deadline else { return -1 }
        guard deadline > now else { return 0 }
        let remaining = deadline - now
        let milliseconds = remaining / 1_000_000 + (remaining % 1_000_000 == 0 ? 0 : 1)
        return Int32(min(milliseconds, UInt64(maximumWaitMilliseconds)))
    }

    /// Whether a request with this deadline has timed out at `now`. An answer read at or after
    /// its deadline counts as a time-out, even when it arrived while the loop was busy.
    static func hasPassed(_ deadline: UInt64, at now: UInt64) -> Bool {
        now >= deadline
    }
}
