/// Where streamed bytes go, a piece at a time (a file, a git blob, memory).
package typealias ByteSink = (UnsafeRawBufferPointer) throws -> Void

/// Writes JSON the way Foundation's `JSONEncoder` does with `.sortedKeys` and
/// `.withoutEscapingSlashes` (and `.prettyPrinted` when `pretty`), byte for byte, without
/// building the document in memory: bytes gather in a small buffer that goes to `sink` whenever
/// it fills, and at `flush()`. The caller writes an object's keys in sorted order (`JSONEncoder`'s
/// order is the keys' UTF-8 bytes, not String's `<`, which compares normalized text: `"U\u{301}"`
/// comes before `"Y"` by bytes, after it by `<`) and leaves out nil optionals, as `encodeIfPresent` does.
///
/// What "the same bytes" means, as `JSONEncoder` (swift-foundation) writes them: `"key" : value`
/// pretty, `"key":value` compact; two spaces per level; an empty container pretty is
/// `[`, an empty line, and `]` at the container's indentation; numbers are `description` without
/// a trailing `.0`; strings escape `"`, `\`, and control characters (`\b \t \n \f \r`, else
/// `\u00xx` in lower case), nothing else.
package final class JSONStream {
    private let pretty: Bool
    private let sink: ByteSink
    private var buffer: [UInt8] = []
    private let capacity: Int
    /// Elements written so far in each open container, outermost first.
    private var counts: [Int] = []

    package init(pretty: Bool, capacity: Int = 1 << 16, sink: @escaping ByteSink) {
        self.pretty = pretty
        self.capacity = capacity
        self.sink = sink
        buffer.reserveCapacity(capacity)
    }

    /// Hands what is buffered to the sink.
    package func flush() throws {
        guard !buffer.isEmpty else { return }
        try buffer.withUnsafeBytes { try sink($0) }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Ends the document (with a newline when `newline`, as a result file ends) and hands the
    /// rest to the sink.
    package func finish(newline: Bool = false) throws {
        precondition(counts.isEmpty, "a container is still open")
        if newline { buffer.append(0x0A) }
        try flush()
    }

    private func spill() throws {
        if buffer.count >= capacity { try flush() }
    }

    private func append(_ ascii: StaticString) {
        ascii.withUTF8Buffer { buffer.append(contentsOf: $0) }
    }

    private func newline() {
        buffer.append(0x0A)
        for _ in 0..<counts.count {
            buffer.append(0x20)
            buffer.append(0x20)
        }
    }

    // MARK: Containers

    package func beginObject() {
        buffer.append(UInt8(ascii: "{"))
        counts.append(0)
    }
    package func endObject() throws { try end(UInt8(ascii: "}")) }
    package func beginArray() {
        buffer.append(UInt8(ascii: "["))
        counts.append(0)
    }
    package func endArray() throws { try end(UInt8(ascii: "]")) }

    private func end(_ close: UInt8) throws {
        let count = counts.removeLast()
        if pretty {
            if count == 0 { buffer.append(0x0A) }
            newline()
        }
        buffer.append(close)
        try spill()
    }

    /// Starts the next element of the innermost array.
    package func element() {
        if counts[counts.count - 1] > 0 { buffer.append(UInt8(ascii: ",")) }
        counts[counts.count - 1] += 1
        if pretty { newline() }
    }

    /// Starts the value of `name` in the innermost object.
    package func key(_ name: String) {
        element()
        string(name)
        if pretty { append(" : ") } else { buffer.append(UInt8(ascii: ":")) }
    }

    // MARK: Values

    package func null() { append("null") }
    package func bool(_ value: Bool) { value ? append("true") : append("false") }
    package func int(_ value: Int) { buffer.append(contentsOf: String(value).utf8) }

    /// A finite number (JSON has no other); `JSONEncoder` refuses NaN and infinities the same way.
    package func double(_ value: Double) throws {
        guard value.isFinite else {
            throw EncodingError.invalidValue(
                value, .init(codingPath: [], debugDescription: "Unable to encode Double.\(value) directly in JSON."))
        }
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        buffer.append(contentsOf: text.utf8)
    }

    package func string(_ value: String) {
        buffer.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { bytes in
            var start = 0
            for (i, byte) in bytes.enumerated() where byte < 0x20 || byte == 0x22 || byte == 0x5C {
                buffer.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<i]))
                escape(byte)
                start = i + 1
            }
            buffer.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start...]))
        }
        buffer.append(UInt8(ascii: "\""))
    }

    private func escape(_ byte: UInt8) {
        switch byte {
        case 0x22: append("\\\"")
        case 0x5C: append("\\\\")
        case 0x08: append("\\b")
        case 0x09: append("\\t")
        case 0x0A: append("\\n")
        case 0x0C: append("\\f")
        case 0x0D: append("\\r")
        default:
            let hex: [UInt8] = Array("0123456789abcdef".utf8)
            append("\\u00")
            buffer.append(hex[Int(byte >> 4)])
            buffer.append(hex[Int(byte & 0x0F)])
        }
    }

    // MARK: Common shapes

    package func value(_ value: JSONValue) throws {
        switch value {
        case .null: null()
        case .bool(let b): bool(b)
        case .number(let n): try double(n)
        case .string(let s): string(s)
        case .array(let items):
            beginArray()
            for item in items {
                element()
                try self.value(item)
            }
            try endArray()
        case .object(let members): try object(members) { try self.value($0) }
        }
    }

    /// An object of a dictionary's members, keys sorted, each value written by `write`.
    package func object<Value>(_ members: [String: Value], _ write: (Value) throws -> Void) throws {
        beginObject()
        for (name, value) in members.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) {
            key(name)
            try write(value)
        }
        try endObject()
    }

    /// An array of `items`, each written by `write`. The buffer may go to the sink after any
    /// item, not only when a container ends: an array of 100,000 strings (a suite's ids) would
    /// otherwise gather whole.
    package func array<Item>(_ items: some Sequence<Item>, _ write: (Item) throws -> Void) throws {
        beginArray()
        for item in items {
            element()
            try write(item)
            try spill()
        }
        try endArray()
    }
}
