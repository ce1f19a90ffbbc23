import EvalGuardSupport
import FoundationEssentials

/// One HTTP answer, whatever carried it.
struct HTTPResponse: Sendable {
    var status: Int
    var reason: String
    /// Names in lower case.
    var headers: [String: String]
    var body: [UInt8]
}

/// What became of one request: an answer (of any status), or no answer at all.
enum HTTPOutcome: Sendable {
    case response(HTTPResponse)
    /// The request never got an answer: refused, reset, closed early, unreachable. Worth a retry.
    case failed(String)
    /// The answer began but the connection closed before its end ("after 209 of 249 body
    /// bytes"). Worth a retry.
    case cutOff(String)
    /// A failure no retry can fix (the server's certificate is not trusted): the run stops.
    case fatal(String)
}

/// Reads an HTTP/1.1 response from bytes as they arrive: `Content-Length`, chunked, or delimited
/// by the connection closing. Interim 1xx responses are skipped.
struct HTTPResponseParser {
    private(set) var buffer: [UInt8] = []
    private var headerEnd: Int?
    private var head: (status: Int, reason: String, headers: [String: String], keepAlive: Bool)?

    struct Malformed: Error {
        var message: String
        /// Set when the bytes were fine but stopped early: how far they got.
        var cutOff: String? = nil
    }

    var isEmpty: Bool { buffer.isEmpty }

    mutating func reset() {
        buffer.removeAll(keepingCapacity: true)
        headerEnd = nil
        head = nil
    }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        buffer.append(contentsOf: bytes)
    }

    /// The response once it is complete; `atEOF` when the peer has closed the connection.
    /// The Bool says whether the connection may carry another request.
    mutating func complete(atEOF: Bool) throws(Malformed) -> (HTTPResponse, keepAlive: Bool)? {
        while head == nil {
            guard let end = Self.find([13, 10, 13, 10], in: buffer, from: 0) else {
                if buffer.count > 65_536 { throw Malformed(message: "response headers longer than 64 KiB") }
                if atEOF, !buffer.isEmpty {
                    throw Malformed(
                        message: "the connection closed in the headers",
                        cutOff: "after \(buffer.count) bytes, in the headers")
                }
                return nil
            }
            let parsed = try Self.parseHead(buffer[..<end])
            if (100..<200).contains(parsed.status) {
                buffer.removeFirst(end + 4)
                continue
            }
            head = parsed
            headerEnd = end + 4
        }
        guard let head, let start = headerEnd else { return nil }
        let (status, reason, headers, keepAlive) = head
        if headers["transfer-encoding"]?.lowercased().contains("chunked") == true {
            guard let body = try Self.dechunk(buffer, from: start) else {
                if atEOF {
                    throw Malformed(
                        message: "the connection closed in the middle of a chunked body",
                        cutOff: "after \(buffer.count - start) bytes of a chunked body")
                }
                return nil
            }
            return (HTTPResponse(status: status, reason: reason, headers: headers, body: body), keepAlive)
        }
        if let lengthText = headers["content-length"] {
            guard let length = Int(lengthText.trimmingWhitespace()), length >= 0 else {
                throw Malformed(message: "bad Content-Length '\(lengthText)'")
            }
            guard buffer.count - start >= length else {
                if atEOF {
                    throw Malformed(
                        message: "the connection closed after \(buffer.count - start) of \(length) body bytes",
                        cutOff: "after \(buffer.count - start) of \(length) body bytes")
                }
                return nil
            }
            return (
                HTTPResponse(
                    status: status, reason: reason, headers: headers, body: Array(buffer[start..<start + length])),
                keepAlive
            )
        }
        if status == 204 || status == 304 {
            return (HTTPResponse(status: status, reason: reason, headers: headers, body: []), keepAlive)
        }
        guard atEOF else { return nil }
        return (HTTPResponse(status: status, reason: reason, headers: headers, body: Array(buffer[start...])), false)
    }

    private static func parseHead(_ bytes: ArraySlice<UInt8>) throws(Malformed) -> (
        status: Int, reason: String, headers: [String: String], keepAlive: Bool
    ) {
        let lines = bytes.split(separator: 10, omittingEmptySubsequences: false).map { line in
            String(decoding: line.last == 13 ? line.dropLast() : line, as: UTF8.self)
        }
        let statusLine = lines[0].split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard statusLine.count >= 2, statusLine[0].hasPrefix("HTTP/"), let status = Int(statusLine[1]) else {
            throw Malformed(message: "not an HTTP response: '\(lines[0].prefix(80))'")
        }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingWhitespace()
        }
        let connection = headers["connection"]?.lowercased() ?? ""
        let keepAlive = statusLine[0] == "HTTP/1.0" ? connection.contains("keep-alive") : !connection.contains("close")
        return (status, statusLine.count > 2 ? String(statusLine[2]) : "", headers, keepAlive)
    }

    /// The body of a complete chunked message, or nil while more bytes are needed.
    private static func dechunk(_ buffer: [UInt8], from start: Int) throws(Malformed) -> [UInt8]? {
        var body: [UInt8] = []
        var i = start
        while true {
            guard let lineEnd = find([13, 10], in: buffer, from: i) else { return nil }
            let sizeText = String(decoding: buffer[i..<lineEnd], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText.trimmingWhitespace(), radix: 16), size >= 0, size < 1 << 40 else {
                throw Malformed(message: "bad chunk size '\(sizeText.prefix(20))'")
            }
            i = lineEnd + 2
            if size == 0 {
                // Trailers, then an empty line.
                while true {
                    guard let end = find([13, 10], in: buffer, from: i) else { return nil }
                    if end == i { return body }
                    i = end + 2
                }
            }
            guard buffer.count - i >= size + 2 else { return nil }
            body.append(contentsOf: buffer[i..<i + size])
            i += size + 2
        }
    }

    private static func find(_ needle: [UInt8], in buffer: [UInt8], from start: Int) -> Int? {
        guard buffer.count >= needle.count else { return nil }
        var i = start
        while i <= buffer.count - needle.count {
            if buffer[i] == needle[0] {
                var j = 1
                while j < needle.count, buffer[i + j] == needle[j] { j += 1 }
                if j == needle.count { return i }
            }
            i += 1
        }
        return nil
    }
}
