import EvalGuardSupport
import FoundationEssentials
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where a command's output goes: results on stdout, progress and diagnostics on stderr.
///
/// stdout is buffered (a report of thousands of lines costs a few writes, not thousands) and
/// flushed by `CLI.run` before it returns; on a terminal it is flushed after every call so the
/// user sees lines as they come. stderr is never buffered, and writing to it first flushes
/// stdout, so the two stay in order when they share a CI log. Thread-safe: a runner may
/// report progress from several tasks.
package final class Console: @unchecked Sendable {
    package let isStdoutTerminal: Bool
    package let isStderrTerminal: Bool
    /// Colour on stdout: it is a terminal, `NO_COLOR` is unset or empty, `TERM` is not `dumb`.
    package let useColor: Bool
    /// The same rule for stderr (diagnostics, progress).
    package let useColorOnStderr: Bool

    private let writeStdout: @Sendable (String) -> Void
    private let writeStderr: @Sendable (String) -> Void
    private let bufferStdout: Bool
    /// The stdout text not written yet; its lock also keeps the two streams in order.
    private let buffer = Mutex("")
    private static let bufferLimit = 64 * 1024

    /// A console over any two sinks. `bufferStdout` holds stdout text until `flush()`, a
    /// terminal stdout or 64 KiB of text.
    package init(
        stdout: @escaping @Sendable (String) -> Void,
        stderr: @escaping @Sendable (String) -> Void,
        isStdoutTerminal: Bool = false, isStderrTerminal: Bool = false,
        environment: [String: String] = [:], bufferStdout: Bool = false
    ) {
        self.writeStdout = stdout
        self.writeStderr = stderr
        self.isStdoutTerminal = isStdoutTerminal
        self.isStderrTerminal = isStderrTerminal
        self.bufferStdout = bufferStdout
        let colorAllowed = (environment["NO_COLOR"] ?? "").isEmpty && environment["TERM"] != "dumb"
        self.useColor = colorAllowed && isStdoutTerminal
        self.useColorOnStderr = colorAllowed && isStderrTerminal
    }

    /// The process's own stdout and stderr.
    package static func standard(environment: [String: String] = processEnvironment()) -> Console {
        Console(
            stdout: { writeAll(1, $0) }, stderr: { writeAll(2, $0) },
            // isatty's failure (not a terminal, or closed) is its answer: no colour, no progress.
            isStdoutTerminal: isatty(1) == 1, isStderrTerminal: isatty(2) == 1,
            environment: environment, bufferStdout: true)
    }

    /// Writes a result to stdout, like `print`.
    package func out(_ text: String = "", terminator: String = "\n") {
        buffer.withLock { buffer in
            buffer += text + terminator
            if !bufferStdout || isStdoutTerminal || buffer.utf8.count >= Self.bufferLimit {
                flush(&buffer)
            }
        }
    }

    /// Writes a diagnostic or progress to stderr, at once.
    package func err(_ text: String = "", terminator: String = "\n") {
        buffer.withLock { buffer in
            flush(&buffer)
            writeStderr(text + terminator)
        }
    }

    /// Writes whatever stdout text is still buffered.
    package func flush() {
        buffer.withLock { flush(&$0) }
    }

    deinit {
        flush()
    }

    private func flush(_ buffer: inout String) {
        guard !buffer.isEmpty else { return }
        writeStdout(buffer)
        buffer = ""
    }

    /// `write(2)` until done, retrying after signals. Other failures (a closed pipe) drop the
    /// text: there is nowhere left to report them.
    private static func writeAll(_ fd: Int32, _ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            guard let written = try? syscall("write", { bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } })
            else { return }
            bytes = bytes.dropFirst(written)
        }
    }
}

/// Text written to an in-memory console, for tests.
package final class CapturedOutput: @unchecked Sendable {
    private let text = Mutex((stdout: "", stderr: ""))

    package init() {}

    package var stdout: String { text.withLock { $0.stdout } }
    package var stderr: String { text.withLock { $0.stderr } }

    fileprivate func append(stdout more: String) { text.withLock { $0.stdout += more } }
    fileprivate func append(stderr more: String) { text.withLock { $0.stderr += more } }
}

extension Console {
    /// A console that records what is written, pretending to be a terminal or not.
    package static func capturing(
        stdoutIsTerminal: Bool = false, stderrIsTerminal: Bool = false,
        environment: [String: String] = [:]
    ) -> (Console, CapturedOutput) {
        let captured = CapturedOutput()
        let console = Console(
            stdout: { captured.append(stdout: $0) },
            stderr: { captured.append(stderr: $0) },
            isStdoutTerminal: stdoutIsTerminal, isStderrTerminal: stderrIsTerminal,
            environment: environment)
        return (console, captured)
    }
}
