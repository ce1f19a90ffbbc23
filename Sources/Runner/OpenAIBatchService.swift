import EvalGuardConfig
import EvalGuardSupport

/// OpenAI's Batch API: the requests as a JSON Lines file uploaded to `<base_url>/files`
/// (purpose `batch`), a batch made of it at `<base_url>/batches` (completion window 24h),
/// polled at `<base_url>/batches/{id}`, and its output and error files read from
/// `<base_url>/files/{id}/content`, their lines matched to the requests by `custom_id`.
struct OpenAIBatchService: FindableBatchService {
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

    func submit(_ lines: [BatchLine]) throws -> String { try create(lines, digest: nil) }

    func submit(_ lines: [BatchLine], digest: String) throws -> String { try create(lines, digest: digest) }

    /// The latest batches (`GET <base_url>/batches?limit=100`): the one whose metadata carries
    /// `digest` and that can still answer.
    func find(digest: String) throws -> String? {
        let listed = try http.exchange.perform("GET", http.basePath + "/batches?limit=100")
        if listed.status == 404 { return nil }
        let list = try http.json(listed, "listing the batches")
        for batch in list["data"]?.arrayValue ?? [] {
            guard batch["metadata"]?[Self.digestKey]?.stringValue == digest,
                let id = batch["id"]?.stringValue, BatchHTTP.isID(id),
                !["failed", "expired", "cancelled", "cancelling"].contains(batch["status"]?.stringValue ?? "")
            else { continue }
            return id
        }
        return nil
    }

    /// The metadata key a batch's digest goes under.
    static let digestKey = "evalguard_digest"

    private func create(_ lines: [BatchLine], digest: String?) throws -> String {
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
        var fields: [String: JSONValue] = [
            "input_file_id": .string(fileID), "endpoint": .string(linePath), "completion_window": .string("24h"),
        ]
        if let digest { fields["metadata"] = .object([Self.digestKey: .string(digest)]) }
        JSONWriter.write(.object(fields), to: &create)
        // Never retried: a create that failed on the way back (a 5xx, a timeout, a dropped
        // connection) may have made the batch, and a second one would be paid for again.
        let created: HTTPResponse
        do {
            created = try http.exchange.perform(
                "POST", http.basePath + "/batches", contentType: "application/json", body: Array(create.utf8),
                retrying: false)
        } catch let error as EvalGuardError {
            throw mayExist(error.message, fileID: fileID)
        }
        if [408, 409, 429].contains(created.status) || created.status >= 500 {
            throw mayExist(
                "\(name) answered HTTP \(created.status) creating the batch: \(http.provider.serverMessage(created.body))",
                fileID: fileID)
        }
        let batch = try http.json(created, "creating the batch")
        guard let id = batch["id"]?.stringValue, BatchHTTP.isID(id) else {
            throw http.malformed("the new batch's answer has no usable \"id\"")
        }
        return id
    }

    /// A create whose outcome is unknown: the batch may exist, and submitting again may pay twice.
    private func mayExist(_ problem: String, fileID: String) -> EvalGuardError {
        .evaluation(
            problem + "; " + BatchState.mayExist,
            hint:
                "Run the same command with --batch again: it first looks for the batch (input file \(fileID), metadata \(Self.digestKey)) at \(http.exchange.origin)\(http.basePath)/batches and resumes it if it exists."
        )
    }

    func status(of id: String) throws -> BatchStatus {
        guard BatchHTTP.isID(id) else { throw http.malformed("'\(http.redact(id))' is not a batch id") }
        let polled = try http.exchange.perform("GET", http.basePath + "/batches/" + id)
        if polled.status == 404 { throw UnknownBatch(said: http.provider.serverMessage(polled.body)) }
        let batch = try http.json(polled, "reading the batch \(id)")
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
