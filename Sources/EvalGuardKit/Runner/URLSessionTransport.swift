import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// https:// through URLSession (TLS, proxies, HTTP/2 where the platform offers them). Completions
/// arrive on URLSession's queue; they are handed to the provider's poll loop through a pipe, so
/// the loop stays the one place where time-outs, retries and results are decided.
final class URLSessionTransport: HTTPTransport {
    /// Shared with URLSession's completion handlers.
    private final class Inbox: @unchecked Sendable {
        let lock = NSLock()
        var finished: [(slot: Int, generation: Int, outcome: HTTPOutcome)] = []
        let readFD: Int32
        let writeFD: Int32

        init() {
            var fds: [Int32] = [0, 0]
            _ = pipe(&fds)
            for f in fds {
                _ = fcntl(f, F_SETFD, FD_CLOEXEC)
                _ = fcntl(f, F_SETFL, fcntl(f, F_GETFL) | O_NONBLOCK)
            }
            readFD = fds[0]
            writeFD = fds[1]
        }

        func post(_ slot: Int, _ generation: Int, _ outcome: HTTPOutcome) {
            lock.withLock { finished.append((slot, generation, outcome)) }
            var byte: UInt8 = 1
            _ = write(writeFD, &byte, 1)
        }
    }

    private let session: URLSession
    private let endpoint: HTTPEndpoint
    private let url: URL
    private let headers: [(String, String)]
    private let inbox = Inbox()
    private var tasks: [URLSessionDataTask?]
    /// Bumped when a slot's request is cancelled, so its late completion is ignored.
    private var generations: [Int]

    init(endpoint: HTTPEndpoint, headers: [(String, String)], slots: Int) throws {
        guard let url = URL(string: endpoint.url) else {
            throw EvalGuardError.evaluation("not a valid URL: \(endpoint.url)", hint: "Check model.base_url in \(EvalConfig.path).")
        }
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = slots
        // The provider enforces model.timeout_s per attempt; this is only a backstop.
        configuration.timeoutIntervalForRequest = 86_400
        configuration.timeoutIntervalForResource = 86_400
        session = URLSession(configuration: configuration)
        self.endpoint = endpoint
        self.url = url
        self.headers = headers
        tasks = Array(repeating: nil, count: slots)
        generations = Array(repeating: 0, count: slots)
    }

    deinit {
        session.invalidateAndCancel()
        Foundation.close(inbox.readFD)
        Foundation.close(inbox.writeFD)
    }

    func send(slot: Int, body: [UInt8]) -> HTTPOutcome? {
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.httpBody = Data(body)
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        request.setValue("evalguard/\(CLI.version)", forHTTPHeaderField: "User-Agent")
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let generation = generations[slot]
        let inbox = self.inbox
        let task = session.dataTask(with: request) { data, response, error in
            if let http = response as? HTTPURLResponse {
                var headers: [String: String] = [:]
                for (k, v) in http.allHeaderFields { headers[String(describing: k).lowercased()] = String(describing: v) }
                inbox.post(slot, generation, .response(HTTPResponse(
                    status: http.statusCode, reason: HTTPURLResponse.localizedString(forStatusCode: http.statusCode),
                    headers: headers, body: data.map(Array.init) ?? [])))
            } else {
                inbox.post(slot, generation, .failed(Self.describe(error)))
            }
        }
        tasks[slot] = task
        task.resume()
        return nil
    }

    static func describe(_ error: (any Error)?) -> String {
        guard let error = error as? URLError else { return error.map { "\($0)" } ?? "no response" }
        switch error.code {
        case .cannotConnectToHost: return "connection refused"
        case .cannotFindHost, .dnsLookupFailed: return "cannot resolve the host"
        case .networkConnectionLost: return "the server closed the connection"
        case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate,
             .serverCertificateNotYetValid, .serverCertificateHasUnknownRoot:
            return "TLS failed (\(error.localizedDescription))"
        default: return error.localizedDescription
        }
    }

    func cancel(slot: Int) {
        generations[slot] += 1
        tasks[slot]?.cancel()
        tasks[slot] = nil
    }

    func pollDescriptors(into fds: inout [pollfd], owners: inout [Int]) {
        fds.append(pollfd(fd: inbox.readFD, events: Int16(POLLIN), revents: 0))
        owners.append(-1)
    }

    func service(owner: Int, revents: Int16, finished: inout [(slot: Int, outcome: HTTPOutcome)]) {
        var bytes = [UInt8](repeating: 0, count: 256)
        while read(inbox.readFD, &bytes, bytes.count) > 0 {}
        let ready = inbox.lock.withLock { () -> [(slot: Int, generation: Int, outcome: HTTPOutcome)] in
            defer { inbox.finished.removeAll() }
            return inbox.finished
        }
        for item in ready where item.generation == generations[item.slot] {
            tasks[item.slot] = nil
            finished.append((item.slot, item.outcome))
        }
    }

    func close() {
        for i in tasks.indices { cancel(slot: i) }
    }
}
