import EvalGuardConfig
import EvalGuardSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension HTTPEndpoint {
    /// Every address the host resolves to, in getaddrinfo's order (the transport tries them in
    /// turn: `localhost` often gives ::1 first while a local server listens on 127.0.0.1 only).
    /// `setting` is where the configuration names the host, for the hint.
    static func resolve(_ endpoint: HTTPEndpoint, setting: String = "model.base_url") throws -> [(
        address: sockaddr_storage, length: socklen_t
    )] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(endpoint.host, String(endpoint.port), &hints, &list)
        guard rc == 0, let first = list else {
            // getaddrinfo has its own error codes; EAI_SYSTEM means "see errno".
            let reason = rc == EAI_SYSTEM ? SystemCallError.reason(errno) : String(cString: gai_strerror(rc))
            throw EvalGuardError.evaluation(
                "cannot resolve the host '\(endpoint.host)' of \(endpoint.url): \(reason)",
                hint: "Check \(setting) in \(EvalConfig.path).")
        }
        defer { freeaddrinfo(list) }
        var addresses: [(address: sockaddr_storage, length: socklen_t)] = []
        var next: UnsafeMutablePointer<addrinfo>? = first
        while let entry = next {
            var address = sockaddr_storage()
            withUnsafeMutableBytes(of: &address) { dst in
                dst.copyMemory(
                    from: UnsafeRawBufferPointer(start: entry.pointee.ai_addr, count: Int(entry.pointee.ai_addrlen)))
            }
            addresses.append((address, entry.pointee.ai_addrlen))
            next = entry.pointee.ai_next
        }
        return addresses
    }
}
