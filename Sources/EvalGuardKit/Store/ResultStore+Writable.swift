import Foundation

extension ResultStore {
    /// Checks, before any model runs, that a result can be kept: `.evals/results/` and its
    /// `keys/` are directories (made when missing) that accept a file. Found only after the run,
    /// the problem would have cost the whole run.
    public func ensureWritable() throws {
        for relative in [EvalConfig.directory, Self.directory, Self.directory + "/keys"] {
            try Self.ensureDirectory(root + "/" + relative, relative: relative)
        }
        for relative in [Self.directory, Self.directory + "/keys"] {
            try Self.probeWrite(in: root + "/" + relative, relative: relative)
        }
    }

    private static func failure(_ message: String, hint: String) -> EvalGuardError {
        EvalGuardError("cannot store results: " + message, hint: hint, category: .store)
    }

    private static func ensureDirectory(_ path: String, relative: String) throws {
        if mkdir(path, 0o755) != 0, errno != EEXIST {
            throw failure("cannot create \(relative): \(String(cString: strerror(errno)))",
                          hint: "Make \((relative as NSString).deletingLastPathComponent) writable, or free disk space.")
        }
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw failure("cannot read \(relative): \(String(cString: strerror(errno)))", hint: "Check the permissions of \(relative).")
        }
        guard info.st_mode & S_IFMT == S_IFDIR else {
            throw failure("\(relative) is not a directory",
                          hint: "Move the file away or remove it (rm \(relative)); evalguard creates the directory itself.")
        }
    }

    /// Writes and removes one byte, flushed to disk: an unwritable directory or a full disk shows here.
    private static func probeWrite(in directory: String, relative: String) throws {
        let probe = directory + "/.probe-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
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
            throw failure("cannot write in \(relative): \(String(cString: strerror(problem)))",
                          hint: "Make it writable (chmod -R u+w \(ResultStore.directory)) or free disk space; results are kept there.")
        }
    }
}
