import EvalGuardConfig
import EvalGuardSupport
import FoundationEssentials

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The proxy a request to an endpoint goes through, from the environment as curl reads it:
/// `https_proxy`/`HTTPS_PROXY` for https URLs, `http_proxy`/`HTTP_PROXY` for http, then
/// `all_proxy`/`ALL_PROXY`; `no_proxy`/`NO_PROXY` lists the hosts reached directly. The lowercase
/// spelling wins when both are set.
///
/// Every request through a proxy goes through an HTTP CONNECT tunnel (for http URLs too, as
/// curl's --proxytunnel does): one code path, and the proxy never sees the API key.
struct HTTPProxy: Equatable, Sendable {
    var host: String
    var port: Int
    /// `Basic base64(user:password)` from credentials in the proxy URL, percent-decoded first.
    var authorization: String?
    /// The variable it came from, for messages (never the URL itself: it may hold a password).
    var variable: String

    static func processEnvironment() -> [String: String] { EvalGuardSupport.processEnvironment() }

    /// The proxy for `endpoint`, nil for a direct connection.
    static func forEndpoint(_ endpoint: HTTPEndpoint, environment: [String: String]) throws -> HTTPProxy? {
        func value(_ name: String) -> (String, String)? {
            for spelling in [name.lowercased(), name.uppercased()] {
                if let v = environment[spelling]?.trimmingWhitespace(), !v.isEmpty { return (spelling, v) }
            }
            return nil
        }
        guard
            case (let variable, let url)? = value(endpoint.secure ? "https_proxy" : "http_proxy") ?? value("all_proxy")
        else { return nil }
        if case (let spelling, let list)? = value("no_proxy"),
            try NoProxy(list, variable: spelling).matches(host: endpoint.host, port: endpoint.port)
        {
            return nil
        }
        return try parse(url, variable: variable)
    }

    /// `[http://][user[:password]@]host[:port][/]`; port 1080 when none is given, as curl does.
    static func parse(_ url: String, variable: String) throws -> HTTPProxy {
        func bad(_ why: String) -> EvalGuardError {
            EvalGuardError(
                "the proxy in $\(variable) \(why)",
                hint:
                    "Set it to http://[user:password@]host:port (an http proxy; evalguard tunnels https through it with CONNECT)."
            )
        }
        var rest = Substring(url)
        if let scheme = rest.rangeOfText("://") {
            let name = rest[..<scheme.lowerBound].lowercased()
            guard name == "http" else { throw bad("uses the scheme '\(name)://', which evalguard does not support") }
            rest = rest[scheme.upperBound...]
        }
        rest = rest.prefix { $0 != "/" }
        var authorization: String? = nil
        if let at = rest.lastIndex(of: "@") {
            let credentials = rest[..<at]
            let (user, password) =
                credentials.firstIndex(of: ":").map {
                    (credentials[..<$0], credentials[credentials.index(after: $0)...])
                }
                ?? (credentials, "")
            let plain =
                (PercentEncoding.decode(user) ?? String(user)) + ":"
                + (PercentEncoding.decode(password) ?? String(password))
            authorization = "Basic " + Data(plain.utf8).base64EncodedString()
            rest = rest[rest.index(after: at)...]
        }
        guard
            let endpoint = HTTPEndpoint("http://" + rest + (rest.contains(":") && !rest.hasSuffix("]") ? "" : ":1080"))
        else {
            throw bad("is not host:port")
        }
        return HTTPProxy(host: endpoint.host, port: endpoint.port, authorization: authorization, variable: variable)
    }

    /// The request that opens a tunnel to `endpoint`.
    func connectRequest(to endpoint: HTTPEndpoint) -> [UInt8] {
        let target = (endpoint.host.contains(":") ? "[\(endpoint.host)]" : endpoint.host) + ":\(endpoint.port)"
        var head = "CONNECT \(target) HTTP/1.1\r\nHost: \(target)\r\n"
        if let authorization { head += "Proxy-Authorization: \(authorization)\r\n" }
        return Array((head + "\r\n").utf8)
    }
}

/// A `no_proxy` list as curl reads it: entries separated by commas or spaces; `*` alone matches
/// every host; a name matches itself and its subdomains (a leading dot changes nothing:
/// `example.com` and `.example.com` both match `api.example.com`); an IP address matches itself
/// and a CIDR range (`10.0.0.0/8`, `fd00::/8`) the addresses in it; `host:port` matches only on
/// that port. Names compare without case; IP addresses match only IP hosts, never a name.
///
/// A range's prefix must be a number of bits the address has (0…32 for IPv4, 0…128 for IPv6),
/// after an IP address: anything else is an error naming `variable`, since guessing would
/// either send requests meant to stay direct through the proxy or (`/0`-like readings) send
/// every request around it.
struct NoProxy {
    struct Entry {
        var host: String
        var port: Int?
        var prefixBits: Int?
    }
    var all = false
    var entries: [Entry] = []

    init(_ list: String, variable: String) throws {
        for raw in list.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\t" }) {
            var item = raw.lowercased()
            if item == "*" {
                all = true
                continue
            }
            var port: Int? = nil
            var bits: Int? = nil
            if let slash = item.lastIndex(of: "/") {
                let address = String(item[..<slash])
                let prefix = item[item.index(after: slash)...]
                let width = Self.address(
                    address.hasPrefix("[") ? String(address.dropFirst().prefix { $0 != "]" }) : address
                ).map { $0.count * 8 }
                guard let width else {
                    throw EvalGuardError(
                        "$\(variable) has '\(raw)': a /prefix follows an IP address only",
                        hint: "Write a range as address/bits (10.0.0.0/8, fd00::/8), or a host name without '/'.")
                }
                guard prefix.allSatisfy(\.isASCII), prefix.allSatisfy(\.isNumber), let n = Int(prefix),
                    (0...width).contains(n)
                else {
                    throw EvalGuardError(
                        "$\(variable) has '\(raw)': the prefix must be a number of bits from 0 to \(width)",
                        hint: "Write a range as address/bits (10.0.0.0/8, fd00::/8).")
                }
                bits = n
                item = address
            }
            if item.hasPrefix("["), let close = item.firstIndex(of: "]") {
                let after = item[item.index(after: close)...]
                if after.hasPrefix(":") { port = Int(after.dropFirst()) }
                item = String(item[item.index(after: item.startIndex)..<close])
            } else if item.filter({ $0 == ":" }).count == 1, let colon = item.firstIndex(of: ":") {
                port = Int(item[item.index(after: colon)...])
                item = String(item[..<colon])
            }
            while item.hasPrefix(".") { item.removeFirst() }
            if item.hasSuffix(".") { item.removeLast() }
            if !item.isEmpty { entries.append(Entry(host: item, port: port, prefixBits: bits)) }
        }
    }

    func matches(host rawHost: String, port: Int) -> Bool {
        if all { return true }
        var host = rawHost.lowercased()
        if host.hasSuffix(".") { host.removeLast() }
        let hostAddress = Self.address(host)
        for e in entries where e.port == nil || e.port == port {
            if let hostAddress {
                guard let entryAddress = Self.address(e.host), entryAddress.count == hostAddress.count else { continue }
                let bits = min(e.prefixBits ?? entryAddress.count * 8, entryAddress.count * 8)
                if Self.samePrefix(hostAddress, entryAddress, bits: bits) { return true }
            } else if Self.address(e.host) == nil, host == e.host || host.hasSuffix("." + e.host) {
                return true
            }
        }
        return false
    }

    /// The bytes of an IPv4 or IPv6 address, nil for a name.
    static func address(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }

    static func samePrefix(_ a: [UInt8], _ b: [UInt8], bits: Int) -> Bool {
        for i in 0..<(bits / 8) where a[i] != b[i] { return false }
        let rest = bits % 8
        guard rest > 0 else { return true }
        let mask = UInt8(0xFF) << (8 - rest)
        return a[bits / 8] & mask == b[bits / 8] & mask
    }
}

extension HTTPEndpoint {
    /// The proxy's addresses; a name that does not resolve is the proxy variable's fault.
    static func resolve(proxy: HTTPProxy) throws -> [(address: sockaddr_storage, length: socklen_t)] {
        guard
            let endpoint = HTTPEndpoint(
                "http://" + (proxy.host.contains(":") ? "[\(proxy.host)]" : proxy.host) + ":\(proxy.port)")
        else {
            throw EvalGuardError("the proxy in $\(proxy.variable) is not host:port")
        }
        do {
            return try resolve(endpoint)
        } catch {
            throw EvalGuardError.evaluation(
                "cannot resolve the proxy host '\(proxy.host)' named in $\(proxy.variable)",
                hint: "Check $\(proxy.variable), or list the model's host in $NO_PROXY to reach it directly.")
        }
    }
}
