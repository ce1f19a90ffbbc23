import EvalGuardConfig
import EvalGuardSupport

/// OpenAI's Batch API: the requests as a JSON Lines file uploaded to `<base_url>/files`
/// (purpose `batch`), a batch made of it at `<base_url>/batches` (completion window 24h),
/// polled at `<base_url>/batches/{id}`, and its output and error files read from
/// `<base_url>/files/{id}/content`, their lines matched to the requests by `custom_id`.
struct OpenAIBatchService: FindableBatchService {
    let exchange: HTTPExchange
    /// `<base_url>` as a path on the host ("/v1"), and the chat completions path a line names.
    let basePath: String
    let linePath: String
    /// Server text made fit to show: the API key redacted, control characters replaced (a
    /// server may send escape sequences).
    let redact: (String) -> String

    var name: String { "OpenAI's Batch API" }

    init(provider: OpenAIProvider) throws {
        let config = provider.config
        guard let base = HTTPEndpoint(config.baseURL), let chat = HTTPEndpoint(config.chatCompletionsURL) else {
            throw EvalGuardError(
                "\(config.setting("base_url")): not a URL evalguard can call: \(config.baseURL)", file: EvalConfig.path)
        }
        let transport = try SocketHTTPTransport(
            endpoint: base, headers: provider.headers, slots: 1, setting: config.setting("base_url"))
        exchange = HTTPExchange(
            transport: transport, timeoutSeconds: max(provider.timeoutSeconds, 60), maxRetries: config.maxRetries,
            backoffSeconds: config.retryBackoffSeconds,
            origin: String(config.baseURL.dropLast(base.target == "/" ? 0 : base.target.count)))
        basePath = base.target == "/" ? "" : base.target
        linePath = chat.target
        redact = { OpenAIProvider.terminalSafe(provider.redact($0)) }
    }

    func submit(_ lines: [BatchLine]) throws -> String { try create(lines, digest: nil) }

    func submit(_ lines: [BatchLine], digest: String) throws -> String { try create(lines, digest: digest) }

    /// The latest batches (`GET <base_url>/batches?limit=100`): the one whose metadata carries
    /// `digest` and that can still answer.
    func find(digest: String) throws -> String? {
        let listed = try exchange.perform("GET", basePath + "/batches?limit=100")
        if listed.status == 404 { return nil }
        let list = try json(listed, "listing the batches")
        for batch in list["data"]?.arrayValue ?? [] {
            guard batch["metadata"]?[Self.digestKey]?.stringValue == digest,
                let id = batch["id"]?.stringValue, Self.isID(id),
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
        let uploaded = try json(
            exchange.perform(
                "POST", basePath + "/files", contentType: "multipart/form-data; boundary=\(boundary)", body: form),
            "uploading the batch's requests")
        guard let fileID = uploaded["id"]?.stringValue, Self.isID(fileID) else {
            throw malformed("the upload's answer has no usable \"id\"")
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
            created = try exchange.perform(
                "POST", basePath + "/batches", contentType: "application/json", body: Array(create.utf8),
                retrying: false)
        } catch let error as EvalGuardError {
            throw mayExist(error.message, fileID: fileID)
        }
        if [408, 409, 429].contains(created.status) || created.status >= 500 {
            throw mayExist(
                "\(name) answered HTTP \(created.status) creating the batch: \(OpenAIAnswer.serverMessage(created.body, redact))",
                fileID: fileID)
        }
        let batch = try json(created, "creating the batch")
        guard let id = batch["id"]?.stringValue, Self.isID(id) else {
            throw malformed("the new batch's answer has no usable \"id\"")
        }
        return id
    }

    func status(of id: String) throws -> BatchStatus {
        guard Self.isID(id) else { throw malformed("'\(redact(id))' is not a batch id") }
        let polled = try exchange.perform("GET", basePath + "/batches/" + id)
        if polled.status == 404 { throw UnknownBatch(said: OpenAIAnswer.serverMessage(polled.body, redact)) }
        let batch = try json(polled, "reading the batch \(id)")
        guard let state = batch["status"]?.stringValue else { throw malformed("the batch \(id) has no \"status\"") }
        let counts = batch["request_counts"]
        func count(_ name: String) -> Int { counts?[name]?.numberValue.flatMap { Int(exactly: $0) } ?? 0 }
        let phase: BatchStatus.Phase
        switch state {
        case "completed", "expired", "cancelled": phase = .ended
        case "failed":
            let reasons = batch["errors"]?["data"]?.arrayValue?.compactMap { $0["message"]?.stringValue } ?? []
            phase = .failed(redact(reasons.isEmpty ? "no reason given" : reasons.joined(separator: "; ")))
        default: phase = .running
        }
        return BatchStatus(
            id: id, phase: phase, providerStatus: redact(state), total: count("total"), completed: count("completed"),
            failed: count("failed"),
            outputLocation: batch["output_file_id"]?.stringValue.flatMap { Self.isID($0) ? $0 : nil },
            errorLocation: batch["error_file_id"]?.stringValue.flatMap { Self.isID($0) ? $0 : nil })
    }

    func results(of status: BatchStatus) throws -> [String: BatchOutcome] {
        var outcomes: [String: BatchOutcome] = [:]
        for file in [status.errorLocation, status.outputLocation].compactMap({ $0 }) {
            let response = try exchange.perform("GET", basePath + "/files/" + file + "/content")
            guard (200..<300).contains(response.status) else {
                throw refused(response, "reading the batch's file \(file)")
            }
            for line in response.body.split(separator: UInt8(ascii: "\n"))
            where !line.allSatisfy({ $0 == 13 || $0 == 32 }) {
                guard let entry = Array(line).withUnsafeBufferPointer({ try? JSONParser.parse($0) }),
                    let id = entry["custom_id"]?.stringValue
                else { continue }
                outcomes[id] = outcome(entry)
            }
        }
        return outcomes
    }

    /// A line of the output or error file: an answer when its response is a 2xx with a body.
    private func outcome(_ entry: JSONValue) -> BatchOutcome {
        if let error = entry["error"], error != .null {
            return .failed("in the batch: " + redact(error["message"]?.stringValue ?? error.canonicalText))
        }
        guard let response = entry["response"], let code = response["status_code"]?.numberValue,
            let body = response["body"]
        else {
            return .failed("in the batch: a line without a response")
        }
        guard (200..<300).contains(code) else {
            let said = body["error"]?["message"]?.stringValue ?? body.canonicalText
            return .failed("in the batch: HTTP \(Int(code)): " + redact(said))
        }
        var text = ""
        JSONWriter.write(body, to: &text)
        return .answered(Array(text.utf8))
    }

    /// An id as OpenAI makes them (`batch_abc123`, `file-XYZ`): it goes into a request's path, so
    /// anything else (a space, a slash, a line break from a hostile server or state file) is refused.
    static func isID(_ text: String) -> Bool {
        text.utf8.count <= 200 && text.first.map { $0.isASCII && ($0.isLetter || $0.isNumber) } == true
            && text.unicodeScalars.allSatisfy {
                ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
                    || "_-.".unicodeScalars.contains($0)
            }
    }

    private func json(_ response: HTTPResponse, _ doing: String) throws -> JSONValue {
        guard (200..<300).contains(response.status) else { throw refused(response, doing) }
        guard let value = response.body.withUnsafeBufferPointer({ try? JSONParser.parse($0) }), case .object = value
        else {
            throw malformed("\(doing): the answer is not a JSON object: \(OpenAIAnswer.quote(response.body, redact))")
        }
        return value
    }

    private func refused(_ response: HTTPResponse, _ doing: String) -> EvalGuardError {
        .evaluation(
            "\(name) answered HTTP \(response.status) \(doing): \(OpenAIAnswer.serverMessage(response.body, redact))",
            hint: response.status == 401 || response.status == 403
                ? "Check the API key's variable and that the key may use the Batch API."
                : response.status == 404
                    ? "The server at the model's base_url may have no Batch API: run without --batch (or without \"batch\": true)."
                    : nil)
    }

    private func malformed(_ text: String) -> EvalGuardError { .evaluation("\(name): \(text)") }

    /// A create whose outcome is unknown: the batch may exist, and submitting again may pay twice.
    private func mayExist(_ problem: String, fileID: String) -> EvalGuardError {
        .evaluation(
            problem + "; the batch may have been created all the same",
            hint:
                "Run the same command with --batch again: it first looks for the batch (input file \(fileID), metadata \(Self.digestKey)) at \(exchange.origin)\(basePath)/batches and resumes it if it exists."
        )
    }
}
