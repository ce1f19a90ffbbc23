import Dispatch
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A regular expression of the `regex` scorer or a JSON Schema `pattern`: the standard library's
/// `Regex` (the ICU syntax that `NSRegularExpression` took, matched by Unicode scalar as ICU did;
/// Foundation's regular expressions would link ICU's 30 MB of data into evalguard), searched for
/// anywhere in the text.
///
/// A backtracking engine can take exponential time (`(a+)+b` on forty a's), and `Regex` has no
/// step limit, so a match runs on a worker thread and the caller waits while the worker has
/// used less than `timeLimit` seconds of CPU (CPU, not wall time: a loaded machine must not fail
/// a match that is merely waiting for a core). Past it, the match counts as failed (`matches`
/// returns nil) and its worker is abandoned to finish or not while evaluation goes on (it ends
/// with the process). At most `abandonedLimit` workers are ever abandoned; after that every
/// match fails at once, so a suite of pathological patterns costs seconds, not cores. Workers
/// are kept and reused: a match costs two semaphore hand-offs, not a thread.
///
/// `@unchecked Sendable`: `Regex` is immutable once built (its compiled program is cached with
/// atomics), though not declared Sendable.
package final class BoundedRegex: @unchecked Sendable {
    package static let timeLimit: Double = 2
    package static let abandonedLimit = 4

    package let source: String
    private let regex: Regex<AnyRegexOutput>

    /// nil when `source` is not a regular expression.
    package init?(_ source: String) {
        guard let regex = try? Regex(source) else { return nil }
        self.source = source
        self.regex = regex.matchingSemantics(.unicodeScalar)
    }

    /// Whether the expression matches somewhere in `text`; nil when the match ran out of time.
    package func matches(_ text: String) -> Bool? {
        guard RegexWorker.abandoned.load(ordering: .relaxed) < Self.abandonedLimit else { return nil }
        let found = Found()
        let done = DispatchSemaphore(value: 0)
        // Without a worker (no thread could be started) the match runs here, unbounded, rather
        // than fail an answer for want of a thread.
        guard let worker = RegexWorker.take() else { return matchHere(text) }
        let cpuBefore = worker.cpuSeconds
        worker.run {
            let hit = self.matchHere(text)
            found.value.withLock { $0 = hit }
            done.signal()
        }
        while done.wait(timeout: .now() + 0.05) == .timedOut {
            guard worker.cpuSeconds - cpuBefore < Self.timeLimit else {
                RegexWorker.abandoned.add(1, ordering: .relaxed)
                return nil
            }
        }
        RegexWorker.give(back: worker)
        return found.value.withLock { $0 }
    }

    private func matchHere(_ text: String) -> Bool {
        (try? regex.firstMatch(in: text)).map { $0 != nil } ?? false
    }

    private final class Found: Sendable {
        let value = Mutex<Bool?>(nil)
    }
}

/// A thread that runs one match at a time, handed to it through `run`.
private final class RegexWorker: Sendable {
    static let idle = Mutex<[RegexWorker]>([])
    static let abandoned = Atomic<Int>(0)

    private let start = DispatchSemaphore(value: 0)
    private let work = Mutex<(@Sendable () -> Void)?>(nil)
    /// The worker thread's CPU clock, set before it takes its first match.
    private let clock = Mutex<clockid_t?>(nil)
    private let started = DispatchSemaphore(value: 0)

    /// CPU time the worker thread has used since it started (0 when its clock cannot be read).
    var cpuSeconds: Double {
        var ts = timespec()
        guard let id = clock.withLock({ $0 }), clock_gettime(id, &ts) == 0 else { return 0 }
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    static func take() -> RegexWorker? {
        if let worker = idle.withLock({ $0.popLast() }) { return worker }
        let worker = RegexWorker()
        // As much stack as a main thread has: the engine recurses on nested groups.
        do { try startThread(stackSize: 8 << 20) { worker.loop() } } catch { return nil }
        worker.started.wait()
        return worker
    }

    static func give(back worker: RegexWorker) { idle.withLock { $0.append(worker) } }

    func run(_ body: @escaping @Sendable () -> Void) {
        work.withLock { $0 = body }
        start.signal()
    }

    private func loop() {
        var id = clockid_t()
        if pthread_getcpuclockid(pthread_self(), &id) == 0 { clock.withLock { $0 = id } }
        started.signal()
        while true {
            start.wait()
            work.withLock { w in
                defer { w = nil }
                return w
            }?()
        }
    }
}
