#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Why reading a child's pipe to its end stopped before the end.
package enum PipeReadStop: Error {
    /// SIGINT or SIGTERM arrived (`Interrupts.pending`).
    case interrupted
    case failed(SystemCallError)
}

extension Interrupts {
    /// Reads `fd` to its end, waking for a signal too, so that Ctrl-C stops a wait on a child
    /// process (git, a redaction program) that may never end its output.
    package static func readToEnd(_ fd: Int32) throws(PipeReadStop) -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            var watched = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0)]
            if readFD >= 0 { watched.append(pollfd(fd: readFD, events: Int16(POLLIN), revents: 0)) }
            do throws(SystemCallError) {
                _ = try syscall("poll", retryOnInterrupt: false) { poll(&watched, nfds_t(watched.count), -1) }
            } catch  where error.errno == EINTR {
                // A signal: checked below.
            } catch {
                throw .failed(error)
            }
            if pending { throw .interrupted }
            guard watched[0].revents != 0 else { continue }
            let n: Int
            do throws(SystemCallError) {
                n = try syscall("read") { chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) } }
            } catch {
                throw .failed(error)
            }
            if n == 0 { return bytes }
            bytes += chunk[..<n]
        }
    }
}
