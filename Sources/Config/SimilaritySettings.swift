import EvalGuardSupport

/// `{"type": "similarity", "model": "embedder", "threshold": 0.85}`: the cosine similarity of the
/// output's and the expected text's embeddings, from an openai-compatible `/embeddings` endpoint
/// (`model` names an entry of `"models"`), passes at or above `threshold`.
package struct SimilaritySettings: Sendable, Hashable {
    package var model: String
    package var threshold: Double

    package static let keys = ["type", "model", "threshold"]

    package init(node: ConfigNode) throws {
        let members = try node.object(allowed: Self.keys)
        guard let m = members["model"] else {
            throw node.error(
                "the similarity scorer needs \"model\": an openai-compatible entry of \"models\" that serves embeddings",
                hint: "Write {\"type\": \"similarity\", \"model\": \"embedder\", \"threshold\": 0.85}.")
        }
        model = try m.string()
        guard let t = members["threshold"] else {
            throw node.error(
                "the similarity scorer needs \"threshold\": the cosine similarity (from -1 to 1) a case passes at")
        }
        threshold = try t.number(in: -1...1)
    }
}
