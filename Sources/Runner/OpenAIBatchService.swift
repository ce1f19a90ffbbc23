import EvalGuardConfig
import EvalGuardSupport

/// OpenAI's Batch API: the requests as a JSON Lines file uploaded to `<base_url>/files`
/// (purpose `batch`), a batch made of it at `<base_url>/batches` (completion window 24h),
/// polled at `<base_url>/batches/{id}`, and its output and error files read from
/// `<base_url>/files/{id}/content`, their lines matched to the requests by `custom_id`.
struct OpenAIBatchService: BatchService {
    let http: BatchHTTP
    /// The chat completions path a line names.
    let linePath: String

    var name: String { http.name }

    init(provider: OpenAIProvider) throws {
        http = try BatchHTTP(name: "OpenAI's Batch API", provider: provider)
        guard let chat = HTTPEndpoint(provider.config.chatCompletionsURL) else {
            throw EvalGuardError(
                "\(provider.config.setting("base_url")): not a URL evalguard can call: \(provider.config.baseURL)",
                file: EvalConfig.path)
        }
        linePath = chat.target
    }

    func submit(_ lines: [BatchLine]) throws -> String {
        var file: [UInt8] = []
        for line in lines {
            // The body is spliced in as bytes: the line carries exactly what a direct request sends.
            var head = ""
            JSONWriter.write(
                .object(["custom_id": .string(line.customID), "method": .string("POST"), "url": .string(linePath)]),
                to: &head)
            file += Array(head.utf8.dropLast()) + Array(",\"body\":".utf8) + line.body + Array("}\n".utf8)
        }
        let boundary = "evalguard-" + (0..<4).map { _ in String(UInt64.random(in: 0...UInt64.max), radix: 16) }.joined()
        var form = Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nbatch\r\n".utf8)
        form += Array(
            "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"evalguard-batch.jsonl\"\r\nContent-Type: application/jsonl\r\n\r\n"
                .utf8)
        form += file + Array("\r\n--\(boundary)--\r\n".utf8)
        let uploaded = try http.json(
            http.exchange.perform(
                "POST", http.basePath + "/files", contentType: "multipart/form-data; boundary=\(boundary)", body: form),
            "uploading the batch's requests")
        guard let fileID = uploaded["id"]?.stringValue, BatchHTTP.isID(fileID) else {
            throw http.malformed("the upload's answer has no usable \"id\"")
        }
        var create = ""
        JSONWriter.write(
            .object([
                "input_file_id": .string(fileID), "endpoint": .string(linePath), "completion_window": .string("24h"),
            ]), to: &create)
        let batch = try http.json(
            http.exchange.perform(
                "POST", http.basePath + "/batches", contentType: "application/json", body: Array(create.utf8)),
            "creating the batch")
        guard let id = batch["id"]?.stringValue, BatchHTTP.isID(id) else {
            throw http.malformed("the new batch's answer has no usable \"id\"")
        }
        return id
    }

    func status(of id: String) throws -> BatchStatus {
        guard BatchHTTP.isID(id) else { throw http.malformed("'\(http.redact(id))' is not a batch id") }
        let batch = try http.json(
            http.exchange.perform("GET", http.basePath + "/batches/" + id), "reading the batch \(id)")
        guard let state = batch["status"]?.stringValue else {
            throw http.malformed("the batch \(id) has no \"status\"")
        }
        let counts = batch["request_counts"]
        func count(_ name: String) -> Int { counts?[name]?.numberValue.flatMap { Int(exactly: $0) } ?? 0 }
        let phase: BatchStatus.Phase
        switch state {
        case "completed", "expired", "cancelled": phase = .ended
        case "failed":
            let reasons = batch["errors"]?["data"]?.arrayValue?.compactMap { $0["message"]?.stringValue } ?? []
            phase = .failed(http.redact(reasons.isEmpty ? "no reason given" : reasons.joined(separator: "; ")))
        default: phase = .running
        }
        return BatchStatus(
            id: id, phase: phase, providerStatus: http.redact(state), total: count("total"),
            completed: count("completed"), failed: count("failed"),
            outputLocation: batch["output_file_id"]?.stringValue.flatMap { BatchHTTP.isID($0) ? $0 : nil },
            errorLocation: batch["error_file_id"]?.stringValue.flatMap { BatchHTTP.isID($0) ? $0 : nil })
    }

    func results(of status: BatchStatus) throws -> [String: BatchOutcome] {
        var outcomes: [String: BatchOutcome] = [:]
        for file in [status.errorLocation, status.outputLocation].compactMap({ $0 }) {
            let response = try http.exchange.perform("GET", http.basePath + "/files/" + file + "/content")
            guard (200..<300).contains(response.status) else {
                throw http.refused(response, "reading the batch's file \(file)")
            }
            for (id, entry) in BatchHTTP.entries(response.body) { outcomes[id] = outcome(entry) }
        }
        return outcomes
    }

    /// A line of the output or error file: an answer when its response is a 2xx with a body.
    private func outcome(_ entry: JSONValue) -> BatchOutcome {
        if let error = entry["error"], error != .null {
            return .failed("in the batch: " + http.redact(error["message"]?.stringValue ?? error.canonicalText))
        }
        guard let response = entry["response"], let code = response["status_code"]?.numberValue,
            let body = response["body"]
        else {
            return .failed("in the batch: a line without a response")
        }
        guard (200..<300).contains(code) else {
            let said = body["error"]?["message"]?.stringValue ?? body.canonicalText
            return .failed("in the batch: HTTP \(Int(code)): " + http.redact(said))
        }
        var text = ""
        JSONWriter.write(body, to: &text)
        return .answered(Array(text.utf8))
    }
}
