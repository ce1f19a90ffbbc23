import EvalGuardSupport

/// One question for the model.
package struct ModelRequest: Sendable {
    package var id: String
    package var input: JSONValue
    /// The case's canned tool results, for an agent loop (`EvalCase.toolResults`).
    package var toolResults: JSONValue?
    package init(id: String, input: JSONValue, toolResults: JSONValue? = nil) {
        self.id = id
        self.input = input
        self.toolResults = toolResults
    }
}

/// The requests of one `answer` call, made as a provider reads them rather than held in an
/// array: a run's requests are its cases' ids and inputs, which the run holds already.
package struct ModelRequests: RandomAccessCollection {
    package let count: Int
    private let make: (Int) -> ModelRequest

    /// `count` requests, the one at index i made by `make(i)`. `make` is called on the provider's
    /// loop thread while `receive` runs on the caller's (`AnswerHandOff`): it may read only what
    /// does not change during the `answer` call (the cases), never what `receive` writes.
    package init(count: Int, _ make: @escaping (Int) -> ModelRequest) {
        self.count = count
        self.make = make
    }

    package init(_ requests: [ModelRequest]) {
        self.init(count: requests.count) { requests[$0] }
    }

    package var startIndex: Int { 0 }
    package var endIndex: Int { count }
    package subscript(index: Int) -> ModelRequest { make(index) }
}

/// The model's answer to one request, with what evalguard measured around it.
package struct ModelResponse: Sendable, Equatable {
    package var output: JSONValue?
    /// Wall time of the request as evalguard measured it.
    package var latencyMs: Double
    package var costUSD: Double?
    package var usage: [String: Double]?
    /// Set when the model reported an error, crashed or answered outside the protocol.
    package var error: String?
    package var timedOut: Bool = false
    /// The first request a model process answered: its time includes the model's start-up.
    package var coldStart: Bool = false
    /// Attempts beyond the first (HTTP providers), and the time from the first attempt's start to
    /// the start of the one that counted: back-off and failed attempts, kept out of `latencyMs`.
    package var retries: Int = 0
    package var retryMs: Double = 0
    /// When the first attempt was sent (`monotonicNanoseconds()`), with `retries` > 0: the retry
    /// window is from here to `retryMs` later, so overlapping windows can be counted once.
    package var retryStartNs: UInt64 = 0
    /// An agent loop's requests, each one's latency in order; `latencyMs` is their sum.
    package var requestLatenciesMs: [Double]?
}

/// Something that can answer requests: a local process (the default) or, later, an HTTP API.
/// A provider runs its own concurrency; it throws `EvalGuardError` (exit 3) when the run cannot go on.
package protocol ModelProvider {
    /// Answers every request, handing each answer to `receive` with its request's index as it
    /// arrives (in any order), so that a caller can fold it into its result at once rather than
    /// keep every answer until the last. `progress` is called with the number received so far.
    /// Both are called on the caller's thread, one call at a time, and never hold up the reading
    /// of answers: the providers read on a thread of their own (`AnswerHandOff`), so the time a
    /// `receive` takes (scoring) is in no case's latency.
    func answer(_ requests: ModelRequests, progress: (Int) -> Void, receive: (Int, ModelResponse) -> Void) throws
}

extension ModelProvider {
    /// Every answer, in the order of `requests`.
    package func answer(_ requests: [ModelRequest], progress: (Int) -> Void) throws -> [ModelResponse] {
        var responses = [ModelResponse?](repeating: nil, count: requests.count)
        try answer(ModelRequests(requests), progress: progress) { responses[$0] = $1 }
        return try inRequestOrder(responses, requests)
    }
}

/// The answers gathered by index, in request order. A provider that returned without answering
/// a request broke its contract: that is an error (exit 3) naming the request, not a trap.
package func inRequestOrder(_ responses: [ModelResponse?], _ requests: [ModelRequest]) throws -> [ModelResponse] {
    try zip(requests, responses).map { request, response in
        guard let response else { throw EvalGuardError.evaluation("no answer came back for request \(request.id)") }
        return response
    }
}

/// Stops a run once too many cases fail, rather than grinding through a broken model.
struct ErrorBudget {
    var maxRate: Double
    var total: Int
    private(set) var failures = 0
    private(set) var completed = 0

    init(maxRate: Double, total: Int) {
        self.maxRate = maxRate
        self.total = total
    }

    /// The error that stops the run, quoting the last failure and, when given, what the model
    /// wrote to stderr.
    func exceeded(lastError: String?, stderr: String? = nil, wording: ProviderWording = .model) -> EvalGuardError {
        var hint = "Last error: \(lastError ?? "unknown")"
        if let stderr, !stderr.isEmpty {
            hint +=
                "\n\(wording.capitalized)'s stderr ends with:\n"
                + stderr.split(separator: "\n", omittingEmptySubsequences: false)
                .map { "  | " + $0 }.joined(separator: "\n")
        }
        return EvalGuardError.evaluation(
            "\(wording.subject) failed on \(failures) of \(completed) cases so far, more than \(wording.settings).max_error_rate (\(maxRate)); stopping",
            hint: hint)
    }

    /// Records a finished case; true when the run should stop.
    mutating func record(failed: Bool) -> Bool {
        completed += 1
        if failed { failures += 1 }
        let sample = min(total, 10)
        return Double(failures) > maxRate * Double(total)
            || (completed >= sample && Double(failures) > maxRate * Double(completed))
    }
}
