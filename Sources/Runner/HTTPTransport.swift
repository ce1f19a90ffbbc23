import EvalGuardSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Carries POST requests for the OpenAI provider's single-threaded poll loop: one request at a
/// time per slot, outcomes reported when the loop services a descriptor the transport asked for.
protocol HTTPTransport: AnyObject {
    /// Starts `body` for `slot`, which has nothing in flight. An outcome known at once (the
    /// connection was refused on the spot) is returned instead of being reported later.
    func send(slot: Int, body: [UInt8]) -> HTTPOutcome?
    /// Abandons the slot's request (a time-out); its outcome is never reported.
    func cancel(slot: Int)
    /// Watches the descriptors of the slots with a request under way, each owned by its slot,
    /// which is passed back to `service`.
    func watch(in poller: inout PollLoop<Int>)
    func service(owner: Int, revents: Int16, finished: inout [(slot: Int, outcome: HTTPOutcome)])
    func close()
}

/// The parts of an http(s) URL the transports need.
struct HTTPEndpoint: Sendable {
    var secure: Bool
    var host: String
    var port: Int
    /// Path and query, starting with "/".
    var target: String
    var url: String

    init?(_ url: String) {
        self.url = url
        let rest: Substring
        if url.hasPrefix("https://") {
            secure = true
            rest = url.dropFirst(8)
        } else if url.hasPrefix("http://") {
            secure = false
            rest = url.dropFirst(7)
        } else {
            return nil
        }
        let authority = rest.prefix { $0 != "/" && $0 != "?" }
        target = rest.dropFirst(authority.count).isEmpty ? "/" : String(rest.dropFirst(authority.count))
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            port = after.hasPrefix(":") ? Int(after.dropFirst()) ?? -1 : (secure ? 443 : 80)
        } else if let colon = authority.lastIndex(of: ":") {
            host = String(authority[..<colon])
            port = Int(authority[authority.index(after: colon)...]) ?? -1
        } else {
            host = String(authority)
            port = secure ? 443 : 80
        }
        guard !host.isEmpty, (1...65_535).contains(port) else { return nil }
    }

    var hostHeader: String {
        let h = host.contains(":") ? "[\(host)]" : host
        return port == (secure ? 443 : 80) ? h : "\(h):\(port)"
    }
}
