import EvalGuardConfig
import EvalGuardSupport
import FoundationEssentials

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension ResultStore {
    /// Checks, before any model runs, that a result can be kept: `.evals/results/` and its
    /// `keys/` are directories where they exist, and the deepest of them that exists takes a file
    /// (a probe, written, flushed and removed: an unwritable directory or a full disk shows here).
    /// Found only after the run, the problem would have cost the whole run. Nothing is left
    /// behind: missing directories are made when the result is written.
    package func ensureWritable() throws {
        var deepest = (path: root, relative: ".")
        for relative in [EvalConfig.directory, Self.directory, Self.directory + "/keys"] {
            let path = root + "/" + relative
            var info = stat()
            guard stat(path, &info) == 0 else {
                if errno == ENOENT { break }
                throw Self.failure(
                    "cannot read \(relative): \(String(cString: strerror(errno)))",
                    hint: "Check the permissions of \(relative).")
            }
            guard info.st_mode & S_IFMT == S_IFDIR else {
                throw Self.failure(
                    "\(relative) is not a directory",
                    hint: "Move the file away or remove it (rm \(relative)); evalguard creates the directory itself.")
            }
            deepest = (path, relative)
        }
        try Self.probeWrite(in: deepest.path, relative: deepest.relative)
    }

    private static func failure(_ message: String, hint: String) -> EvalGuardError {
        EvalGuardError("cannot store results: " + message, hint: hint, category: .store)
    }

    private static func probeWrite(in directory: String, relative: String) throws {
        let probe = directory + "/.evalguard-probe-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        var problem: Int32 = 0
        if fd < 0 {
            problem = errno
        } else {
            var byte: UInt8 = 0x0A
            if write(fd, &byte, 1) != 1 || fsync(fd) != 0 { problem = errno }
            close(fd)
            unlink(probe)
        }
        guard problem == 0 else {
            throw failure(
                "cannot write in \(relative): \(String(cString: strerror(problem)))",
                hint:
                    "Make it writable (chmod u+w \(relative)) or free disk space; results are kept in \(ResultStore.directory)."
            )
        }
    }
}
