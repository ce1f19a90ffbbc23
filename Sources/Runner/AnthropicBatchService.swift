import EvalGuardConfig
import EvalGuardSupport

/// Anthropic's Message Batches: the requests posted at once to `<base_url>/v1/messages/batches`
/// as `{"requests": [{"custom_id", "params"}]}`, the batch polled at
/// `<base_url>/v1/messages/batches/{id}` until its `processing_status` is `ended`, and its
/// results read as JSON Lines from its `results_url` (on the base_url's host only), each line's
/// `result` succeeded (a Messages API answer), errored, canceled or expired.
struct AnthropicBatchService: BatchService {
    let http: BatchHTTP

    var name: String { http.name }

    init(provider: OpenAIProvider) throws {
        http = try BatchHTTP(name: "Anthropic's Message Batches", provider: provider)
    }

    private var batchesPath: String { http.basePath + "/v1/messages/batches" }

    func submit(_ lines: [BatchLine]) throws -> String {
        // Each body is spliced in as bytes: a batched request carries exactly what a direct one sends.
        var body = Array(#"{"requests":["#.utf8)
        for (i, line) in lines.enumerated() {
            var id = ""
            JSONWriter.write(.string(line.customID), to: &id)
            body += Array(((i == 0 ? "" : ",") + #"{"custom_id":"# + id + #","params":"#).utf8) + line.body + [125]
        }
        body += Array("]}".utf8)
        let batch = try http.json(
            http.exchange.perform("POST", batchesPath, contentType: "application/json", body: body),
            "creating the batch")
        guard let id = batch["id"]?.stringValue, BatchHTTP.isID(id) else {
            throw http.malformed("the new batch's answer has no usable \"id\"")
        }
        return id
    }

    func status(of id: String) throws -> BatchStatus {
        guard BatchHTTP.isID(id) else { throw http.malformed("'\(http.redact(id))' is not a batch id") }
        let batch = try http.json(http.exchange.perform("GET", batchesPath + "/" + id), "reading the batch \(id)")
        guard let state = batch["processing_status"]?.stringValue else {
            throw http.malformed("the batch \(id) has no \"processing_status\"")
        }
        let counts = batch["request_counts"]
        func count(_ name: String) -> Int { counts?[name]?.numberValue.flatMap { Int(exactly: $0) } ?? 0 }
        let failed = count("errored") + count("canceled") + count("expired")
        return BatchStatus(
            id: id, phase: state == "ended" ? .ended : .running, providerStatus: http.redact(state),
            total: count("processing") + count("succeeded") + failed, completed: count("succeeded"), failed: failed,
            outputLocation: batch["results_url"]?.stringValue, errorLocation: nil)
    }

    func results(of status: BatchStatus) throws -> [String: BatchOutcome] {
        guard let url = status.outputLocation else {
            throw http.malformed("the ended batch \(status.id) has no \"results_url\"")
        }
        let target = try http.target(of: url, "the results_url of batch \(status.id)")
        let response = try http.exchange.perform("GET", target)
        guard (200..<300).contains(response.status) else {
            throw http.refused(response, "reading the results of batch \(status.id)")
        }
        var outcomes: [String: BatchOutcome] = [:]
        for (id, entry) in BatchHTTP.entries(response.body) { outcomes[id] = outcome(entry["result"]) }
        return outcomes
    }

    /// A line's `result`: an answer when it succeeded with a message.
    private func outcome(_ result: JSONValue?) -> BatchOutcome {
        switch result?["type"]?.stringValue {
        case "succeeded"?:
            guard let message = result?["message"], case .object = message else {
                return .failed("in the batch: succeeded without a message")
            }
            var text = ""
            JSONWriter.write(message, to: &text)
            return .answered(Array(text.utf8))
        case "errored"?:
            // The error is Anthropic's error body ({"type": "error", "error": {...}}) or the error itself.
            let error = result?["error"]
            let said =
                error?["error"]?["message"]?.stringValue ?? error?["message"]?.stringValue ?? error?.canonicalText
                ?? "no reason given"
            return .failed("in the batch: " + http.redact(said))
        case let kind?:
            return .failed("in the batch: " + http.redact(kind))
        case nil:
            return .failed("in the batch: a line without a result")
        }
    }
}
