import EvalGuardConfig
import EvalGuardSupport

/// A provider that can send its requests through a batch API: what `BatchedProvider` needs of
/// it. The body of a batched request is the body its direct request sends; its answer is read
/// as a direct answer is, priced at the batch price and marked as batched in its usage.
protocol BatchableProvider: ModelProvider, CostLimited {
    var wording: ProviderWording { get }
    func batchService() throws -> BatchService
    /// The body a direct request for `request` sends.
    func body(_ request: ModelRequest) throws -> [UInt8]
    /// Where the batch API is (`base_url`): part of a kept batch's digest.
    var batchBaseURL: String { get }
    /// A batched answer's body read as the direct answer would be, at the batch price.
    func decodeBatched(_ body: [UInt8]) -> ModelResponse
    /// The most the batch of `bodies` may cost at the batch price, for the cost limit; nil when
    /// it cannot be bounded (no price, no cap on an answer's tokens).
    func batchCostBound(_ bodies: [[UInt8]]) -> Double?
}

/// How a run batches: where a batch's id is kept, how long to wait, how often to ask.
package struct BatchSettings {
    package var state: BatchState
    /// `--max-wait`: how long one run polls before it stops (exit 3), the batch left running.
    package var maxWaitSeconds: Double?
    package var pollSeconds: Double
    /// Lines worth saying (submitted, resumed, retried): on stderr.
    package var say: (String) -> Void
    /// Where the batch stands at each poll: on a terminal only.
    package var progress: (BatchProgress) -> Void
    /// Takes the state once the batch's answers are read; it clears it once they are stored.
    package var answered: BatchLedger

    package init(
        state: BatchState, maxWaitSeconds: Double?, pollSeconds: Double, say: @escaping (String) -> Void,
        progress: @escaping (BatchProgress) -> Void, answered: BatchLedger
    ) {
        (self.state, self.maxWaitSeconds, self.pollSeconds, self.say, self.progress, self.answered) = (
            state, maxWaitSeconds, pollSeconds, say, progress, answered
        )
    }
}

package struct BatchProgress {
    package var batchID: String
    package var status: String
    package var done: Int
    package var total: Int
}

/// Answers every request through one batch of the provider's batch API: submitted once (its id
/// kept in `BatchState`, so a later run resumes it), polled until it ends, and its answers
/// handed over as any provider's. Requests that failed inside the batch, or that an expired
/// batch left undone, are asked directly afterwards. Latency is not measured: a batched answer
/// has none worth the name (`ModelResponse.latencyMs` 0, its usage marked `batch`).
package final class BatchedProvider: ModelProvider, CostLimited {
    let direct: BatchableProvider
    let settings: BatchSettings
    package var maxCostUSD: Double?
    package var spentBeforeUSD = 0.0

    init(direct: BatchableProvider, settings: BatchSettings) {
        (self.direct, self.settings) = (direct, settings)
    }

    static func customID(_ index: Int) -> String { "request-\(index)" }

    package func answer(_ requests: ModelRequests, progress: (Int) -> Void, receive: (Int, ModelResponse) -> Void)
        throws
    {
        guard !requests.isEmpty else { return }
        Interrupts.beginDeferring()
        defer { Interrupts.endDeferring() }
        let bodies = try requests.map(direct.body)
        let lines = bodies.enumerated().map { BatchLine(customID: Self.customID($0), body: $1) }
        var digested: [UInt8] = []
        for line in lines { digested += Array(line.customID.utf8) + [10] + line.body + [10] }
        let digest = Self.hex(SHA256.digest(Array(direct.batchBaseURL.utf8) + [10] + digested))
        let service = try direct.batchService()
        var id: String
        var status: BatchStatus
        if let entry = settings.state.pending(digest: digest, unplaced: Self.hex(SHA256.digest(digested))) {
            id = entry.batchID
            settings.say(
                "resuming \(service.name) batch \(id) of \(requests.count) requests (\(settings.state.displayPath))")
            do {
                status = try waitForEnd(service, id, total: requests.count)
            } catch let unknown as UnknownBatch {
                // Kept for a server that no longer has it: waiting for it would block every run.
                settings.say(
                    "warning: \(service.name) knows no batch \(id) (kept in \(settings.state.displayPath)): \(unknown.said); it is forgotten and the requests are submitted again"
                )
                settings.state.clear()
                id = try submit(service, lines, bodies, digest: digest)
                status = try waitForNew(service, id, total: requests.count)
            }
        } else if settings.state.unanswered(digest: digest), let findable = service as? FindableBatchService,
            let found = try findable.find(digest: digest)
        {
            id = found
            try settings.state.save(
                .init(batchID: id, digest: digest, requests: lines.count), service: service.name,
                baseURL: direct.batchBaseURL)
            settings.say(
                "found \(service.name) batch \(id) of \(requests.count) requests, whose create did not answer (\(settings.state.displayPath)): resuming it"
            )
            status = try waitForNew(service, id, total: requests.count)
        } else {
            if let old = settings.state.kept(), !settings.answered.has(settings.state) {
                settings.say(
                    "warning: the batch \(old) in \(settings.state.displayPath) was for other requests; it is left as it is and a new batch is submitted"
                )
            }
            id = try submit(service, lines, bodies, digest: digest)
            status = try waitForNew(service, id, total: requests.count)
        }
        var retry: [Int] = []
        var done = 0
        var spent = 0.0
        switch status.phase {
        case .failed(let why):
            settings.say("warning: batch \(id) failed (\(why)): its requests are asked directly")
            retry = Array(0..<requests.count)
        case .running, .ended:
            let outcomes = try service.results(of: status)
            for i in 0..<requests.count {
                guard case .answered(let body)? = outcomes[Self.customID(i)] else {
                    retry.append(i)
                    continue
                }
                let response = direct.decodeBatched(body)
                guard response.error == nil else {
                    retry.append(i)
                    continue
                }
                spent += response.costUSD ?? 0
                receive(i, response)
                done += 1
                progress(done)
            }
        }
        if !retry.isEmpty {
            if status.phase == .ended {
                settings.say(
                    "\(retry.count) of \(requests.count) requests did not complete in batch \(id) (\(status.providerStatus)): asked directly"
                )
            }
            (direct.maxCostUSD, direct.spentBeforeUSD) = (maxCostUSD, spentBeforeUSD + spent)
            try direct.answer(
                ModelRequests(count: retry.count) { requests[retry[$0]] }, progress: { progress(done + $0) }
            ) { j, r in
                receive(retry[j], r)
            }
        }
        settings.answered.add(settings.state)
    }

    /// Submits `lines` as a new batch, its id kept in the state file.
    private func submit(_ service: BatchService, _ lines: [BatchLine], _ bodies: [[UInt8]], digest: String) throws
        -> String
    {
        try checkCost(bodies)
        // Kept without an id before the create goes out: if it never answers, the next run looks
        // for the batch by its digest rather than creating another.
        try settings.state.save(
            .init(batchID: "", digest: digest, requests: lines.count), service: service.name,
            baseURL: direct.batchBaseURL)
        let id: String
        do {
            id = try (service as? FindableBatchService)?.submit(lines, digest: digest) ?? service.submit(lines)
        } catch let error as EvalGuardError where !error.message.hasSuffix(BatchState.mayExist) {
            // Refused before a batch could exist (the upload, or a create the server turned
            // down): nothing to look for next time.
            settings.state.clear()
            throw error
        }
        try settings.state.save(
            .init(batchID: id, digest: digest, requests: lines.count), service: service.name,
            baseURL: direct.batchBaseURL)
        settings.say(
            "submitted \(lines.count) requests to \(service.name) as batch \(id) (kept in \(settings.state.displayPath): run again with --batch to resume it)"
        )
        return id
    }

    /// `waitForEnd` for a batch this run submitted: the server not knowing it is an error.
    private func waitForNew(_ service: BatchService, _ id: String, total: Int) throws -> BatchStatus {
        do {
            return try waitForEnd(service, id, total: total)
        } catch let unknown as UnknownBatch {
            throw EvalGuardError.evaluation(
                "\(service.name) knows no batch \(id), which it has just created: \(unknown.said)")
        }
    }

    /// Polls the batch until it ends, or until `--max-wait` has passed (exit 3, the batch left running).
    private func waitForEnd(_ service: BatchService, _ id: String, total: Int) throws -> BatchStatus {
        let started = monotonicNanoseconds()
        while true {
            let status = try service.status(of: id)
            guard status.phase == .running else { return status }
            settings.progress(
                BatchProgress(
                    batchID: id, status: status.providerStatus, done: status.completed + status.failed,
                    total: status.total > 0 ? status.total : total))
            let waited = Double(monotonicNanoseconds() - started) / 1e9
            if let limit = settings.maxWaitSeconds, waited >= limit {
                throw EvalGuardError.evaluation(
                    "batch \(id) is still \(status.providerStatus) after --max-wait \(Self.seconds(limit)) (\(status.completed + status.failed) of \(total) requests done)",
                    hint:
                        "It keeps running at the provider, and its id is kept in \(settings.state.displayPath): run the same command with --batch again to resume it without submitting it again."
                )
            }
            try HTTPExchange.pause(
                seconds: settings.maxWaitSeconds.map { min(settings.pollSeconds, max(0, $0 - waited)) }
                    ?? settings.pollSeconds)
        }
    }

    private func checkCost(_ bodies: [[UInt8]]) throws {
        guard let limit = maxCostUSD else { return }
        guard let bound = direct.batchCostBound(bodies) else {
            throw EvalGuardError.evaluation(
                "cannot bound what the batch of \(bodies.count) requests would cost, so the cost limit ($\(limit)) cannot be kept; not submitted",
                hint:
                    "Set \(direct.wording.settings).max_tokens (the most an answer may cost) and give the model a price, or run without a cost limit."
            )
        }
        if spentBeforeUSD + bound > limit + 1e-12 {
            throw EvalGuardError.evaluation(
                "the batch of \(bodies.count) requests may cost up to $\(Self.dollars(bound)) at the batch price"
                    + (spentBeforeUSD > 0 ? " (after $\(Self.dollars(spentBeforeUSD)) spent)" : "")
                    + ", more than the cost limit of $\(Self.dollars(limit)); not submitted",
                hint:
                    "The bound counts every prompt byte as a token and every answer at max_tokens. Raise --max-cost (max_cost_usd), lower max_tokens, or run fewer cases (--suite)."
            )
        }
    }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    static func dollars(_ usd: Double) -> String {
        var text = String(cFormat: "%.6f", usd)
        while text.hasSuffix("0"), !text.hasSuffix(".00") { text.removeLast() }
        return text
    }

    static func seconds(_ s: Double) -> String {
        s == s.rounded() ? "\(Int(s))s" : "\(s)s"
    }
}

/// A batch API whose batches carry the digest of their requests (OpenAI's `metadata`), so that a
/// create that never answered is looked for rather than sent again.
protocol FindableBatchService: BatchService {
    /// `submit`, the batch marked with `digest`.
    func submit(_ lines: [BatchLine], digest: String) throws -> String
    /// The batch marked with `digest` that has not failed, expired or been cancelled, if the
    /// provider lists one among its latest.
    func find(digest: String) throws -> String?
}

/// A batch service's answer that it has no batch of this id (HTTP 404), with what it said, safe
/// on a terminal.
struct UnknownBatch: Error {
    var said: String
}

extension OpenAIProvider {
    var batchBaseURL: String { config.baseURL }
}
