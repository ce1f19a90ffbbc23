import EvalGuardConfig
import EvalGuardSupport

/// The HTTP provider's requests through its API's batches (OpenAI's Batch API, Anthropic's
/// Message Batches): the same bodies, the answers read by the same decoder at the batch price.
extension OpenAIProvider: BatchableProvider {
    /// Whether this provider's requests can go through a batch: one request per case (an agent
    /// loop's later turns depend on its tools' answers) to chat completions or messages.
    package var canBatch: Bool { endpoint == .chatCompletions && config.maxSteps <= 1 }

    func batchService() throws -> BatchService {
        config.api == .anthropic ? try AnthropicBatchService(provider: self) : try OpenAIBatchService(provider: self)
    }

    func decodeBatched(_ body: [UInt8]) -> ModelResponse {
        var response = decodeChat(body, price: price?.batched).response
        // Marked in the stored usage, so a re-pricing applies the batch price again.
        response.usage = (response.usage ?? [:]).merging([PriceTable.batchUsageKey: 1]) { _, mark in mark }
        return response
    }

    func batchCostBound(_ bodies: [[UInt8]]) -> Double? {
        guard let price = price?.batched, let maxTokens = config.maxTokens else { return nil }
        let prompt = Double(bodies.reduce(0) { $0 + $1.count })
        return price.cost(promptTokens: prompt, completionTokens: Double(maxTokens * bodies.count))
    }

    /// This provider behind its batch API, with `settings`.
    package func batched(_ settings: BatchSettings) -> ModelProvider {
        BatchedProvider(direct: self, settings: settings)
    }
}
