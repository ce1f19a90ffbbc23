// libFuzzer target: an HTTP/1.1 response as it arrives from a socket (Content-Length, chunked,
// or closed), fed in pieces whose size the first byte picks, then at end of stream.
@testable import EvalGuardRunner

@_cdecl("LLVMFuzzerTestOneInput")
func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size > 0 else { return 0 }
    let piece = Int(data[0]) + 1
    let bytes = UnsafeRawBufferPointer(start: data + 1, count: size - 1)
    var parser = HTTPResponseParser()
    var offset = 0
    do {
        while offset < bytes.count {
            let end = min(offset + piece, bytes.count)
            parser.append(UnsafeRawBufferPointer(rebasing: bytes[offset..<end]))
            offset = end
            if let (_, keepAlive) = try parser.complete(atEOF: false) {
                guard keepAlive else { return 0 }
                parser.reset()
            }
        }
        _ = try parser.complete(atEOF: true)
    } catch {
        precondition(!error.message.isEmpty)
    }
    return 0
}
