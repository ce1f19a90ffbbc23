extension String {
    /// The text of a NUL-terminated C buffer that C code filled in (an error message).
    package init(cBuffer buffer: [CChar]) {
        self.init(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
