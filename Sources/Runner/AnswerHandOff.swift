import EvalGuardSupport
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Keeps scoring off the poll loop. A provider's loop runs on a thread of its own and puts each
/// answer here the moment it is read; the thread that called `ModelProvider.answer` takes the
/// answers out and hands them to `receive`, however long that takes. A slow scorer (a regular
/// expression that backtracks, a large schema) therefore never leaves an answer unread: a case's
/// latency and its time-out are the model's alone. `receive` and `progress` stay on the caller's
/// thread, one call at a time, so they may use libgit2 and state that is not thread-safe; the loop
/// thread runs only the provider's own code (pipes, sockets, parsing), which touches no git.
///
/// Bounded: the loop starts a request only while fewer than `capacity` requests are started and
/// not yet received (`hasRoom`), so an answer read always has room (putting never waits on the
/// caller) and a run holds at most `capacity` answers beside its results. When the caller frees
/// room, a byte on `wakeFD` wakes the loop's poll(2), which watches it (`PollLoop(wake:)`).
final class AnswerHandOff: @unchecked Sendable {
    /// What the loop put and the caller has not taken yet, and whether (and how) the loop ended.
    private struct Mailbox: Sendable {
        var answers: [(index: Int, response: ModelResponse)] = []
        var ended = false
        var failure: (any Error)?
    }

    private let mailbox = WaitableState(Mailbox())

    let capacity: Int
    /// Answers handed to `receive` so far.
    private let received = Atomic<Int>(0)
    /// Set by the loop when it found no room, so the caller writes to the pipe only then.
    private let wantsWake = Atomic<Bool>(false)
    /// Set when the loop failed: the caller stops receiving between two answers, not after the
    /// answers it took at once (Ctrl-C waits for one slow scoring, not for many).
    private let abandoned = Atomic<Bool>(false)
    private let pipe: (read: Int32, write: Int32)

    /// The loop's poll(2) watches this; `PollLoop` drains it.
    var wakeFD: Int32 { pipe.read }

    /// Room for the answers of every request a provider may have in flight, and some to spare,
    /// so a scorer that is briefly slower than the model does not hold requests back.
    static func capacity(jobs: Int) -> Int { max(64, 2 * jobs) }

    private init(capacity: Int) throws {
        self.capacity = capacity
        do {
            pipe = try makePipe(nonBlocking: true)
        } catch {
            throw EvalGuardError.evaluation("cannot create a pipe for the model's answers: \(error.reason)")
        }
    }

    deinit {
        closeDescriptor(pipe.read)
        closeDescriptor(pipe.write)
    }

    /// Runs `loop` on a thread of its own with a hand-off of `capacity` answers, and meanwhile
    /// hands every answer it puts to `receive` here, in the order put, calling `progress` with the
    /// count received. Returns once the loop has ended (its clean-up done) and every answer is
    /// received; rethrows what the loop threw, after the `receive` call under way (the answers
    /// still waiting are dropped, as the run is abandoned).
    static func serve(
        capacity: Int, progress: (Int) -> Void, receive: (Int, ModelResponse) -> Void,
        loop: (AnswerHandOff) throws -> Void
    ) throws {
        let handOff = try AnswerHandOff(capacity: capacity)
        try withoutActuallyEscaping(loop) { loop in
            let body = LoopBody(loop)
            do throws(SystemCallError) {
                // As much stack as a main thread has: the loop parses answers of any nesting.
                try startThread(stackSize: 8 << 20) {
                    do {
                        try body.run(handOff)
                        handOff.end(nil)
                    } catch {
                        handOff.end(error)
                    }
                }
            } catch {
                throw EvalGuardError.evaluation("cannot start a thread for the model's answers: \(error.reason)")
            }
            try handOff.deliver(progress: progress, receive: receive)
        }
    }

    /// Whether the loop may start request number `started` (counting from 0). When not, the
    /// caller's next `receive` wakes the loop's poll through `wakeFD`.
    func hasRoom(started: Int) -> Bool {
        if started - received.load(ordering: .sequentiallyConsistent) < capacity { return true }
        wantsWake.store(true, ordering: .sequentiallyConsistent)
        // Checked again: the caller may have received one between the load and the store.
        return started - received.load(ordering: .sequentiallyConsistent) < capacity
    }

    /// Hands the answer to request `index` over; never waits for the caller.
    func put(_ index: Int, _ response: ModelResponse) {
        mailbox.update { $0.answers.append((index, response)) }
    }

    private func end(_ error: (any Error)?) {
        if error != nil { abandoned.store(true, ordering: .sequentiallyConsistent) }
        mailbox.update { ($0.ended, $0.failure) = (true, error) }
    }

    private func deliver(progress: (Int) -> Void, receive: (Int, ModelResponse) -> Void) throws {
        while true {
            let (batch, finished, failure) = mailbox.wait(until: { !$0.answers.isEmpty || $0.ended }) { m in
                defer { m.answers.removeAll() }
                return (m.answers, m.ended, m.failure)
            }
            if let failure { throw failure }
            for (index, response) in batch {
                if abandoned.load(ordering: .sequentiallyConsistent) { break }
                receive(index, response)
                progress(received.add(1, ordering: .sequentiallyConsistent).newValue)
                if wantsWake.exchange(false, ordering: .sequentiallyConsistent) {
                    var byte: UInt8 = 1
                    // May be ignored: a full pipe already holds a byte that wakes the poll.
                    _ = write(pipe.write, &byte, 1)
                }
            }
            // `finished` was read with the last answers taken, and without a failure: nothing more comes.
            if finished { return }
        }
    }
}

/// The loop, sent to its thread though it is not Sendable: `serve` does not return before the
/// thread has finished with it (`deliver` waits for `end`), and the caller's thread does not touch
/// what the loop captures meanwhile. The loop thread lets go of it before `end`, as the
/// thread (which keeps this box) may outlive `serve`, and the closure may not.
private final class LoopBody: @unchecked Sendable {
    private var loop: ((AnswerHandOff) throws -> Void)?

    init(_ loop: @escaping (AnswerHandOff) throws -> Void) { self.loop = loop }

    func run(_ handOff: AnswerHandOff) throws {
        defer { loop = nil }
        try loop?(handOff)
    }
}
