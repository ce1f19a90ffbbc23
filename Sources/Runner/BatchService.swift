import EvalGuardSupport

/// A provider's batch API: a set of requests submitted at once and answered within hours, at a
/// lower price, with no latency worth measuring. `BatchedProvider` drives one through submit,
/// poll and read; each API is one implementation (OpenAI's Batch API: `OpenAIBatchService`;
/// Anthropic's Message Batches: `AnthropicBatchService`), over the shared `BatchHTTP`.
///
/// Nothing here cancels a batch: an interrupted or timed-out run leaves it running at the
/// provider, and the next run resumes it by its id.
protocol BatchService {
    /// What the provider calls its batches in messages ("OpenAI's Batch API").
    var name: String { get }
    /// Submits `lines` as one batch and returns its id. A line's body is the request a direct
    /// call would send, byte for byte.
    func submit(_ lines: [BatchLine]) throws -> String
    /// Where the batch `id` stands.
    func status(of id: String) throws -> BatchStatus
    /// The outcome of every request the ended batch `status` reports, by custom id; a request
    /// with no entry did not finish (an expired or cancelled batch) and is asked again directly.
    func results(of status: BatchStatus) throws -> [String: BatchOutcome]
}

/// One request of a batch: its custom id (how its answer is matched) and its body.
struct BatchLine {
    var customID: String
    var body: [UInt8]
}

/// A batch as the provider reports it.
struct BatchStatus {
    enum Phase: Equatable {
        /// Still being validated or answered.
        case running
        /// Answered, expired or cancelled: its results can be read.
        case ended
        /// Refused as a whole (validation failed): nothing ran.
        case failed(String)
    }

    var id: String
    var phase: Phase
    /// The provider's own word for it ("in_progress", "finalizing", "expired"...).
    var providerStatus: String
    var total: Int
    var completed: Int
    var failed: Int
    /// Where the answers and the errors are (OpenAI's output and error files; Anthropic's
    /// `results_url`, checked before it is read).
    var outputLocation: String?
    var errorLocation: String?
}

/// What a batch did with one request.
enum BatchOutcome {
    /// The body of the answer, as a direct request would have got it.
    case answered([UInt8])
    /// The request failed inside the batch; it is asked again directly.
    case failed(String)
}
