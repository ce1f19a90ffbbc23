import EvalGuardConfig
import EvalGuardSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs the model as `jobs` long-lived processes speaking JSON Lines on stdin/stdout, one request
/// in flight per process. A single thread multiplexes every pipe with poll(2): timeouts are exact,
/// nothing blocks on a slow model, and evalguard's own cost per case stays in the microseconds.
package final class CommandProvider: ModelProvider, CostLimited {
    let command: [String]
    let directory: String
    let jobs: Int
    let timeoutSeconds: Double
    /// Extra time a process's first request may take: it also waits for the model to load.
    let startupSeconds: Double
    let maxErrorRate: Double
    /// The longest response line read (`model.max_line_bytes`).
    let maxLineBytes: Int
    /// How lines are framed: a model's, or a scoring program's (see `LineProtocol`).
    package var lineProtocol = LineProtocol.model
    /// How its messages name it, its settings and a request's case.
    package var wording = ProviderWording.model
    /// `max_cost_usd` / `--max-cost`; nil: no limit. Under a limit every answer must report its
    /// `cost_usd`: the first that does not stops the run, since what it spends cannot be counted.
    package var maxCostUSD: Double?
    /// What the run spent before this provider's requests, counted against `maxCostUSD`.
    package var spentBeforeUSD = 0.0

    /// What is written and read on the pipes.
    package enum LineProtocol: Sendable {
        /// `{"id", "input"}` in, `{"id", "output", ...}` out.
        case model
        /// The request's input object's members beside `"id"` in (`{"id", "input", "expected",
        /// "output"}`); the whole response object is the response's output, for the caller to check.
        case scorer
    }

    package init(
        command: [String], directory: String, jobs: Int, timeoutSeconds: Double,
        startupSeconds: Double = 60, maxErrorRate: Double, maxLineBytes: Int = ModelConfig.defaultMaxLineBytes
    ) {
        self.command = command
        self.directory = directory
        self.jobs = max(1, jobs)
        self.timeoutSeconds = timeoutSeconds
        self.startupSeconds = startupSeconds
        self.maxErrorRate = maxErrorRate
        self.maxLineBytes = maxLineBytes
    }

    package convenience init(config: ModelConfig, directory: String) {
        self.init(
            command: config.command, directory: directory, jobs: config.jobs,
            timeoutSeconds: config.timeoutSeconds, startupSeconds: config.startupTimeoutSeconds,
            maxErrorRate: config.maxErrorRate, maxLineBytes: config.maxLineBytes)
    }

    package func answer(_ requests: ModelRequests, progress: (Int) -> Void, receive: (Int, ModelResponse) -> Void)
        throws
    {
        Interrupts.beginDeferring()
        defer { Interrupts.endDeferring() }
        try AnswerHandOff.serve(capacity: AnswerHandOff.capacity(jobs: jobs), progress: progress, receive: receive) {
            handOff in
            var run = PoolRun(provider: self, requests: requests, handOff: handOff)
            defer { run.stopAll() }
            try run.loop()
        }
    }
}

/// The state of one `answer` call, on the loop's own thread (`AnswerHandOff`).
private struct PoolRun {
    let provider: CommandProvider
    let requests: ModelRequests
    /// Where each answer goes the moment it is read, to be scored on the caller's thread.
    let handOff: AnswerHandOff
    var workers: [ChildProcess?]
    var next = 0
    var done = 0
    var budget: ErrorBudget
    /// The stderr of the last process that failed, quoted if the run has to stop.
    var lastFailure: (message: String, stderr: String)?
    let timeoutNanos: UInt64
    let startupNanos: UInt64
    var cost: CostLimit?
    var inFlight: Int { workers.count { $0?.inFlight != nil } }

    init(provider: CommandProvider, requests: ModelRequests, handOff: AnswerHandOff) {
        self.provider = provider
        self.requests = requests
        self.handOff = handOff
        workers = Array(repeating: nil, count: min(provider.jobs, requests.count))
        budget = ErrorBudget(maxRate: provider.maxErrorRate, total: requests.count)
        timeoutNanos = UInt64(provider.timeoutSeconds * 1e9)
        startupNanos = UInt64(provider.startupSeconds * 1e9)
        cost = provider.maxCostUSD.map { CostLimit(maximumUSD: $0, spentUSD: provider.spentBeforeUSD) }
    }

    mutating func stopAll() {
        for i in workers.indices {
            workers[i]?.terminate()
            workers[i] = nil
        }
    }

    /// Which of a model process's pipes a descriptor is.
    enum Stream { case stdin, stdout, stderr }

    mutating func loop() throws {
        var poller = PollLoop<(worker: Int, stream: Stream)>(wake: handOff.wakeFD)
        // The processes whose stdout was read in a round, each with when (its answer's time is
        // when its bytes were read, not when the loop got round to decoding them) and whether
        // the stream is still open. Every ready pipe is read before any line is decoded.
        var read: [(worker: Int, at: UInt64, open: Bool)] = []
        // Processes that stopped taking input, handled after what they wrote is decoded.
        var closedInput: [Int] = []
        while done < requests.count {
            try Interrupts.checkpoint()
            try dispatch()
            if let cost, cost.reached, inFlight == 0 { throw cost.exceeded(answered: done, of: requests.count) }
            var earliest: UInt64?
            for (i, w) in workers.enumerated() {
                guard let w else { continue }
                if w.stdoutOpen { poller.watch(w.stdoutFD, for: Int16(POLLIN), owner: (i, .stdout)) }
                if w.stderrOpen { poller.watch(w.stderrFD, for: Int16(POLLIN), owner: (i, .stderr)) }
                if w.wantsToWrite { poller.watch(w.stdinFD, for: Int16(POLLOUT), owner: (i, .stdin)) }
                if w.inFlight != nil { earliest = min(earliest ?? .max, deadline(w)) }
            }
            try poller.wait(until: earliest) { owner, _ in
                guard let w = workers[owner.worker] else { return }
                switch owner.stream {
                case .stdin: if !w.flushWrites() { closedInput.append(owner.worker) }
                case .stderr: if !w.readStderr() { w.stderrOpen = false }
                case .stdout:
                    let open = w.readStdout(limit: provider.maxLineBytes)
                    read.append((owner.worker, monotonicNanoseconds(), open))
                }
            }
            for (i, at, open) in read {
                try drainLines(i, readAt: at)
                if let w = workers[i], w.stdoutBuffer.count > provider.maxLineBytes {
                    try overlong(i, w.stdoutBuffer[...])
                } else if !open, workers[i] != nil {
                    try crashed(i)
                }
            }
            for i in closedInput { try crashed(i) }
            read.removeAll(keepingCapacity: true)
            closedInput.removeAll(keepingCapacity: true)
            try expireTimeouts()
        }
    }

    /// Gives every idle process the next request, starting processes as needed, while the
    /// hand-off has room for its answer.
    mutating func dispatch() throws {
        for i in workers.indices where next < requests.count && handOff.hasRoom(started: next) {
            if workers[i] == nil {
                workers[i] = try ChildProcess(
                    command: provider.command, directory: provider.directory, wording: provider.wording)
            }
            guard let w = workers[i], w.inFlight == nil else { continue }
            let busy = inFlight
            if cost?.allowsStart(inFlight: busy) == false { break }
            var line = ""
            if provider.lineProtocol == .scorer, case .object(var members) = requests[next].input {
                members["id"] = .string(requests[next].id)
                JSONWriter.write(.object(members), to: &line)
                line += "\n"
            } else {
                line = "{\"id\":"
                JSONWriter.writeString(requests[next].id, to: &line)
                line += ",\"input\":"
                JSONWriter.write(requests[next].input, to: &line)
                line += "}\n"
            }
            w.send(Array(line.utf8), index: next, at: monotonicNanoseconds())
            next += 1
        }
    }

    /// Decodes the lines process `i` wrote, read at `now`.
    mutating func drainLines(_ i: Int, readAt now: UInt64) throws {
        while let w = workers[i], let line = w.nextLine() {
            if line.count > provider.maxLineBytes { return try overlong(i, line) }
            let outcome = ResponseLine.decode(
                line, expectedID: w.inFlight.map { requests[$0].id }, scorer: provider.lineProtocol == .scorer)
            w.consumeLine(line)
            if w.inFlight != nil, PollDeadline.hasPassed(deadline(w), at: now) {
                // Read after its deadline (the loop was busy): a time-out, as the HTTP provider counts it.
                return try timeOut(i, at: now)
            }
            guard let index = w.inFlight else {
                // Output nobody asked for (a banner, a debug print): the stream can't be trusted.
                lastFailure = (
                    "the model wrote to stdout without a request: \(ResponseLine.quote(line))", w.stderrExcerpt()
                )
                w.terminate()
                workers[i] = nil
                return
            }
            w.inFlight = nil
            var response = outcome.response
            response.latencyMs = Double(now - w.sentAt) / 1e6
            response.coldStart = w.answered == 0
            w.answered += 1
            if !outcome.inSync {
                // After garbage the next line may belong to this request; restart to resync.
                w.terminate()
                workers[i] = nil
            }
            try finish(index, response, stderr: w.stderrExcerpt())
        }
    }

    /// A response line beyond `model.max_line_bytes`: the case fails quoting its start, and the
    /// process is restarted (the rest of its stream belongs to that line).
    mutating func overlong(_ i: Int, _ bytes: ArraySlice<UInt8>) throws {
        guard let w = workers[i] else { return }
        let message =
            "\(provider.wording.subject) wrote more than \(provider.maxLineBytes) bytes without a newline (\(provider.wording.settings).max_line_bytes): \(ResponseLine.quote(bytes))"
        w.terminate()
        workers[i] = nil
        guard let index = w.inFlight else {
            lastFailure = (message, w.stderrExcerpt())
            return
        }
        try finish(
            index,
            ModelResponse(output: nil, latencyMs: Double(monotonicNanoseconds() - w.sentAt) / 1e6, error: message),
            stderr: w.stderrExcerpt())
    }

    mutating func crashed(_ i: Int) throws {
        guard let w = workers[i] else { return }
        let how = w.reapAfterEOF()
        workers[i] = nil
        guard let index = w.inFlight else {
            lastFailure = (
                "the process of \(provider.wording.subject) ended (\(how)) before it was asked anything",
                w.stderrExcerpt()
            )
            if budget.record(failed: true) { try stop() }
            return
        }
        let message = "the process of \(provider.wording.subject) ended (\(how)) while answering this case"
        try finish(
            index,
            ModelResponse(
                output: nil, latencyMs: Double(monotonicNanoseconds() - w.sentAt) / 1e6,
                error: message), stderr: w.stderrExcerpt())
    }

    /// When the request in flight times out: its process's first request also waits for start-up.
    func deadline(_ w: ChildProcess) -> UInt64 {
        w.sentAt + timeoutNanos + (w.answered == 0 ? startupNanos : 0)
    }

    mutating func expireTimeouts() throws {
        let now = monotonicNanoseconds()
        for i in workers.indices {
            guard let w = workers[i], w.inFlight != nil, PollDeadline.hasPassed(deadline(w), at: now) else { continue }
            try timeOut(i, at: now)
        }
    }

    /// Records the request in flight on process `i` as timed out, and stops the process.
    mutating func timeOut(_ i: Int, at now: UInt64) throws {
        guard let w = workers[i], let index = w.inFlight else { return }
        let settings = provider.wording.settings
        w.terminate()
        workers[i] = nil
        var response = ModelResponse(
            output: nil, latencyMs: Double(now - w.sentAt) / 1e6,
            error: w.answered == 0
                ? "timed out after \(provider.timeoutSeconds) s (\(settings).timeout_s) plus \(provider.startupSeconds) s for start-up (\(settings).startup_timeout_s)"
                : "timed out after \(provider.timeoutSeconds) s (\(settings).timeout_s)")
        response.timedOut = true
        try finish(index, response, stderr: w.stderrExcerpt())
    }

    mutating func finish(_ index: Int, _ response: ModelResponse, stderr: String) throws {
        if cost != nil {
            if response.error == nil, response.costUSD == nil {
                throw CostLimit.unreported(provider.wording, request: requests[index].id)
            }
            cost?.record(response.costUSD)
        }
        handOff.put(index, response)
        done += 1
        let failed = response.error != nil
        if let error = response.error {
            lastFailure = ("\(provider.wording.request(requests[index].id)): \(error)", stderr)
        }
        if budget.record(failed: failed) { try stop() }
    }

    func stop() throws {
        throw budget.exceeded(lastError: lastFailure?.message, stderr: lastFailure?.stderr, wording: provider.wording)
    }
}
