#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension String {
    /// `format` filled in by the C library's printf, as `String(format:)` did for the conversions
    /// evalguard uses (`%.4f`, `%.3g`, `%02x`, `%ld`, `%%`): numbers always with a "." (the C
    /// locale, which evalguard never changes), and without Foundation (see
    /// docs/performance-startup.md). Integers are passed as `Int`, so they take `%ld`, never `%d`.
    package init(cFormat format: String, _ arguments: CVarArg...) {
        var buffer = [CChar](repeating: 0, count: 128)
        while true {
            let count = withVaList(arguments) { vsnprintf(&buffer, buffer.count, format, $0) }
            guard count >= 0 else {
                self = format
                return
            } // only for a malformed format
            if Int(count) < buffer.count {
                self = String(decoding: buffer[..<Int(count)].map { UInt8(bitPattern: $0) }, as: UTF8.self)
                return
            }
            buffer = [CChar](repeating: 0, count: Int(count) + 1)
        }
    }
}
