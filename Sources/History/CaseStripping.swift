import Foundation

/// A result file with every `"cases": [...]` array emptied, for readers that need only the
/// figures (`ResultSummary`). A result is mostly its cases: JSONDecoder would parse all of them
/// into its own tree before the summary's fields were read, so `log` over large results spent
/// its time on cases it never shows. This scan only matches brackets and skips strings.
enum CaseStripping {
    static func strip(_ data: Data) -> Data {
        data.withUnsafeBytes { raw -> Data in
            let bytes = raw.bindMemory(to: UInt8.self)
            guard !bytes.isEmpty else { return data }
            var out = Data()
            out.reserveCapacity(min(bytes.count, 1 << 16))
            var copiedUpTo = 0
            var i = 0
            let n = bytes.count
            let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\")
            /// The index after the string that starts at `start` (a quote).
            let base = bytes.baseAddress!
            /// The next quote at or after `start` (memchr: strings are most of a result), or n.
            func nextQuote(_ start: Int) -> Int {
                guard start < n, let found = memchr(base + start, Int32(quote), n - start) else { return n }
                return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
            }
            func endOfString(_ start: Int) -> Int {
                var j = nextQuote(start + 1)
                while j < n {
                    // A quote ends the string unless an odd number of backslashes escapes it.
                    var escapes = 0
                    while bytes[j - 1 - escapes] == backslash { escapes += 1 }
                    if escapes % 2 == 0 { return j + 1 }
                    j = nextQuote(j + 1)
                }
                return n
            }
            func skipSpace(_ start: Int) -> Int {
                var j = start
                while j < n, bytes[j] == 0x20 || bytes[j] == 0x0A || bytes[j] == 0x0D || bytes[j] == 0x09 { j += 1 }
                return j
            }
            let key = Array("\"cases\"".utf8)
            while i < n {
                i = nextQuote(i)
                guard i < n else { break }
                let end = endOfString(i)
                guard end - i == key.count, (0..<key.count).allSatisfy({ bytes[i + $0] == key[$0] }) else { i = end; continue }
                var j = skipSpace(end)
                guard j < n, bytes[j] == UInt8(ascii: ":") else { i = end; continue }
                j = skipSpace(j + 1)
                guard j < n, bytes[j] == UInt8(ascii: "[") else { i = end; continue }
                // Skip the array: brackets and braces balance outside strings.
                var depth = 0
                var k = j
                while k < n {
                    let b = bytes[k]
                    if b == quote { k = endOfString(k); continue }
                    if b == UInt8(ascii: "[") || b == UInt8(ascii: "{") { depth += 1 }
                    if b == UInt8(ascii: "]") || b == UInt8(ascii: "}") {
                        depth -= 1
                        if depth == 0 { k += 1; break }
                    }
                    k += 1
                }
                out.append(UnsafeBufferPointer(rebasing: bytes[copiedUpTo..<j]))
                out.append(contentsOf: [UInt8(ascii: "["), UInt8(ascii: "]")])
                copiedUpTo = k
                i = k
            }
            if copiedUpTo == 0 { return data }
            out.append(UnsafeBufferPointer(rebasing: bytes[copiedUpTo..<n]))
            return out
        }
    }
}
