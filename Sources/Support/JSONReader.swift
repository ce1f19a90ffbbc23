/// A pull reader over JSON bytes for decoders written by hand (a stored result's cases): values
/// are read straight into the caller's fields, with no tree in between.
///
/// It accepts only the plain forms a writer of evalguard's JSON produces and refuses anything it
/// is not certain another decoder would read the same way (a duplicate or unknown member is the
/// caller's to refuse; here: a surrogate escape, a non-finite or non-integral number where an
/// integer is wanted, invalid UTF-8). A refusal is not an error to show: the caller then reads the
/// document the slow, general way, which decides.
package struct JSONReader {
    package struct Refused: Error {
        package init() {}
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    package private(set) var index: Int

    package init(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int = 0) {
        self.bytes = bytes
        self.index = index
    }

    package var atEnd: Bool { index >= bytes.count }

    package mutating func skipSpace() {
        while index < bytes.count,
            bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09
        { index += 1 }
    }

    /// The next byte after white space, not consumed.
    package mutating func peek() -> UInt8? {
        skipSpace()
        return index < bytes.count ? bytes[index] : nil
    }

    package mutating func expect(_ byte: UInt8) throws(Refused) {
        guard peek() == byte else { throw Refused() }
        index += 1
    }

    /// `null`, consumed when it is next.
    package mutating func null() -> Bool {
        guard peek() == UInt8(ascii: "n"), index + 4 <= bytes.count, bytes[index + 1] == UInt8(ascii: "u"),
            bytes[index + 2] == UInt8(ascii: "l"), bytes[index + 3] == UInt8(ascii: "l")
        else { return false }
        index += 4
        return true
    }

    package mutating func bool() throws(Refused) -> Bool {
        func word(_ text: StaticString) -> Bool {
            let n = text.utf8CodeUnitCount
            guard index + n <= bytes.count else { return false }
            for i in 0..<n where bytes[index + i] != text.utf8Start[i] { return false }
            index += n
            return true
        }
        skipSpace()
        if word("true") { return true }
        if word("false") { return false }
        throw Refused()
    }

    /// A number by JSON's grammar, as the nearest double; a finite one only.
    package mutating func double() throws(Refused) -> Double {
        let (start, _) = try number()
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        guard let value = Double(text), value.isFinite else { throw Refused() }
        return value
    }

    /// A number written as an integer (no fraction, no exponent) that fits an `Int`.
    package mutating func int() throws(Refused) -> Int {
        let (start, integral) = try number()
        guard integral,
            let value = Int(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self))
        else { throw Refused() }
        return value
    }

    /// Checks JSON's number grammar; returns where it starts and whether it is written as an integer.
    private mutating func number() throws(Refused) -> (Int, Bool) {
        skipSpace()
        let start = index
        func digits() -> Int {
            let from = index
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 { index += 1 }
            return index - from
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
        let first = index
        guard digits() > 0, bytes[first] != 0x30 || index == first + 1 else { throw Refused() }
        var integral = true
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard digits() > 0 else { throw Refused() }
            integral = false
        }
        if index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                index += 1
            }
            guard digits() > 0 else { throw Refused() }
            integral = false
        }
        return (start, integral)
    }

    /// A string that is a lowercase blob id (40 hexadecimal digits, no escape), as its 20 bytes;
    /// nil, with nothing consumed, for any other value.
    package mutating func objectID() -> ObjectID? {
        guard peek() == UInt8(ascii: "\""), index + 41 < bytes.count, bytes[index + 41] == UInt8(ascii: "\""),
            let id = ObjectID(hex40: UnsafeBufferPointer(rebasing: bytes[index + 1..<index + 41]))
        else { return nil }
        index += 42
        return id
    }

    /// A string, its escapes decoded; valid UTF-8 only, and no escaped surrogate.
    package mutating func string() throws(Refused) -> String {
        try expect(UInt8(ascii: "\""))
        let start = index
        var escaped = false
        var ascii = true
        while index < bytes.count {
            let c = bytes[index]
            if c == UInt8(ascii: "\"") { break }
            if c < 0x20 { throw Refused() }
            if c >= 0x80 { ascii = false }
            if c == UInt8(ascii: "\\") {
                escaped = true
                index += 1
            }
            index += 1
        }
        guard index < bytes.count else { throw Refused() }
        let raw = UnsafeBufferPointer(rebasing: bytes[start..<index])
        index += 1
        guard escaped else {
            // ASCII is valid UTF-8 as it stands: no validation (most ids and digests).
            if ascii { return String(decoding: raw, as: UTF8.self) }
            guard let text = String(validating: raw, as: UTF8.self) else { throw Refused() }
            return text
        }
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var i = 0
        while i < raw.count {
            let c = raw[i]
            i += 1
            guard c == UInt8(ascii: "\\") else {
                out.append(c)
                continue
            }
            let e = raw[i]
            i += 1
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                guard i + 4 <= raw.count,
                    raw[i..<i + 4].allSatisfy({
                        ($0 | 0x20) >= 0x61 && ($0 | 0x20) <= 0x66 || ($0 >= 0x30 && $0 <= 0x39)
                    }),
                    let code = UInt32(
                        String(decoding: UnsafeBufferPointer(rebasing: raw[i..<i + 4]), as: UTF8.self), radix: 16),
                    !(0xD800...0xDFFF).contains(code), let scalar = Unicode.Scalar(code)
                else { throw Refused() }
                out.append(contentsOf: String(Character(scalar)).utf8)
                i += 4
            default: throw Refused()
            }
        }
        guard let text = String(validating: out, as: UTF8.self) else { throw Refused() }
        return text
    }

    /// The members of an object: `member` is called with each name and must read its value.
    package mutating func object(_ member: (inout JSONReader, String) throws(Refused) -> Void) throws(Refused) {
        try expect(UInt8(ascii: "{"))
        if peek() == UInt8(ascii: "}") {
            index += 1
            return
        }
        while true {
            let name = try string()
            try expect(UInt8(ascii: ":"))
            try member(&self, name)
            switch peek() {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"):
                index += 1
                return
            default: throw Refused()
            }
        }
    }

    /// Reads an object, skipping every member but `name`, which `body` reads (and those
    /// `others` reads, when given: it must read or skip each value it is handed); a second
    /// `name` is refused. Returns whether `name` was there.
    @discardableResult
    package mutating func object(
        member name: String, others: ((inout JSONReader, String) throws(Refused) -> Void)? = nil,
        _ body: (inout JSONReader) throws(Refused) -> Void
    ) throws(Refused) -> Bool {
        var seen = false
        try object { r, key throws(Refused) in
            guard key == name else {
                if let others { return try others(&r, key) }
                return try r.skipValue()
            }
            guard !seen else { throw Refused() }
            seen = true
            try body(&r)
        }
        return seen
    }

    /// Reads a whole document, an object, as `object(member:)` does; anything after it is refused.
    package mutating func document(
        member name: String, others: ((inout JSONReader, String) throws(Refused) -> Void)? = nil,
        _ body: (inout JSONReader) throws(Refused) -> Void
    ) throws(Refused) {
        try object(member: name, others: others, body)
        skipSpace()
        guard atEnd else { throw Refused() }
    }

    /// Has `body` read a value that must open with `open` (`[` or `{`), and returns the range
    /// between its brackets: what `removing(_:from:)` cuts out of the document.
    package mutating func bracketed(_ open: UInt8, _ body: (inout JSONReader) throws(Refused) -> Void) throws(Refused)
        -> Range<Int>
    {
        guard peek() == open else { throw Refused() }
        let start = index
        try body(&self)
        return start + 1..<index - 1
    }

    /// The elements of an array: `element` is called for each and must read it.
    package mutating func array(_ element: (inout JSONReader) throws(Refused) -> Void) throws(Refused) {
        try expect(UInt8(ascii: "["))
        if peek() == UInt8(ascii: "]") {
            index += 1
            return
        }
        while true {
            try element(&self)
            switch peek() {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"):
                index += 1
                return
            default: throw Refused()
            }
        }
    }

    /// Passes over one value, its brackets matched and its strings whole, checking no more: a
    /// value skipped here is read by the general decoder afterwards, which checks it.
    package mutating func skipValue() throws(Refused) {
        guard let first = peek() else { throw Refused() }
        guard first == UInt8(ascii: "{") || first == UInt8(ascii: "[") else {
            if first == UInt8(ascii: "\"") {
                _ = try skipString()
                return
            }
            // A literal or a number: up to the next delimiter.
            while index < bytes.count, !",]} \n\r\t".utf8.contains(bytes[index]) { index += 1 }
            return
        }
        var depth = 0
        while index < bytes.count {
            let c = bytes[index]
            if c == UInt8(ascii: "\"") {
                _ = try skipString()
                continue
            }
            if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") { depth += 1 }
            if c == UInt8(ascii: "}") || c == UInt8(ascii: "]") { depth -= 1 }
            index += 1
            if depth == 0 { return }
        }
        throw Refused()
    }

    private mutating func skipString() throws(Refused) -> Int {
        index += 1
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\""):
                index += 1
                return index
            case UInt8(ascii: "\\"): index += 2
            default: index += 1
            }
        }
        throw Refused()
    }
}

extension JSONReader {
    /// `bytes` without the ranges `cuts` (in order, not overlapping): the document around the
    /// parts read by hand, for the decoder that reads the rest.
    package static func removing(_ cuts: [Range<Int>], from bytes: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var rest: [UInt8] = []
        rest.reserveCapacity(bytes.count - cuts.reduce(0) { $0 + $1.count })
        var from = 0
        for cut in cuts {
            rest.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[from..<cut.lowerBound]))
            from = cut.upperBound
        }
        rest.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[from...]))
        return rest
    }
}
