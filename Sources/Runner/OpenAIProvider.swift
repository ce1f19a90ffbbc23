import EvalGuardConfig
import EvalGuardSupport
import FoundationEssentials

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Calls a server speaking OpenAI's chat completions API or Anthropic's Messages API
/// (`config.api`: the two differ only in their bodies, answers and error bodies, see
/// `AnthropicRequestBody` and `AnthropicAnswer`), `jobs` requests at a time, from one
/// thread: a poll(2) loop that owns every decision (which case goes next, the rate limit, time-outs,
/// back-off), so the numbers it records are exact and its own cost per case is microseconds.
///
/// Retries: 408, 409, 429, 5xx and connection failures, with exponential back-off and jitter,
/// or after the server's `Retry-After`, which holds back only the request that got it unless the
/// answer says the limit is global (`OpenAIRun.isGlobalLimit`). A 429, 503 or 529 (Anthropic's "overloaded") also halves the
/// requests in flight, and successes grow them back (`ConcurrencyWindow`). `maxCostUSD` stops
/// the run before it spends more (`CostLimit`). A time-out is not retried: it is a measurement (the case
/// took too long) and is reported as one. 401, 403 and 404 stop the run at once: every case
/// would fail the same way, and the message says which setting to fix.
///
/// With `max_steps` above 1 a case is an agent loop on its slot (`AgentLoop.swift`): an answer
/// with tool calls gets their results (the case's `tool_results`, or the `tools_command` program,
/// whose pipes this loop watches too) and the conversation goes out again, each request retried,
/// timed and counted against the cost limit like any.
package final class OpenAIProvider: ModelProvider, CostLimited {
    let config: OpenAIConfig
    let jobs: Int
    let timeoutSeconds: Double
    let maxErrorRate: Double
    /// Sent, never shown: every message and output passes through `redact`.
    let apiKey: String?
    let price: PriceTable.Price?
    /// `max_cost_usd` / `--max-cost`; nil: no limit.
    package var maxCostUSD: Double?
    /// What the run spent before this provider's requests, counted against `maxCostUSD`.
    package var spentBeforeUSD = 0.0
    /// Which API the requests go to: chat completions (a request's input fills the prompt) or
    /// embeddings (a request's input is the array of texts to embed; its output, their vectors).
    package var endpoint = Endpoint.chatCompletions
    /// How its messages name it, its settings and a request's case.
    package var wording = ProviderWording.model
    /// Where the tools program runs (the repository root, or a commit's checkout).
    package var directory = "."

    package enum Endpoint: Sendable { case chatCompletions, embeddings }

    var url: String { endpoint == .embeddings ? config.baseURL + "/embeddings" : config.requestURL }

    package init(
        config: OpenAIConfig, jobs: Int, timeoutSeconds: Double, maxErrorRate: Double,
        apiKey: String?, price: PriceTable.Price?
    ) {
        self.config = config
        self.jobs = max(1, jobs)
        self.timeoutSeconds = timeoutSeconds
        self.maxErrorRate = maxErrorRate
        self.apiKey = apiKey
        self.price = price
    }

    package func answer(_ requests: ModelRequests, progress: (Int) -> Void, receive: (Int, ModelResponse) -> Void)
        throws
    {
        guard !requests.isEmpty else { return }
        Interrupts.beginDeferring()
        defer { Interrupts.endDeferring() }
        let bodies = try requests.map(body)
        guard let endpoint = HTTPEndpoint(url) else {
            throw EvalGuardError(
                "\(config.setting("base_url")): not a URL evalguard can call: \(config.baseURL)", file: EvalConfig.path)
        }
        let slots = min(jobs, requests.count)
        let transport: HTTPTransport = try SocketHTTPTransport(
            endpoint: endpoint, headers: headers, slots: slots,
            setting: config.setting("base_url"))
        defer { transport.close() }
        let tools = try config.toolsCommand.map {
            try ToolProgram(
                command: $0, directory: directory, setting: config.setting("tools_command"),
                timeoutSeconds: timeoutSeconds)
        }
        try AnswerHandOff.serve(capacity: AnswerHandOff.capacity(jobs: slots), progress: progress, receive: receive) {
            handOff in
            var run = OpenAIRun(
                provider: self, requests: requests, bodies: bodies, transport: transport, slots: slots,
                handOff: handOff,
                tools: tools)
            try run.loop()
        }
    }

    var headers: [(String, String)] {
        let version = config.api == .anthropic ? [("anthropic-version", config.anthropicVersion)] : []
        guard let apiKey else { return version }
        return [
            (config.apiKeyHeader, config.apiKeyHeader.lowercased() == "authorization" ? "Bearer " + apiKey : apiKey)
        ] + version
    }

    func redact(_ text: String) -> String {
        guard let apiKey, !apiKey.isEmpty, text.contains(apiKey) else { return text }
        return text.replacingText(apiKey, with: "[$\(config.apiKeyEnv ?? "API key")]")
    }
}

/// The state of one `answer` call, on the loop's own thread (`AnswerHandOff`).
struct OpenAIRun {
    struct Slot {
        /// The request this slot works on, and how many attempts it has made.
        var index: Int?
        var attempts = 0
        var firstSentAt: UInt64 = 0
        var sentAt: UInt64 = 0
        var inFlight = false
        /// Back-off: no attempt before this time.
        var notBefore: UInt64 = 0
        var answered = 0
        /// An agent loop's next request (nil: the case's first, from `bodies`).
        var body: [UInt8]?
        /// The agent loop of the case (`max_steps` > 1).
        var agent: AgentTurns?
        /// Waiting for the tools program to answer the last answer's calls.
        var awaitingTools = false
    }

    let provider: OpenAIProvider
    let requests: ModelRequests
    let bodies: [[UInt8]]
    let transport: HTTPTransport
    var slots: [Slot]
    /// Where each answer goes the moment it is read, to be scored on the caller's thread.
    let handOff: AnswerHandOff
    var next = 0
    var done = 0
    var budget: ErrorBudget
    var lastError: String?
    let timeoutNanos: UInt64
    /// Client-side rate limit: starts are spaced by this much.
    let interval: UInt64?
    var nextStart: UInt64 = 0
    let url: String
    /// Requests allowed in flight (AIMD on 429 and 503).
    var window: ConcurrencyWindow
    /// The earliest the next request may start under the window's pace (`ConcurrencyWindow.pace`).
    var pacedUntil: UInt64 = 0
    var cost: CostLimit?
    /// The tools program of an agent loop (`tools_command`).
    let tools: ToolProgram?
    var inFlight: Int { slots.reduce(0) { $0 + ($1.inFlight ? 1 : 0) } }

    init(
        provider: OpenAIProvider, requests: ModelRequests, bodies: [[UInt8]], transport: HTTPTransport, slots: Int,
        handOff: AnswerHandOff, tools: ToolProgram? = nil
    ) {
        self.provider = provider
        self.tools = tools
        self.requests = requests
        self.bodies = bodies
        self.transport = transport
        self.slots = Array(repeating: Slot(), count: slots)
        self.handOff = handOff
        budget = ErrorBudget(maxRate: provider.maxErrorRate, total: requests.count)
        timeoutNanos = UInt64(provider.timeoutSeconds * 1e9)
        interval = provider.config.requestsPerMinute.map { UInt64(60e9 / $0) }
        url = provider.url
        window = ConcurrencyWindow(maximum: slots)
        cost = provider.maxCostUSD.map { CostLimit(maximumUSD: $0, spentUSD: provider.spentBeforeUSD) }
    }

    mutating func loop() throws {
        var poller = PollLoop<Int>(wake: handOff.wakeFD)
        var finished: [(slot: Int, outcome: HTTPOutcome)] = []
        // When each outcome was read: its answer's time, not when the loop got round to it.
        var readAt: [UInt64] = []
        while done < requests.count {
            try Interrupts.checkpoint()
            var wake = try startAttempts()
            if let cost, cost.reached, inFlight == 0 { throw cost.exceeded(answered: done, of: requests.count) }
            transport.watch(in: &poller)
            tools?.watch(in: &poller)
            for s in slots where s.inFlight { wake = min(wake, s.sentAt + timeoutNanos) }
            if let deadline = tools?.deadline { wake = min(wake, deadline) }
            try poller.wait(until: wake == .max ? nil : wake) { slot, revents in
                // Only the tools program watches with negative owners.
                guard slot >= 0 else {
                    try tools?.service(owner: slot, revents: revents)
                    return
                }
                transport.service(owner: slot, revents: revents, finished: &finished)
                if readAt.count < finished.count {
                    readAt.append(
                        contentsOf: repeatElement(monotonicNanoseconds(), count: finished.count - readAt.count))
                }
            }
            for ((slot, outcome), at) in zip(finished, readAt) { try handle(slot, outcome, at: at) }
            finished.removeAll(keepingCapacity: true)
            readAt.removeAll(keepingCapacity: true)
            if let tools {
                for reply in tools.takeReplies() { try toolAnswered(reply.id, reply.result) }
                try tools.checkDeadline(at: monotonicNanoseconds())
            }
            try expireTimeouts()
        }
    }

    /// Gives idle slots the next cases and starts every attempt that is due and allowed by the
    /// rate limit. Returns when the loop must wake up next for an attempt that has to wait.
    mutating func startAttempts() throws -> UInt64 {
        var wake = UInt64.max
        for i in slots.indices {
            if slots[i].index == nil, next < requests.count, handOff.hasRoom(started: next) {
                slots[i] = Slot(
                    index: next, answered: slots[i].answered,
                    agent: provider.config.maxSteps > 1 && provider.endpoint == .chatCompletions ? AgentTurns() : nil)
                next += 1
            }
            guard let index = slots[i].index, !slots[i].inFlight, !slots[i].awaitingTools else { continue }
            let now = monotonicNanoseconds()
            if slots[i].notBefore > now {
                wake = min(wake, slots[i].notBefore)
                continue
            }
            // The rate limit's next start, or a server's Retry-After, holds every slot back.
            if nextStart > now {
                wake = min(wake, nextStart)
                continue
            }
            // A request that finishes wakes the loop to start the next one.
            let busy = inFlight
            guard busy < window.current else { continue }
            if cost?.allowsStart(inFlight: busy) == false { continue }
            if pacedUntil > now {
                wake = min(wake, pacedUntil)
                continue
            }
            let pace = window.pace
            pacedUntil = max(pacedUntil, now - min(now, ConcurrencyWindow.paceSlack * pace)) + pace
            if let interval { nextStart = max(now, nextStart) + interval }
            if slots[i].attempts == 0 { slots[i].firstSentAt = now }
            slots[i].attempts += 1
            slots[i].sentAt = now
            slots[i].inFlight = true
            if let outcome = transport.send(slot: i, body: slots[i].body ?? bodies[index]) {
                try handle(i, outcome, at: monotonicNanoseconds())
            }
        }
        return wake
    }

    mutating func handle(_ i: Int, _ outcome: HTTPOutcome, at now: UInt64) throws {
        guard let index = slots[i].index, slots[i].inFlight else { return }
        if PollDeadline.hasPassed(slots[i].sentAt + timeoutNanos, at: now) {
            // Read after its deadline (the loop was busy): a time-out, as the command provider counts it.
            return try timeOut(i, at: now)
        }
        slots[i].inFlight = false
        let latencyMs = Double(now - slots[i].sentAt) / 1e6
        let response: HTTPResponse
        switch outcome {
        case .failed(let reason):
            return try retryOrFail(
                i, "cannot connect to \(url): \(reason)", retryAfter: nil,
                hint: reason == "connection refused"
                    ? " (is the server running? check \(provider.config.setting("base_url")))" : "")
        case .cutOff(let extent):
            return try retryOrFail(
                i, "the response from \(url) was cut off \(extent): the connection closed before its end",
                retryAfter: nil, hint: "")
        case .fatal(let reason):
            throw EvalGuardError.evaluation(
                "cannot connect to \(url): \(reason)",
                hint:
                    "Check \(provider.config.setting("base_url")) in \(EvalConfig.path), or point SSL_CERT_FILE at the authority that signed the server's certificate."
            )
        case .response(let r):
            response = r
        }
        let status = response.status
        switch status {
        case 200..<300:
            var chat =
                provider.endpoint == .embeddings
                ? OpenAIAnswer.Chat(
                    response: OpenAIAnswer.decodeEmbeddings(
                        response.body, price: provider.price, redact: provider.redact))
                : provider.decodeChat(response.body)
            var answer = chat.response
            answer.latencyMs = latencyMs
            answer.retries = slots[i].attempts - 1
            answer.retryMs = Double(slots[i].sentAt - slots[i].firstSentAt) / 1e6
            answer.retryStartNs = slots[i].firstSentAt
            answer.coldStart = slots[i].answered == 0
            window.succeeded(latency: now - slots[i].sentAt)
            cost?.record(answer.costUSD)
            slots[i].answered += 1
            guard slots[i].agent != nil else { return try finish(i, index, answer) }
            chat.response = answer
            try agentAnswered(i, index, chat)
        case 401, 403:
            throw unauthorized(response)
        case 404:
            throw notFound(response)
        case 408, 409, 429, 500...:
            if Self.isRefusalForLoad(status) { window.refused(sentAt: slots[i].sentAt, at: now) }
            try retryOrFail(
                i, "\(statusText(response)) from \(url): \(provider.serverMessage(response.body))",
                retryAfter: Self.retryAfter(response.headers), global: Self.isGlobalLimit(response.headers), hint: "")
        default:
            var failed = ModelResponse(output: nil, latencyMs: latencyMs)
            failed.error = "\(statusText(response)) from \(url): \(provider.serverMessage(response.body))"
            try finish(i, index, failed)
        }
    }

    func statusText(_ r: HTTPResponse) -> String {
        "HTTP \(r.status)" + (r.reason.isEmpty ? "" : " \(r.reason)")
    }

    /// Schedules another attempt, or gives the case up with `message` once retries are spent.
    mutating func retryOrFail(_ i: Int, _ message: String, retryAfter: Double?, global: Bool = false, hint: String)
        throws
    {
        let config = provider.config
        let attempts = slots[i].attempts
        guard attempts <= config.maxRetries else {
            var failed = ModelResponse(output: nil, latencyMs: Double(monotonicNanoseconds() - slots[i].sentAt) / 1e6)
            failed.error = message + hint + (attempts > 1 ? " (gave up after \(attempts) attempts)" : "")
            failed.retries = attempts - 1
            failed.retryMs = Double(slots[i].sentAt - slots[i].firstSentAt) / 1e6
            failed.retryStartNs = slots[i].firstSentAt
            return try finish(i, slots[i].index!, failed) // a slot that was sent holds its case's index
        }
        let backoff = min(
            config.retryBackoffSeconds * Double(1 << min(attempts - 1, 20)), OpenAIConfig.maxBackoffSeconds)
        let seconds = retryAfter.map { min($0, Self.maxRetryAfterSeconds) } ?? backoff * Double.random(in: 0.5...1)
        let until = monotonicNanoseconds() + UInt64(seconds * 1e9)
        slots[i].notBefore = until
        // A Retry-After holds back the request that got it; the halved window already slows the
        // others. Only a limit the server says is spent for everyone holds every slot.
        if retryAfter != nil, global { nextStart = max(nextStart, until) }
    }

    /// The rule for a global limit: the refusal says the quota of requests is spent
    /// (`x-ratelimit-remaining-requests: 0`, as OpenAI sends; Anthropic's
    /// `anthropic-ratelimit-requests-remaining: 0`), so every request would be refused until the
    /// Retry-After; or it says so outright (`x-ratelimit-scope: global`). Anthropic's
    /// `anthropic-ratelimit-tokens-remaining: 0` counts too: with no token left, no request of
    /// any size fits. Any other refusal (a token limit that a smaller request may fit, a busy
    /// replica, a concurrency cap) concerns that request only.
    static func isGlobalLimit(_ headers: [String: String]) -> Bool {
        let spent = [
            "x-ratelimit-remaining-requests", "anthropic-ratelimit-requests-remaining",
            "anthropic-ratelimit-tokens-remaining",
        ]
        return spent.contains { headers[$0]?.trimmingWhitespace() == "0" }
            || headers["x-ratelimit-scope"]?.lowercased() == "global"
    }

    /// A status that says the server is over its load and fewer requests in flight would help:
    /// 429, 503, and Anthropic's 529 ("overloaded"). Other 5xx are retried without a cut.
    static func isRefusalForLoad(_ status: Int) -> Bool { status == 429 || status == 503 || status == 529 }

    /// The longest wait a server's `Retry-After` may impose on one attempt.
    static let maxRetryAfterSeconds = 60.0

    /// `retry-after-ms` (OpenAI's), else `Retry-After` in seconds or as an HTTP date.
    static func retryAfter(_ headers: [String: String]) -> Double? {
        if let ms = headers["retry-after-ms"].flatMap(Double.init), ms >= 0 { return ms / 1000 }
        guard let text = headers["retry-after"] else { return nil }
        if let seconds = Double(text), seconds >= 0 { return seconds }
        return parseHTTPDate(text).map { max(0, $0 - Date().timeIntervalSince1970) }
    }

    mutating func expireTimeouts() throws {
        let now = monotonicNanoseconds()
        for i in slots.indices
        where slots[i].inFlight && PollDeadline.hasPassed(slots[i].sentAt + timeoutNanos, at: now) {
            transport.cancel(slot: i)
            try timeOut(i, at: now)
        }
    }

    /// Records slot `i`'s case as timed out (not retried: a time-out is a measurement).
    mutating func timeOut(_ i: Int, at now: UInt64) throws {
        slots[i].inFlight = false
        var response = ModelResponse(
            output: nil, latencyMs: Double(now - slots[i].sentAt) / 1e6,
            error:
                "timed out after \(provider.timeoutSeconds) s (\(provider.config.setting("timeout_s"))) waiting for \(url)"
        )
        response.timedOut = true
        response.retries = slots[i].attempts - 1
        response.retryMs = Double(slots[i].sentAt - slots[i].firstSentAt) / 1e6
        response.retryStartNs = slots[i].firstSentAt
        try finish(i, slots[i].index!, response) // a slot in flight holds its case's index
    }

    /// Hands the case's response over and frees the slot; an agent loop's failure comes with
    /// the measurements of the requests before it (`added`: already in the loop's sums).
    mutating func finish(_ i: Int, _ index: Int, _ response: ModelResponse, added: Bool = false) throws {
        var response = response
        if let agent = slots[i].agent, agent.requests > 0 || added { response = agent.ending(response, added: added) }
        handOff.put(index, response)
        slots[i].index = nil
        done += 1
        let failed = response.error != nil
        if let error = response.error { lastError = "\(provider.wording.request(requests[index].id)): \(error)" }
        if budget.record(failed: failed) {
            throw budget.exceeded(lastError: lastError, wording: provider.wording)
        }
    }
}
