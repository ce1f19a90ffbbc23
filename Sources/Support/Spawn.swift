import CSpawn

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// How a child process ended.
package enum ProcessExit: Equatable, Sendable {
    case exited(Int32)
    case signalled(Int32)

    /// The exit status, or the signal's number for a killed process (what Foundation's
    /// `Process.terminationStatus` reported).
    package var status: Int32 {
        switch self {
        case .exited(let s), .signalled(let s): s
        }
    }
}

/// posix_spawn of `command` (searched on PATH) with `stdin`, `stdout` and `stderr` on 0, 1 and 2,
/// in `directory`, leading its own process group (so Ctrl-C at a terminal reaches evalguard
/// alone, and stopping the group stops what the child started), with SIGPIPE, SIGINT and SIGTERM
/// at their defaults and no signal blocked. `environment` nil passes evalguard's own.
package func spawnProcess(
    _ command: [String], directory: String, environment: [String: String]? = nil,
    stdin: Int32, stdout: Int32, stderr: Int32
) throws(SystemCallError) -> pid_t {
    var actions = posix_spawn_file_actions_t()
    try syscallReturningError("posix_spawn_file_actions_init") { posix_spawn_file_actions_init(&actions) }
    defer { _ = posix_spawn_file_actions_destroy(&actions) } // may be ignored: fails only for an uninitialised object
    try syscallReturningError("posix_spawn_file_actions_adddup2") {
        posix_spawn_file_actions_adddup2(&actions, stdin, 0)
    }
    try syscallReturningError("posix_spawn_file_actions_adddup2") {
        posix_spawn_file_actions_adddup2(&actions, stdout, 1)
    }
    try syscallReturningError("posix_spawn_file_actions_adddup2") {
        posix_spawn_file_actions_adddup2(&actions, stderr, 2)
    }
    try syscallReturningError("posix_spawn_file_actions_addchdir_np") {
        evalguard_spawn_file_actions_addchdir(&actions, directory)
    }

    var attributes = posix_spawnattr_t()
    try syscallReturningError("posix_spawnattr_init") { posix_spawnattr_init(&attributes) }
    defer { _ = posix_spawnattr_destroy(&attributes) } // may be ignored: as above
    var defaults = sigset_t()
    var empty = sigset_t()
    // sigemptyset/sigaddset may be ignored: they fail only for an invalid signal number.
    sigemptyset(&defaults)
    for s in [SIGPIPE, SIGINT, SIGTERM] { sigaddset(&defaults, s) }
    sigemptyset(&empty)
    try syscallReturningError("posix_spawnattr_setsigdefault") { posix_spawnattr_setsigdefault(&attributes, &defaults) }
    try syscallReturningError("posix_spawnattr_setsigmask") { posix_spawnattr_setsigmask(&attributes, &empty) }
    try syscallReturningError("posix_spawnattr_setpgroup") { posix_spawnattr_setpgroup(&attributes, 0) }
    try syscallReturningError("posix_spawnattr_setflags") {
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
    }

    var argv: [UnsafeMutablePointer<CChar>?] = command.map { strdup($0) } + [nil]
    defer { for p in argv { free(p) } }
    var child: pid_t = 0
    guard let environment else {
        try syscallReturningError("posix_spawnp") {
            posix_spawnp(&child, command[0], &actions, &attributes, &argv, environ)
        }
        return child
    }
    var envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup($0.key + "=" + $0.value) } + [nil]
    defer { for p in envp { free(p) } }
    try syscallReturningError("posix_spawnp") { posix_spawnp(&child, command[0], &actions, &attributes, &argv, &envp) }
    return child
}

/// Waits for `pid` to end (through EINTR) and says how it did.
package func waitForExit(_ pid: pid_t) throws(SystemCallError) -> ProcessExit {
    var status: Int32 = 0
    try syscall("waitpid") { waitpid(pid, &status, 0) }
    let signal = status & 0x7F
    return signal == 0 ? .exited((status >> 8) & 0xFF) : .signalled(signal)
}

/// Opens `path` for writing, created empty (a temporary file that a child writes its messages to).
package func createEmptyFile(_ path: String) throws(SystemCallError) -> Int32 {
    try syscall("open") { open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600) }
}

/// Where temporary files go: $TMPDIR when set, else /tmp, with a trailing "/" (what
/// `NSTemporaryDirectory()` returned).
package func temporaryDirectory() -> String {
    guard let value = getenv("TMPDIR").map({ String(cString: $0) }), !value.isEmpty else { return "/tmp/" }
    return value.hasSuffix("/") ? value : value + "/"
}

/// Everything `fd` holds until end of file (standard input, for git hooks); a read that fails
/// ends it as end of file would.
package func readAllBytes(_ fd: Int32) -> [UInt8] {
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while let n = try? syscall("read", { chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) } }), n > 0 {
        bytes += chunk[..<n]
    }
    return bytes
}

/// The process's environment, read from `environ` directly: `ProcessInfo`'s first use costs a
/// tenth of evalguard's start-up (it reads /proc), and every command starts by reading this.
/// A name given twice keeps its first value, as getenv(3) finds it.
package func processEnvironment() -> [String: String] {
    var environment: [String: String] = [:]
    var entry = environ
    while let pointer = entry.pointee {
        let text = String(cString: pointer)
        if let equals = text.firstIndex(of: "="), environment[String(text[..<equals])] == nil {
            environment[String(text[..<equals])] = String(text[text.index(after: equals)...])
        }
        entry += 1
    }
    return environment
}
