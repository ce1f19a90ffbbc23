import Dispatch
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A regular expression of the `regex` scorer or a JSON Schema `pattern`: the standard library's
/// `Regex` (the ICU syntax that `NSRegularExpression` took, matched by Unicode scalar as ICU did,
/// `$` as ICU reads it (`ICURegexDialect`); Foundation's regular expressions would
/// link ICU's 30 MB of data into evalguard), searched for anywhere in the text.
///
/// A backtracking engine can take exponential time (`(a+)+b` on forty a's), and `Regex` has no
/// step limit, so a match runs on a worker thread and the caller waits while the worker has
/// used less than `timeLimit` seconds of CPU (CPU, not wall time: a loaded machine must not fail
/// a match that is merely waiting for a core). Past it, the match is undecided (`matches`
/// returns nil, which callers report as an error, never as "no match") and its worker is
/// abandoned: `Regex` cannot be cancelled, so the worker goes on until its match ends, then
/// rejoins the pool. While `abandonedLimit` workers are still running abandoned matches, every
/// further match is undecided at once, so a suite of pathological patterns costs seconds, not
/// cores, and a long-lived process is not left without regular expressions by one such suite.
/// Workers are kept and reused: a match costs two semaphore hand-offs, not a thread.
///
/// `@unchecked Sendable`: `Regex` is immutable once built (its compiled program is cached with
/// atomics), though not declared Sendable.
package final class BoundedRegex: @unchecked Sendable {
    package static let defaultTimeLimit: Double = 2
    package static let abandonedLimit = 4
    /// The engine, as recorded in scoring digests: answers scored by another engine (ICU, before)
    /// are scored again.
    package static let engine = "swift-regex icu-dollar"

    /// Workers still running matches that ran out of time.
    package static var abandonedWorkers: Int { RegexWorker.abandoned.load(ordering: .relaxed) }

    package let source: String
    /// CPU seconds a match may use before it is undecided.
    package let timeLimit: Double
    private let regex: Regex<AnyRegexOutput>

    /// Throws why `source` is not a regular expression evalguard can match, with what to write
    /// instead when the pattern is valid ICU that `Regex` does not support.
    package init(validating source: String, timeLimit: Double = defaultTimeLimit) throws(RegexSyntaxError) {
        let regex: Regex<AnyRegexOutput>
        do { regex = try Regex(ICURegexDialect.translated(source)) } catch {
            throw RegexSyntaxError(pattern: source, detail: "\(error)", hint: ICURegexDialect.hint(for: source))
        }
        self.source = source
        self.timeLimit = timeLimit
        self.regex = regex.matchingSemantics(.unicodeScalar)
    }

    /// nil when `source` is not a regular expression.
    package convenience init?(_ source: String, timeLimit: Double = defaultTimeLimit) {
        do { try self.init(validating: source, timeLimit: timeLimit) } catch { return nil }
    }

    /// Whether the expression matches somewhere in `text`; nil when the match ran out of time.
    package func matches(_ text: String) -> Bool? {
        guard RegexWorker.abandoned.load(ordering: .relaxed) < Self.abandonedLimit else { return nil }
        let match = Match()
        let done = DispatchSemaphore(value: 0)
        // Without a worker (no thread could be started) the match runs here, unbounded, rather
        // than fail an answer for want of a thread.
        guard let worker = RegexWorker.take() else { return matchHere(text) }
        let cpuBefore = worker.cpuSeconds
        worker.run {
            let hit = self.matchHere(text)
            let wasAbandoned = match.state.withLock { state in
                if case .abandoned = state { return true }
                state = .done(hit)
                return false
            }
            if wasAbandoned {
                // Nobody waits for this answer any more: the worker is free again.
                RegexWorker.abandoned.subtract(1, ordering: .relaxed)
                RegexWorker.give(back: worker)
            } else {
                done.signal()
            }
        }
        while done.wait(timeout: .now() + 0.05) == .timedOut {
            guard worker.cpuSeconds - cpuBefore < timeLimit else {
                // The worker may have finished just now: its answer then stands.
                let finished: Bool? = match.state.withLock { state in
                    if case .done(let hit) = state { return hit }
                    state = .abandoned
                    return nil
                }
                guard let finished else {
                    RegexWorker.abandoned.add(1, ordering: .relaxed)
                    return nil
                }
                RegexWorker.give(back: worker)
                return finished
            }
        }
        RegexWorker.give(back: worker)
        return match.state.withLock { state in
            if case .done(let hit) = state { return hit }
            return nil
        }
    }

    private func matchHere(_ text: String) -> Bool {
        (try? regex.firstMatch(in: text)).map { $0 != nil } ?? false
    }

    /// One match's state, shared by the caller and the worker: whichever moves it first from
    /// `running` decides whether the answer is taken or the worker abandoned.
    private final class Match: Sendable {
        enum State { case running, done(Bool), abandoned }
        let state = Mutex<State>(.running)
    }
}

/// A pattern evalguard cannot compile: `message` names it, says why and, for valid ICU that
/// `Regex` lacks, what to write instead.
package struct RegexSyntaxError: Error, Sendable {
    package let pattern: String
    package let detail: String
    package let hint: String?

    package var message: String {
        "invalid regular expression \(JSONValue.string(pattern).canonicalText): " + (hint ?? detail)
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
