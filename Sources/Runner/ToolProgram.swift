import EvalGuardConfig
import EvalGuardSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The team's tool program (`tools_command`), answering an agent loop's tool calls: one
/// persistent process speaking JSON Lines, `{"id", "name", "arguments"}` in and `{"id", "result"}`
/// out (answers in any order). Its pipes are watched by the provider's poll loop, so a slow tool
/// holds up only the case that called it, and every other slot's answer is read (and timed) when
/// it arrives.
///
/// A program that exits, closes its output, writes a line outside the protocol or leaves a call
/// unanswered past `timeout_s` stops the run (exit 3): every case that calls a tool depends on it.
final class ToolProgram {
    let process: ChildProcess
    let command: [String]
    /// Where the configuration names it: `model.tools_command`.
    let setting: String
    let timeoutNanos: UInt64
    private var nextID = 0
    /// Calls sent and not yet answered, by id: when each was sent.
    private var pending: [Int: UInt64] = [:]
    private var replies: [(id: Int, result: JSONValue)] = []

    /// Owners of its pipes in the poll loop (slots are 0 and up).
    static let stdoutOwner = -1, stderrOwner = -2, stdinOwner = -3

    init(command: [String], directory: String, setting: String, timeoutSeconds: Double) throws {
        (self.command, self.setting, timeoutNanos) = (command, setting, UInt64(timeoutSeconds * 1e9))
        process = try ChildProcess(
            command: command, directory: directory,
            wording: ProviderWording(subject: "the tools program", settings: setting))
    }

    deinit { process.terminate() }

    /// Sends one call; returns its id, which its reply carries.
    func call(name: String, arguments: JSONValue) throws -> Int {
        guard process.stdoutOpen else { throw failure("ended (\(process.reapAfterEOF())) before this call") }
        nextID += 1
        var line = ""
        JSONWriter.write(
            .object(["id": .number(Double(nextID)), "name": .string(name), "arguments": arguments]), to: &line)
        let now = monotonicNanoseconds()
        process.send(Array((line + "\n").utf8), index: nextID, at: now)
        guard process.flushWrites() else { throw failure("stopped reading its input") }
        pending[nextID] = now
        return nextID
    }

    func watch(in poller: inout PollLoop<Int>) {
        if process.stdoutOpen { poller.watch(process.stdoutFD, for: Int16(POLLIN), owner: Self.stdoutOwner) }
        if process.stderrOpen { poller.watch(process.stderrFD, for: Int16(POLLIN), owner: Self.stderrOwner) }
        if process.wantsToWrite { poller.watch(process.stdinFD, for: Int16(POLLOUT), owner: Self.stdinOwner) }
    }

    /// Reads or writes what its pipe `owner` is ready for; complete replies wait in `takeReplies`.
    func service(owner: Int, revents: Int16) throws {
        switch owner {
        case Self.stdinOwner:
            guard process.flushWrites() else { throw failure("stopped reading its input") }
        case Self.stderrOwner:
            if !process.readStderr() { process.stderrOpen = false }
        default:
            let open = process.readStdout(limit: ModelConfig.defaultMaxLineBytes)
            while let line = process.nextLine() {
                let text = String(decoding: line, as: UTF8.self)
                process.consumeLine(line)
                if text.allSatisfy(\.isWhitespace) { continue }
                replies.append(try reply(text))
            }
            if process.stdoutBuffer.count > ModelConfig.defaultMaxLineBytes {
                throw failure("wrote more than \(ModelConfig.defaultMaxLineBytes) bytes without a newline")
            }
            if !open {
                process.stdoutOpen = false
                if !pending.isEmpty {
                    throw failure("ended (\(process.reapAfterEOF())) with \(pending.count) call(s) unanswered")
                }
            }
        }
    }

    /// The replies read since the last call, in the order they came.
    func takeReplies() -> [(id: Int, result: JSONValue)] {
        defer { replies.removeAll() }
        return replies
    }

    /// When the oldest unanswered call times out; nil with none pending.
    var deadline: UInt64? { pending.values.min().map { $0 + timeoutNanos } }

    /// Stops the run when a call has waited past `timeout_s`.
    func checkDeadline(at now: UInt64) throws {
        guard let deadline, PollDeadline.hasPassed(deadline, at: now) else { return }
        throw failure("did not answer a call within \(Double(timeoutNanos) / 1e9) s (timeout_s)")
    }

    private func reply(_ text: String) throws -> (id: Int, result: JSONValue) {
        let shown = text.count > 200 ? String(text.prefix(200)) + "…" : text
        guard case .object(let o)? = try? JSONParser.parse(text), let n = o["id"]?.numberValue, let id = Int(exactly: n)
        else {
            throw failure("wrote a line that is not {\"id\", \"result\"}: '\(shown)'")
        }
        guard pending.removeValue(forKey: id) != nil else {
            throw failure("answered id \(id), which no call pending has: '\(shown)'")
        }
        if let result = o["result"] { return (id, result) }
        if case .string(let error)? = o["error"] { return (id, .object(["error": .string(error)])) }
        throw failure("answered call \(id) without \"result\": '\(shown)'")
    }

    private func failure(_ what: String) -> EvalGuardError {
        let stderr = process.stderrExcerpt()
        return .evaluation(
            "the tools program \(command.joined(separator: " ")) (\(setting)) \(what)",
            hint: stderr.isEmpty
                ? "It reads {\"id\", \"name\", \"arguments\"} lines on stdin and writes one {\"id\", \"result\"} line for each on stdout."
                : "Its stderr ends with:\n"
                    + stderr.split(separator: "\n", omittingEmptySubsequences: false).map { "  | " + $0 }.joined(
                        separator: "\n"))
    }
}
