import EvalGuardConfig
import EvalGuardSupport

/// One request at a time on one slot of a transport, waited for on its own: what a batch API
/// needs (an upload, a status poll, a download) beside the provider's loop of many. Ctrl-C
/// stops the wait at once (`Interrupts.checkpoint`); connection failures, 408, 409, 429 and 5xx
/// are retried with back-off, as direct requests are, except where a retry could pay twice
/// (`retrying: false`, the creation of a batch).
struct HTTPExchange {
    let transport: SocketHTTPTransport
    let timeoutSeconds: Double
    let maxRetries: Int
    let backoffSeconds: Double
    /// The URL the targets are on, for messages.
    let origin: String

    /// The response to `method target`, after any retries; an error once retries are spent.
    /// Without `retrying`, the first response is returned whatever its status, and a failure to
    /// get one is the error.
    func perform(
        _ method: String, _ target: String, contentType: String? = nil, body: [UInt8] = [], retrying: Bool = true
    ) throws -> HTTPResponse {
        var attempt = 0
        while true {
            attempt += 1
            let problem: String
            switch try once(method, target, contentType: contentType, body: body) {
            case .response(let r) where retrying && ([408, 409, 429].contains(r.status) || r.status >= 500):
                problem = "HTTP \(r.status) from \(origin)\(target)"
            case .response(let r):
                return r
            case .failed(let reason):
                problem = "cannot connect to \(origin)\(target): \(reason)"
            case .cutOff(let extent):
                problem = "the response from \(origin)\(target) was cut off \(extent)"
            case .fatal(let reason):
                throw EvalGuardError.evaluation("cannot connect to \(origin)\(target): \(reason)")
            }
            guard retrying else { throw EvalGuardError.evaluation(problem) }
            guard attempt <= maxRetries else {
                throw EvalGuardError.evaluation(problem + " (gave up after \(attempt) attempts)")
            }
            try Self.pause(
                seconds: min(backoffSeconds * Double(1 << min(attempt - 1, 20)), OpenAIConfig.maxBackoffSeconds))
        }
    }

    private func once(_ method: String, _ target: String, contentType: String?, body: [UInt8]) throws -> HTTPOutcome {
        if let outcome = transport.send(slot: 0, method: method, target: target, contentType: contentType, body: body) {
            return outcome
        }
        let deadline = monotonicNanoseconds() + UInt64(timeoutSeconds * 1e9)
        var poller = PollLoop<Int>()
        var finished: [(slot: Int, outcome: HTTPOutcome)] = []
        while finished.isEmpty {
            try Interrupts.checkpoint()
            guard !PollDeadline.hasPassed(deadline, at: monotonicNanoseconds()) else {
                transport.cancel(slot: 0)
                return .failed("timed out after \(timeoutSeconds) s")
            }
            transport.watch(in: &poller)
            try poller.wait(until: deadline) { slot, revents in
                transport.service(owner: slot, revents: revents, finished: &finished)
            }
        }
        return finished[0].outcome
    }

    /// Waits `seconds`, woken early only by Ctrl-C (which then stops the run).
    static func pause(seconds: Double) throws {
        let until = monotonicNanoseconds() + UInt64(max(0, seconds) * 1e9)
        var poller = PollLoop<Int>()
        while !PollDeadline.hasPassed(until, at: monotonicNanoseconds()) {
            try Interrupts.checkpoint()
            try poller.wait(until: until) { _, _ in }
        }
        try Interrupts.checkpoint()
    }
}
