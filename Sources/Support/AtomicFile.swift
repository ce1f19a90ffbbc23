import Foundation

/// Writes files so that a reader sees the old content or the new, never a half-written file:
/// a temporary file in the same directory, flushed to disk, then renamed over the target.
/// Ctrl-C or SIGTERM during a write stops it at the next piece and removes the temporary file
/// (a result is tens of megabytes: its write takes long enough to be interrupted).
package enum AtomicFile {
    package static func write(_ bytes: [UInt8], to path: String) throws {
        try write(to: path) { sink in try bytes.withUnsafeBytes(sink) }
    }

    /// Writes what `produce` hands to its sink, piece by piece: a large file is never whole in memory.
    package static func write(to path: String, _ produce: (@escaping ByteSink) throws -> Void) throws {
        let directory = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            let reason = (error as NSError).userInfo[NSUnderlyingErrorKey].map { ($0 as? NSError)?.localizedDescription ?? "\($0)" }
            throw EvalGuardError("cannot create the directory \(directory): \(reason ?? error.localizedDescription)", category: .store)
        }
        let temporary = directory + "/." + (path as NSString).lastPathComponent + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        // Ended after the removal below (defers run last first).
        Interrupts.beginDeferring()
        defer { Interrupts.endDeferring() }
        let fd: Int32
        do {
            fd = try syscall("open") { open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644) }
        } catch {
            throw EvalGuardError("cannot create \(temporary): \(error.reason)", category: .store)
        }
        var written = false
        defer {
            // May be ignored: the temporary file may not exist any more, and the error that
            // matters is the one thrown.
            if !written { _ = unlink(temporary) }
        }
        do {
            try produce { bytes in
                try Interrupts.checkpoint()
                var offset = 0
                while offset < bytes.count {
                    offset += try syscall("write") { Foundation.write(fd, bytes.baseAddress! + offset, bytes.count - offset) }
                }
            }
            try syscall("fsync") { fsync(fd) }
            try Interrupts.checkpoint()
        } catch {
            closeDescriptor(fd)
            // A failed write is worded here; what the producer throws (a value JSON cannot hold) is its own.
            guard let failure = error as? SystemCallError else { throw error }
            throw EvalGuardError("cannot write \(path): \(failure.reason)", category: .store)
        }
        do throws(SystemCallError) {
            // Checked: on some file systems a write's failure is only reported by close.
            // Not retried after EINTR: the descriptor is released either way.
            try syscall("close", retryOnInterrupt: false) { close(fd) }
            try syscall("rename") { rename(temporary, path) }
        } catch {
            throw EvalGuardError("cannot write \(path): \(error.reason)", category: .store)
        }
        written = true
    }

    package static func write(_ text: String, to path: String) throws {
        try write(Array(text.utf8), to: path)
    }
}
