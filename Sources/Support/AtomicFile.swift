import FoundationEssentials

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes files so that a reader sees the old content or the new, never a half-written file:
/// a temporary file in the same directory, flushed to disk, then renamed over the target.
/// Ctrl-C or SIGTERM during a write stops it at the next piece and removes the temporary file
/// (a result is tens of megabytes: its write takes long enough to be interrupted).
package enum AtomicFile {
    package static func write(_ bytes: [UInt8], to path: String) throws {
        try write(to: path) { sink in try bytes.withUnsafeBytes(sink) }
    }

    package static func write(_ text: String, to path: String) throws {
        try write(Array(text.utf8), to: path)
    }

    /// Writes what `produce` hands to its sink, piece by piece: a large file is never whole in memory.
    package static func write(to path: String, _ produce: (@escaping ByteSink) throws -> Void) throws {
        try write(to: path, category: .store, produce)
    }

    /// A file the user named on the command line (a report, a page, a summary): a path that cannot
    /// take it is theirs to fix (exit 2), said as `cannot write <path>: <reason>`.
    package static func writeOutput(_ text: String, to path: String) throws {
        try writeOutput(Array(text.utf8), to: path)
    }

    package static func writeOutput(_ bytes: [UInt8], to path: String) throws {
        try write(to: path, category: .input) { sink in try bytes.withUnsafeBytes(sink) }
    }

    private static func write(to path: String, category: ErrorCategory, _ produce: (@escaping ByteSink) throws -> Void)
        throws
    {
        func failed(_ reason: String) -> EvalGuardError {
            EvalGuardError("cannot write \(path): \(reason)", category: category)
        }
        let parent = PathText.parent(path)
        let directory = parent.isEmpty ? "." : parent
        if let reason = makeDirectory(directory) { throw failed(reason) }
        let temporary =
            directory + "/." + PathText.lastComponent(path) + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        // Ended after the removal below (defers run last first).
        Interrupts.beginDeferring()
        defer { Interrupts.endDeferring() }
        let fd: Int32
        do {
            fd = try syscall("open") { open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644) }
        } catch {
            throw failed(error.reason)
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
                // Only a non-empty buffer gets here, and its base address is not nil.
                while offset < bytes.count {
                    offset += try syscall("write") {
                        Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                    }
                }
            }
            try syscall("fsync") { fsync(fd) }
            try Interrupts.checkpoint()
        } catch {
            closeDescriptor(fd)
            // A failed write is worded here; what the producer throws (a value JSON cannot hold) is its own.
            guard let failure = error as? SystemCallError else { throw error }
            throw failed(failure.reason)
        }
        do throws(SystemCallError) {
            // Checked: on some file systems a write's failure is only reported by close.
            // Not retried after EINTR: the descriptor is released either way.
            try syscall("close", retryOnInterrupt: false) { close(fd) }
            try syscall("rename") { rename(temporary, path) }
        } catch {
            throw failed(error.reason)
        }
        written = true
    }

    /// Appends `text` to the file at `path` (created when missing), as CI systems expect of a step
    /// summary that other steps write to as well: so not atomic, but a failure is worded like
    /// `writeOutput`'s ("cannot write <path>: <reason>", exit 2).
    package static func appendOutput(_ text: String, to path: String) throws {
        func failed(_ reason: String) -> EvalGuardError {
            EvalGuardError("cannot write \(path): \(reason)", category: .input)
        }
        let parent = PathText.parent(path)
        if let reason = makeDirectory(parent.isEmpty ? "." : parent) { throw failed(reason) }
        let bytes = Array(text.utf8)
        do throws(SystemCallError) {
            let fd = try syscall("open") { open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644) }
            defer { closeDescriptor(fd) }
            var offset = 0
            // Only a non-empty buffer gets here, and its base address is not nil.
            while offset < bytes.count {
                let start = offset
                offset += try syscall("write") {
                    bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + start, $0.count - start) }
                }
            }
        } catch {
            throw failed(error.reason)
        }
    }

    /// Creates `directory` and its missing parents; nil when it is there, else why it cannot be:
    /// which of them is a file, or the system's reason (Foundation's would print its error domain).
    private static func makeDirectory(_ directory: String) -> String? {
        var info = stat()
        if stat(directory, &info) == 0 {
            return info.st_mode & S_IFMT == S_IFDIR ? nil : "\(directory) is a file, not a directory"
        }
        // ENOTDIR: a parent is a file, which the parent's own check names.
        guard errno == ENOENT || errno == ENOTDIR else {
            return "cannot create the directory \(directory): \(SystemCallError.reason(errno))"
        }
        let parent = PathText.parent(directory)
        if !parent.isEmpty, parent != directory, let reason = makeDirectory(parent) { return reason }
        // Another process may have made it meanwhile: that is as good.
        guard mkdir(directory, 0o777) == 0 || errno == EEXIST else {
            return "cannot create the directory \(directory): \(SystemCallError.reason(errno))"
        }
        return nil
    }
}
