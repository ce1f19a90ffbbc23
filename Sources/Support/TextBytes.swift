/// Text files as evalguard reads them (configuration, case files, baseline, prices): a leading
/// UTF-8 byte-order mark is skipped, as editors on Windows write one; bytes that are not UTF-8 are
/// refused with the line and column, never silently replaced by U+FFFD.
package enum TextBytes {
    static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

    /// How many leading bytes are a byte-order mark (0 or 3).
    package static func byteOrderMarkLength<Bytes: Collection>(_ bytes: Bytes) -> Int where Bytes.Element == UInt8 {
        bytes.starts(with: byteOrderMark) ? byteOrderMark.count : 0
    }

    /// The offset of the first byte that does not belong to well-formed UTF-8 (no overlong forms,
    /// no surrogates, nothing beyond U+10FFFF), or nil when all of it is well-formed.
    package static func firstInvalidUTF8<Bytes: RandomAccessCollection>(_ bytes: Bytes) -> Int?
    where Bytes.Element == UInt8, Bytes.Index == Int {
        var i = bytes.startIndex
        let end = bytes.endIndex
        while i < end {
            let b = bytes[i]
            if b < 0x80 {
                i += 1
                continue
            }
            let length: Int
            let low: UInt8
            let high: UInt8
            switch b {
            case 0xC2...0xDF: (length, low, high) = (2, 0x80, 0xBF)
            case 0xE0: (length, low, high) = (3, 0xA0, 0xBF)
            case 0xED: (length, low, high) = (3, 0x80, 0x9F)
            case 0xE1...0xEC, 0xEE...0xEF: (length, low, high) = (3, 0x80, 0xBF)
            case 0xF0: (length, low, high) = (4, 0x90, 0xBF)
            case 0xF1...0xF3: (length, low, high) = (4, 0x80, 0xBF)
            case 0xF4: (length, low, high) = (4, 0x80, 0x8F)
            default: return i - bytes.startIndex
            }
            guard i + length <= end, (low...high).contains(bytes[i + 1]) else { return i - bytes.startIndex }
            for k in 2..<length where !(0x80...0xBF).contains(bytes[i + k]) { return i - bytes.startIndex }
            i += length
        }
        return nil
    }

    /// The file's text without a byte-order mark; `displayPath` names it in the error for bytes
    /// that are not UTF-8.
    package static func decode(_ bytes: [UInt8], displayPath: String) throws -> String {
        let body = bytes[byteOrderMarkLength(bytes)...]
        if let offset = firstInvalidUTF8(body) {
            let before = body[..<(body.startIndex + offset)]
            let lineStart = before.lastIndex(of: 0x0A).map { $0 + 1 } ?? body.startIndex
            throw EvalGuardError(
                invalidMessage, file: displayPath, line: before.count(where: { $0 == 0x0A }) + 1,
                column: body.startIndex + offset - lineStart + 1, hint: invalidHint)
        }
        return String(decoding: body, as: UTF8.self)
    }

    package static let invalidMessage = "not valid UTF-8 text"
    package static let invalidHint = "Save the file as UTF-8 (a byte-order mark is allowed)."
}
