/// A git object id (SHA-1) held as its 20 raw bytes: 20 bytes in place, where its 40-character
/// hexadecimal text is a heap string of about 80. Commits, trees and blobs are named by it in
/// history walks (`Git`), and results keep three per case (input, scoring and output blob ids),
/// so at 100,000 cases the text form alone was 24 MB.
package struct ObjectID: Hashable, Sendable {
    // Five words rather than an array: stored inline, alignment 4, so three pack into 60 bytes.
    private var w0: UInt32, w1: UInt32, w2: UInt32, w3: UInt32, w4: UInt32

    /// All zero bits: a placeholder where a digest is absent.
    package static let zero = ObjectID(w0: 0, w1: 0, w2: 0, w3: 0, w4: 0)

    private init(w0: UInt32, w1: UInt32, w2: UInt32, w3: UInt32, w4: UInt32) {
        (self.w0, self.w1, self.w2, self.w3, self.w4) = (w0, w1, w2, w3, w4)
    }

    /// From 20 raw bytes (a `git_oid`'s, or a commit-graph file's), in order.
    package init(bytes raw: UnsafeRawBufferPointer) {
        precondition(raw.count == 20, "an object id is 20 bytes")
        (w0, w1, w2, w3, w4) = (
            raw.loadUnaligned(fromByteOffset: 0, as: UInt32.self),
            raw.loadUnaligned(fromByteOffset: 4, as: UInt32.self),
            raw.loadUnaligned(fromByteOffset: 8, as: UInt32.self),
            raw.loadUnaligned(fromByteOffset: 12, as: UInt32.self),
            raw.loadUnaligned(fromByteOffset: 16, as: UInt32.self)
        )
    }

    /// From the 40-character lowercase hexadecimal form that `hex` writes; nil for anything
    /// else (upper case included), so that `ObjectID(hex: s)?.hex == s` always holds.
    package init?(hex: String) { self.init(hexUTF8: hex.utf8) }

    /// `init(hex:)` from the text's UTF-8 bytes, wherever they lie (a stored result being read).
    package init?<Bytes: Sequence<UInt8>>(hexUTF8: Bytes) {
        var bytes = (UInt64(0), UInt64(0), UInt32(0))
        let ok = withUnsafeMutableBytes(of: &bytes) { out -> Bool in
            var count = 0
            var high: UInt8 = 0
            for c in hexUTF8 {
                guard count < 40 else { return false }
                let nibble: UInt8
                switch c {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = c - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = c - UInt8(ascii: "a") + 10
                default: return false
                }
                if count & 1 == 0 { high = nibble << 4 } else { out[count >> 1] = high | nibble }
                count += 1
            }
            return count == 40
        }
        guard ok else { return nil }
        self = withUnsafeBytes(of: &bytes) { ObjectID(bytes: UnsafeRawBufferPointer(rebasing: $0[0..<20])) }
    }

    /// `init(hexUTF8:)` for 40 bytes in memory, as a stored result's reader finds three per
    /// case: two digits a byte, with no iterator and one check for the whole id.
    package init?(hex40 text: UnsafeBufferPointer<UInt8>) {
        guard text.count == 40, let base = text.baseAddress else { return nil }
        /// A digit's value, or 16 or more for any byte that is not 0-9 or a-f.
        @inline(__always) func nibble(_ c: UInt8) -> UInt32 {
            let digit = UInt32(c) &- 0x30
            let letter = UInt32(c) &- 0x61
            return digit < 10 ? digit : letter < 6 ? letter + 10 : 0x100
        }
        var words: (UInt32, UInt32, UInt32, UInt32, UInt32) = (0, 0, 0, 0, 0)
        var invalid: UInt32 = 0
        withUnsafeMutableBytes(of: &words) { out in
            for i in 0..<20 {
                let high = nibble(base[2 * i])
                let low = nibble(base[2 * i + 1])
                invalid |= high | low
                out[i] = UInt8(truncatingIfNeeded: high << 4 | low)
            }
        }
        guard invalid < 16 else { return nil }
        (w0, w1, w2, w3, w4) = words
    }

    /// Calls `body` with the 20 raw bytes.
    package func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        var words = (w0, w1, w2, w3, w4)
        return try withUnsafeBytes(of: &words, body)
    }

    /// The 40-character lowercase hexadecimal form (what `git hash-object` prints).
    package var hex: String {
        withBytes { raw in
            String(unsafeUninitializedCapacity: 40) { out in
                let digits: StaticString = "0123456789abcdef"
                let table = digits.utf8Start
                for (i, byte) in raw.enumerated() {
                    out[2 * i] = table[Int(byte >> 4)]
                    out[2 * i + 1] = table[Int(byte & 0x0F)]
                }
                return 40
            }
        }
    }
}
