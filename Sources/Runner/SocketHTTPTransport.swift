import CTLS
import EvalGuardConfig
import EvalGuardSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// HTTP/1.1 over non-blocking POSIX sockets, one keep-alive connection per slot, for http:// and
/// https:// URLs (TLS 1.2 and 1.3 through OpenSSL 3, loaded by `CTLS` with dlopen when the first
/// https transport is made: a process that calls no https model never maps libssl).
///
/// Why not URLSession: measured on this project's 2-core machine against the local test server
/// at 32 requests in flight, URLSession (libcurl underneath, a dispatch hop per callback) cost
/// ~650 µs of CPU per request and pushed p95 from the server's 20 ms delay to 27-29 ms; and
/// linking FoundationNetworking loads libcurl's thirty-odd libraries into every evalguard
/// process, which cost the pre-push hook ~14 ms of start-up. These sockets sit in the provider's
/// own poll(2) loop, like the command provider's pipes: no thread per request, exact time-outs,
/// and latency that is the server's, not evalguard's.
final class SocketHTTPTransport: HTTPTransport {
    private final class Connection {
        let fd: Int32
        var connecting: Bool
        /// The TLS session (https), its handshake state, and what it waits for (POLLIN or
        /// POLLOUT; 0 when it waits for nothing in particular).
        var tls: OpaquePointer?
        var handshaking = false
        var tlsWants: Int16 = 0
        /// Which of the host's addresses this connection tried; a refusal moves on to the next.
        var addressIndex = 0
        var out: [UInt8] = []
        var written = 0
        var parser = HTTPResponseParser()
        var busy = false
        /// Carried a request before: a close before any byte of the answer means the server
        /// dropped an idle connection, and the request is sent again on a new one.
        var reused = false
        /// Through a proxy: the CONNECT request still being written, then the proxy's answer as
        /// it arrives; the tunnel stands (and TLS starts) once the answer ends.
        var tunnelling = false
        var tunnelOut: [UInt8] = []
        var tunnelWritten = 0
        var tunnelReply: [UInt8] = []

        init(fd: Int32, connecting: Bool) {
            self.fd = fd
            self.connecting = connecting
        }
    }

    private let endpoint: HTTPEndpoint
    /// The proxy every connection tunnels through (see HTTPProxy), or nil.
    private let proxy: HTTPProxy?
    /// Every address the host resolved to, in getaddrinfo's order: `localhost` often gives ::1
    /// first while a local server listens on 127.0.0.1 only.
    private var addresses: [(address: sockaddr_storage, length: socklen_t)] = []
    private let prefix: [UInt8]
    /// Sent with every request (authorisation among them): never logged.
    private let headers: [(String, String)]
    /// The TLS configuration (authorities, verification) for https; nil for http.
    private let tlsContext: OpaquePointer?
    private var connections: [Connection?]
    private var readBuffer = [UInt8](repeating: 0, count: 65_536)

    /// `headers` are sent with every request (authorisation among them): they are never logged.
    /// `setting` names where the configuration writes the URL (`models.grader.base_url`), for messages.
    init(
        endpoint: HTTPEndpoint, headers: [(String, String)], slots: Int, setting: String = "model.base_url",
        environment: [String: String] = HTTPProxy.processEnvironment()
    ) throws {
        self.endpoint = endpoint
        self.headers = headers
        proxy = try HTTPProxy.forEndpoint(endpoint, environment: environment)
        connections = Array(repeating: nil, count: slots)
        var head = "POST \(endpoint.target) HTTP/1.1\r\nHost: \(endpoint.hostHeader)\r\n"
        head +=
            "User-Agent: evalguard/\(EvalGuardVersion.current)\r\nAccept: application/json\r\nContent-Type: application/json\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        head += "Content-Length: "
        prefix = Array(head.utf8)

        addresses =
            try proxy.map { try HTTPEndpoint.resolve(proxy: $0) } ?? HTTPEndpoint.resolve(endpoint, setting: setting)
        // Last: OpenSSL is loaded only once the host is known to resolve.
        tlsContext = endpoint.secure ? try TLSAuthorities.context(environment: environment) : nil
    }

    deinit {
        close()
        evalguard_tls_context_free(tlsContext)
    }

    func send(slot: Int, body: [UInt8]) -> HTTPOutcome? {
        var request = prefix
        request.append(contentsOf: "\(body.count)\r\n\r\n".utf8)
        request.append(contentsOf: body)
        return dispatch(slot, request)
    }

    /// A request other than the POST of JSON to the endpoint (a batch API's upload, status and
    /// download): `method` to `target` (path and query) on the endpoint's host, with the same
    /// headers, TLS and proxy.
    func send(slot: Int, method: String, target: String, contentType: String?, body: [UInt8]) -> HTTPOutcome? {
        var head = "\(method) \(target) HTTP/1.1\r\nHost: \(endpoint.hostHeader)\r\n"
        head += "User-Agent: evalguard/\(EvalGuardVersion.current)\r\nAccept: */*\r\n"
        if let contentType { head += "Content-Type: \(contentType)\r\n" }
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        head += "Content-Length: \(body.count)\r\n\r\n"
        return dispatch(slot, Array(head.utf8) + body)
    }

    private func dispatch(_ slot: Int, _ request: [UInt8]) -> HTTPOutcome? {
        if let c = connections[slot] {
            c.reused = true
            c.parser.reset()
            return start(slot, c, request)
        }
        return open(slot, request)
    }

    private func open(_ slot: Int, _ request: [UInt8], addressIndex: Int = 0) -> HTTPOutcome? {
        var (address, addressLength) = addresses[addressIndex]
        let fd: Int32
        do throws(SystemCallError) {
            fd = try syscall("socket") { socket(Int32(address.ss_family), Int32(SOCK_STREAM.rawValue), 0) }
            do throws(SystemCallError) {
                try setDescriptorFlags(fd, status: O_NONBLOCK, closeOnExec: true)
            } catch {
                closeDescriptor(fd)
                throw error
            }
        } catch {
            return .failed("cannot create a socket: \(Self.describe(error.errno))")
        }
        var one: Int32 = 1
        // May be ignored: without TCP_NODELAY requests still go out, only after Nagle's delay.
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var connecting = false
        do throws(SystemCallError) {
            // Not retried after a signal: the connection then goes on in the background, as for EINPROGRESS.
            try syscall("connect", retryOnInterrupt: false) {
                withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, addressLength) }
                }
            }
        } catch {
            guard error.errno == EINPROGRESS || error.errno == EINTR else {
                closeDescriptor(fd)
                return addressIndex + 1 < addresses.count
                    ? open(slot, request, addressIndex: addressIndex + 1)
                    : .failed(Self.describe(error.errno))
            }
            connecting = true
        }
        let c = Connection(fd: fd, connecting: connecting)
        c.addressIndex = addressIndex
        connections[slot] = c
        if !c.connecting, let failure = connected(slot, c) { return failure }
        return start(slot, c, request)
    }

    /// Once the TCP connection stands: the CONNECT request through a proxy, else TLS for https.
    private func connected(_ slot: Int, _ c: Connection) -> HTTPOutcome? {
        guard let proxy else { return startTLS(slot, c) }
        c.tunnelling = true
        c.tunnelOut = proxy.connectRequest(to: endpoint)
        return advanceTunnel(slot, c)
    }

    /// Writes the CONNECT request and reads the proxy's answer as far as the socket allows; once
    /// the proxy said 2xx the tunnel stands and TLS (https) starts. An outcome only on failure.
    private func advanceTunnel(_ slot: Int, _ c: Connection) -> HTTPOutcome? {
        guard let proxy else { return nil }
        let via = "the proxy \(proxy.host):\(proxy.port) (from $\(proxy.variable))"
        do throws(SystemCallError) {
            // A buffer with bytes left to write is not empty, so its base address is not nil.
            while c.tunnelWritten < c.tunnelOut.count {
                c.tunnelWritten += try syscall("send") {
                    c.tunnelOut.withUnsafeBytes {
                        sendBytes(
                            c.fd, $0.baseAddress! + c.tunnelWritten, $0.count - c.tunnelWritten, Int32(MSG_NOSIGNAL))
                    }
                }
            }
            // Byte by byte up to the blank line: what follows belongs to the tunnel (TLS).
            var byte: UInt8 = 0
            while !c.tunnelReply.suffix(4).elementsEqual([13, 10, 13, 10]) {
                let n = try syscall("read") { read(c.fd, &byte, 1) }
                if n == 0 {
                    drop(slot)
                    return .failed("\(via) closed the connection before opening a tunnel to \(endpoint.hostHeader)")
                }
                c.tunnelReply.append(byte)
                if c.tunnelReply.count > 16_384 {
                    drop(slot)
                    return .failed("\(via) answered CONNECT with an oversized header")
                }
            }
        } catch {
            if error.wouldBlock { return nil }
            drop(slot)
            return .failed("\(via): \(Self.describe(error.errno))")
        }
        let statusLine = String(decoding: c.tunnelReply.prefix { $0 != 13 && $0 != 10 }, as: UTF8.self)
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else {
            drop(slot)
            return .failed("\(via) answered CONNECT with something other than HTTP: \(statusLine.prefix(80))")
        }
        guard (200..<300).contains(status) else {
            drop(slot)
            let reason =
                "\(via) refused a tunnel to \(endpoint.hostHeader): \(statusLine.dropFirst(parts[0].count + 1))"
            // Wrong or missing credentials, or a host the proxy forbids: no retry changes that.
            return status == 407 || status == 403
                ? .fatal(reason + (status == 407 ? " (check the user and password in $\(proxy.variable))" : ""))
                : .failed(reason)
        }
        c.tunnelling = false
        c.tunnelReply = []
        return startTLS(slot, c)
    }

    /// For https, once the TCP connection stands: the TLS session, whose handshake runs next.
    private func startTLS(_ slot: Int, _ c: Connection) -> HTTPOutcome? {
        guard let tlsContext else { return nil }
        var message = [CChar](repeating: 0, count: 256)
        guard let tls = evalguard_tls_new(tlsContext, c.fd, endpoint.host, &message, message.count) else {
            drop(slot)
            return .failed(String(cBuffer: message))
        }
        c.tls = tls
        c.handshaking = true
        return advanceHandshake(slot, c)
    }

    /// Runs the handshake as far as the socket allows; an outcome only when it failed.
    private func advanceHandshake(_ slot: Int, _ c: Connection) -> HTTPOutcome? {
        // The handshake writes too (the ClientHello, the Finished message).
        let rc = withSIGPIPEBlocked { evalguard_tls_handshake(c.tls) }
        switch rc {
        case 0:
            c.handshaking = false
            c.tlsWants = 0
            return nil
        case EVALGUARD_TLS_WANT_READ:
            c.tlsWants = Int16(POLLIN)
            return nil
        case EVALGUARD_TLS_WANT_WRITE:
            c.tlsWants = Int16(POLLOUT)
            return nil
        default:
            let reason = "TLS with \(endpoint.host) failed: " + Self.describeTLS(c.tls, Int32(rc))
            drop(slot)
            return evalguard_tls_is_certificate_error(Int32(rc)) != 0 ? .fatal(reason) : .failed(reason)
        }
    }

    private func start(_ slot: Int, _ c: Connection, _ request: [UInt8]) -> HTTPOutcome? {
        c.out = request
        c.written = 0
        c.busy = true
        return c.connecting || c.tunnelling || c.handshaking ? nil : flush(slot, c)
    }

    /// Writes what the socket takes now; an outcome only when the connection failed.
    private func flush(_ slot: Int, _ c: Connection) -> HTTPOutcome? {
        // A buffer with bytes left to write is not empty, so its base address is not nil.
        while c.written < c.out.count {
            if let tls = c.tls {
                let n = withSIGPIPEBlocked {
                    c.out.withUnsafeBytes { raw in
                        evalguard_tls_write(
                            tls, raw.baseAddress!.assumingMemoryBound(to: UInt8.self) + c.written, raw.count - c.written
                        )
                    }
                }
                if n > 0 {
                    c.written += n
                    c.tlsWants = 0
                    continue
                }
                if n == Int(EVALGUARD_TLS_WANT_READ) {
                    c.tlsWants = Int16(POLLIN)
                    return nil
                }
                if n == Int(EVALGUARD_TLS_WANT_WRITE) {
                    c.tlsWants = Int16(POLLOUT)
                    return nil
                }
                return failed(slot, c, Self.describeTLS(tls, Int32(n)))
            }
            do throws(SystemCallError) {
                c.written += try syscall("send") {
                    c.out.withUnsafeBytes {
                        sendBytes(c.fd, $0.baseAddress! + c.written, $0.count - c.written, Int32(MSG_NOSIGNAL))
                    }
                }
            } catch {
                return error.wouldBlock ? nil : failed(slot, c, Self.describe(error.errno))
            }
        }
        return nil
    }

    /// Reads what is available into the connection's parser: whether the stream ended, or why
    /// it failed.
    private func receive(_ c: Connection) -> (eof: Bool, failure: String?) {
        // `readBuffer` is allocated with a fixed, non-zero size, so its base address is not nil.
        while true {
            let n: Int
            if let tls = c.tls {
                n = readBuffer.withUnsafeMutableBytes {
                    evalguard_tls_read(tls, $0.baseAddress!.assumingMemoryBound(to: UInt8.self), $0.count)
                }
                if n == Int(EVALGUARD_TLS_WANT_READ) {
                    c.tlsWants = Int16(POLLIN)
                    return (false, nil)
                }
                if n == Int(EVALGUARD_TLS_WANT_WRITE) {
                    c.tlsWants = Int16(POLLOUT)
                    return (false, nil)
                }
                if n < 0 { return (false, Self.describeTLS(tls, Int32(n))) }
            } else {
                do throws(SystemCallError) {
                    n = try syscall("read") {
                        readBuffer.withUnsafeMutableBytes { read(c.fd, $0.baseAddress!, $0.count) }
                    }
                } catch {
                    return (false, error.wouldBlock ? nil : Self.describe(error.errno))
                }
            }
            if n == 0 { return (true, nil) }
            readBuffer.withUnsafeBytes { c.parser.append(UnsafeRawBufferPointer(rebasing: $0[..<n])) }
        }
    }

    /// A failure on a reused connection before any answer: the server had closed it; retry once.
    private func failed(_ slot: Int, _ c: Connection, _ reason: String) -> HTTPOutcome? {
        drop(slot)
        if c.reused && c.parser.isEmpty { return open(slot, c.out) }
        return .failed(reason)
    }

    func cancel(slot: Int) { drop(slot) }

    private func drop(_ slot: Int) {
        if let c = connections[slot] {
            evalguard_tls_free(c.tls)
            closeDescriptor(c.fd)
        }
        connections[slot] = nil
    }

    func close() {
        for i in connections.indices { drop(i) }
    }

    func watch(in poller: inout PollLoop<Int>) {
        for (slot, c) in connections.enumerated() {
            guard let c, c.busy else { continue }
            let events =
                c.connecting
                ? Int16(POLLOUT)
                : c.tunnelling
                    ? Int16(c.tunnelWritten < c.tunnelOut.count ? POLLOUT : POLLIN)
                    : c.tlsWants != 0
                        ? c.tlsWants
                        : Int16(c.written < c.out.count ? POLLOUT : POLLIN)
            poller.watch(c.fd, for: events, owner: slot)
        }
    }

    func service(owner slot: Int, revents: Int16, finished: inout [(slot: Int, outcome: HTTPOutcome)]) {
        guard let c = connections[slot], c.busy else { return }
        func report(_ outcome: HTTPOutcome?) { if let outcome { finished.append((slot, outcome)) } }
        if c.connecting {
            var error: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            do throws(SystemCallError) {
                try syscall("getsockopt") { getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &error, &length) }
            } catch let failure {
                error = failure.errno
            }
            if error != 0 {
                drop(slot)
                report(
                    c.addressIndex + 1 < addresses.count
                        ? open(slot, c.out, addressIndex: c.addressIndex + 1)
                        : .failed(Self.describe(error)))
                return
            }
            c.connecting = false
            if let failure = connected(slot, c) {
                report(failure)
                return
            }
        }
        if c.tunnelling {
            if let failure = advanceTunnel(slot, c) {
                report(failure)
                return
            }
            if c.tunnelling { return }
        }
        if c.handshaking {
            if let failure = advanceHandshake(slot, c) {
                report(failure)
                return
            }
            if c.handshaking { return }
        }
        if c.written < c.out.count {
            report(flush(slot, c))
            if connections[slot] == nil || c.written < c.out.count { return }
        }
        let (eof, failure) = receive(c)
        if let failure {
            report(failed(slot, c, failure))
            return
        }
        do {
            guard let (response, keepAlive) = try c.parser.complete(atEOF: eof) else {
                if eof { report(failed(slot, c, "the server closed the connection without answering")) }
                return
            }
            c.busy = false
            if !keepAlive || eof { drop(slot) }
            report(.response(response))
        } catch {
            drop(slot)
            report(error.cutOff.map(HTTPOutcome.cutOff) ?? .failed("malformed HTTP: \(error.message)"))
        }
    }

    static func describeTLS(_ tls: OpaquePointer?, _ code: Int32) -> String {
        var text = [CChar](repeating: 0, count: 320)
        evalguard_tls_describe(tls, code, &text, text.count)
        return String(cBuffer: text)
    }

    static func describe(_ code: Int32) -> String {
        switch code {
        case ECONNREFUSED: "connection refused"
        case ECONNRESET: "connection reset by the server"
        case EPIPE: "the server closed the connection"
        default: SystemCallError.reason(code).lowercased()
        }
    }
}

// The class's own `send` hides the C function of the same name.
private func sendBytes(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int, _ flags: Int32) -> Int {
    #if canImport(Glibc)
        Glibc.send(fd, bytes, count, flags)
    #else
        Darwin.send(fd, bytes, count, flags)
    #endif
}
