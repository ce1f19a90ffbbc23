import EvalGuardConfig
import EvalGuardSupport

/// What every batch API's service shares: one request at a time on the host of the model's
/// `base_url`, with its API key, and a strict reading of what comes back. The server's ids and
/// URLs go into request paths, so only plain ids and URLs on that same host are followed.
struct BatchHTTP {
    /// What the provider calls its batches in messages ("OpenAI's Batch API").
    let name: String
    let exchange: HTTPExchange
    let base: HTTPEndpoint
    /// `<base_url>` as a path on the host ("/v1"; "" for a bare host).
    let basePath: String
    let provider: OpenAIProvider

    init(name: String, provider: OpenAIProvider) throws {
        let config = provider.config
        guard let base = HTTPEndpoint(config.baseURL) else {
            throw EvalGuardError(
                "\(config.setting("base_url")): not a URL evalguard can call: \(config.baseURL)", file: EvalConfig.path)
        }
        let transport = try SocketHTTPTransport(
            endpoint: base, headers: provider.headers, slots: 1, setting: config.setting("base_url"))
        exchange = HTTPExchange(
            transport: transport, timeoutSeconds: max(provider.timeoutSeconds, 60), maxRetries: config.maxRetries,
            backoffSeconds: config.retryBackoffSeconds,
            origin: String(config.baseURL.dropLast(base.target == "/" ? 0 : base.target.count)))
        (self.name, self.base, self.provider) = (name, base, provider)
        basePath = base.target == "/" ? "" : base.target
    }

    /// Server text made fit to show: the API key redacted, control characters replaced (a
    /// server may send escape sequences).
    func redact(_ text: String) -> String { OpenAIProvider.terminalSafe(provider.redact(text)) }

    /// An id as the providers make them (`batch_abc123`, `file-XYZ`, `msgbatch_01Hk...`): it goes
    /// into a request's path, so anything else (a space, a slash, a line break from a hostile
    /// server or state file) is refused.
    static func isID(_ text: String) -> Bool {
        text.utf8.count <= 200 && text.first.map { $0.isASCII && ($0.isLetter || $0.isNumber) } == true
            && text.unicodeScalars.allSatisfy {
                ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
                    || "_-.".unicodeScalars.contains($0)
            }
    }

    /// The path of `url`, a URL the server gave (`what` names it), when it is on the host, port
    /// and scheme of `base_url`: the API key is sent with it, so it never goes anywhere else.
    func target(of url: String, _ what: String) throws -> String {
        guard let endpoint = HTTPEndpoint(url), endpoint.secure == base.secure,
            endpoint.host.lowercased() == base.host.lowercased(), endpoint.port == base.port,
            endpoint.target.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F })
        else {
            throw EvalGuardError.evaluation(
                "\(name): \(what) '\(Self.quoted(redact(url)))' is not a URL on \(exchange.origin) (the model's base_url); evalguard sends the API key nowhere else",
                hint:
                    "Check \(provider.config.setting("base_url")) in \(EvalConfig.path): it must be the server that runs the batch."
            )
        }
        return endpoint.target
    }

    /// `text` safe on a terminal: control characters shown as U+FFFD.
    private static func quoted(_ text: String) -> String {
        String(
            String.UnicodeScalarView(
                text.prefix(300).unicodeScalars.map {
                    $0.value < 0x20 || (0x7F...0x9F).contains($0.value) ? "\u{FFFD}" : $0
                }
            ))
    }

    /// The JSON object a 2xx answer carries; an error naming what was being done otherwise.
    func json(_ response: HTTPResponse, _ doing: String) throws -> JSONValue {
        guard (200..<300).contains(response.status) else { throw refused(response, doing) }
        guard let value = response.body.withUnsafeBufferPointer({ try? JSONParser.parse($0) }), case .object = value
        else {
            throw malformed("\(doing): the answer is not a JSON object: \(OpenAIAnswer.quote(response.body, redact))")
        }
        return value
    }

    func refused(_ response: HTTPResponse, _ doing: String) -> EvalGuardError {
        .evaluation(
            "\(name) answered HTTP \(response.status) \(doing): \(provider.serverMessage(response.body))",
            hint: response.status == 401 || response.status == 403
                ? "Check the API key's variable and that the key may use \(name)."
                : response.status == 404
                    ? "The server at the model's base_url may have no batch API: run without --batch (or without \"batch\": true)."
                    : nil)
    }

    func malformed(_ text: String) -> EvalGuardError { .evaluation("\(name): \(text)") }

    /// The lines of a JSON Lines body that are JSON with a `custom_id`, by that id.
    static func entries(_ body: [UInt8]) -> [(id: String, entry: JSONValue)] {
        body.split(separator: UInt8(ascii: "\n")).compactMap { line in
            guard !line.allSatisfy({ $0 == 13 || $0 == 32 }),
                let entry = Array(line).withUnsafeBufferPointer({ try? JSONParser.parse($0) }),
                let id = entry["custom_id"]?.stringValue
            else { return nil }
            return (id, entry)
        }
    }
}
