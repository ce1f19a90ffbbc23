import Foundation

/// Writes files so that a reader sees the old content or the new, never a half-written file:
/// a temporary file in the same directory, flushed to disk, then renamed over the target.
package enum AtomicFile {
    package static func write(_ bytes: [UInt8], to path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            let reason = (error as NSError).userInfo[NSUnderlyingErrorKey].map { ($0 as? NSError)?.localizedDescription ?? "\($0)" }
            throw EvalGuardError("cannot create the directory \(directory): \(reason ?? error.localizedDescription)", category: .store)
        }
        let temporary = directory + "/." + (path as NSString).lastPathComponent + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd: Int32
        do {
            fd = try syscall("open") { open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644) }
        } catch {
            throw EvalGuardError("cannot create \(temporary): \(error.reason)", category: .store)
        }
        do throws(SystemCallError) {
            do throws(SystemCallError) {
                var offset = 0
                while offset < bytes.count {
                    offset += try syscall("write") {
                        bytes.withUnsafeBytes { Foundation.write(fd, $0.baseAddress! + offset, $0.count - offset) }
                    }
                }
                try syscall("fsync") { fsync(fd) }
            } catch {
                closeDescriptor(fd)
                throw error
            }
            // Checked: on some file systems a write's failure is only reported by close.
            // Not retried after EINTR: the descriptor is released either way.
            try syscall("close", retryOnInterrupt: false) { close(fd) }
            try syscall("rename") { rename(temporary, path) }
        } catch {
            // May be ignored: the temporary file may not exist any more, and the error that
            // matters is the one reported below.
            _ = unlink(temporary)
            throw EvalGuardError("cannot write \(path): \(error.reason)", category: .store)
        }
    }

    package static func write(_ text: String, to path: String) throws {
        try write(Array(text.utf8), to: path)
    }
}
