import Foundation
import EvalGuardSupport

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
    private let lock = NSLock()
    private var buffer = ""
    private static let bufferLimit = 64 * 1024

    /// A console over any two sinks. `bufferStdout` holds stdout text until `flush()`, a
    /// terminal stdout or 64 KiB of text.
    package init(stdout: @escaping @Sendable (String) -> Void,
                stderr: @escaping @Sendable (String) -> Void,
                isStdoutTerminal: Bool = false, isStderrTerminal: Bool = false,
                environment: [String: String] = [:], bufferStdout: Bool = false) {
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
    package static func standard(environment: [String: String] = ProcessInfo.processInfo.environment) -> Console {
        Console(stdout: { writeAll(1, $0) }, stderr: { writeAll(2, $0) },
                // isatty's failure (not a terminal, or closed) is its answer: no colour, no progress.
                isStdoutTerminal: isatty(1) == 1, isStderrTerminal: isatty(2) == 1,
                environment: environment, bufferStdout: true)
    }

    /// Writes a result to stdout, like `print`.
    package func out(_ text: String = "", terminator: String = "\n") {
        lock.lock()
        defer { lock.unlock() }
        buffer += text + terminator
        if !bufferStdout || isStdoutTerminal || buffer.utf8.count >= Self.bufferLimit {
            flushLocked()
        }
    }

    /// Writes a diagnostic or progress to stderr, at once.
    package func err(_ text: String = "", terminator: String = "\n") {
        lock.lock()
        defer { lock.unlock() }
        flushLocked()
        writeStderr(text + terminator)
    }

    /// Writes whatever stdout text is still buffered.
    package func flush() {
        lock.lock()
        defer { lock.unlock() }
        flushLocked()
    }

    deinit {
        flushLocked()
    }

    private func flushLocked() {
        guard !buffer.isEmpty else { return }
        writeStdout(buffer)
        buffer = ""
    }

    /// `write(2)` until done, retrying after signals. Other failures (a closed pipe) drop the
    /// text: there is nowhere left to report them.
    private static func writeAll(_ fd: Int32, _ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            guard let written = try? syscall("write", { bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } }) else { return }
            bytes = bytes.dropFirst(written)
        }
    }
}

/// Text written to an in-memory console, for tests.
package final class CapturedOutput: @unchecked Sendable {
    private let lock = NSLock()
    private var stdoutText = ""
    private var stderrText = ""

    package init() {}

    package var stdout: String { lock.withLock { stdoutText } }
    package var stderr: String { lock.withLock { stderrText } }

    fileprivate func append(stdout text: String) { lock.withLock { stdoutText += text } }
    fileprivate func append(stderr text: String) { lock.withLock { stderrText += text } }
}

extension Console {
    /// A console that records what is written, pretending to be a terminal or not.
    package static func capturing(stdoutIsTerminal: Bool = false, stderrIsTerminal: Bool = false,
                                 environment: [String: String] = [:]) -> (Console, CapturedOutput) {
        let captured = CapturedOutput()
        let console = Console(stdout: { captured.append(stdout: $0) },
                              stderr: { captured.append(stderr: $0) },
                              isStdoutTerminal: stdoutIsTerminal, isStderrTerminal: stderrIsTerminal,
                              environment: environment)
        return (console, captured)
    }
}
