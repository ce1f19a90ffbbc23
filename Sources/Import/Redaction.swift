import EvalGuardSupport
import FoundationEssentials

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `--redact PROGRAM`: the user's program rewrites every record before it becomes a case (to
/// remove personal data). It gets the records on stdin, one JSON line each, and writes the
/// rewritten records on stdout, one line each and in the same order. A program that fails, or
/// writes anything else, stops the command before a case is written.
package enum Redaction {
    /// Runs in `directory` with evalguard's own environment, as model commands do.
    package static func run(_ command: [String], records: [ProductionRecord], directory: String) throws
        -> [ProductionRecord]
    {
        guard let program = command.first, !program.isEmpty else {
            throw EvalGuardError("--redact names no program", category: .usage)
        }
        guard !records.isEmpty else { return records }
        let shown = command.joined(separator: " ")
        let temporary = temporaryDirectory() + "evalguard-redact-\(UUID().uuidString)"
        var input = ""
        for r in records {
            JSONWriter.write(r.value, to: &input)
            input += "\n"
        }
        guard FileManager.default.createFile(atPath: temporary + ".in", contents: Data(input.utf8)),
            let errFD = try? createEmptyFile(temporary + ".err")
        else {
            throw EvalGuardError(
                "cannot create a temporary file in \(temporaryDirectory()) for the redaction program",
                hint: "Set TMPDIR to a directory you can write to.")
        }
        defer {
            try? FileManager.default.removeItem(atPath: temporary + ".in")
            try? FileManager.default.removeItem(atPath: temporary + ".err")
        }
        let inFD = open(temporary + ".in", O_RDONLY | O_CLOEXEC)
        guard inFD >= 0 else {
            closeDescriptor(errFD)
            throw EvalGuardError(
                "cannot read back the temporary file \(temporary).in for the redaction program: \(SystemCallError.reason(errno))",
                hint: "Set TMPDIR to a directory you can write to.")
        }
        defer { closeDescriptor(inFD) }
        // Ctrl-C stops the program (it leads its own process group) and removes the temporary
        // files before evalguard ends.
        Interrupts.beginDeferring()
        defer { Interrupts.endDeferring() }
        try Interrupts.checkpoint()
        let out: (read: Int32, write: Int32)
        let pid: pid_t
        do { out = try makePipe() } catch {
            closeDescriptor(errFD)
            throw EvalGuardError("cannot start the redaction program '\(program)': \(error.reason)")
        }
        do {
            // stderr to a file, not a pipe: reading two pipes would need a second thread.
            pid = try spawnProcess(
                ["/usr/bin/env"] + command, directory: directory, stdin: inFD, stdout: out.write, stderr: errFD)
        } catch {
            for fd in [out.read, out.write, errFD] { closeDescriptor(fd) }
            throw EvalGuardError("cannot start the redaction program '\(program)': \(error.reason)")
        }
        for fd in [out.write, errFD] { closeDescriptor(fd) }
        defer { closeDescriptor(out.read) }
        let output: [UInt8]
        do {
            output = try Interrupts.readToEnd(out.read)
        } catch {
            // May be ignored: the group may be gone already (ESRCH), which is the aim.
            _ = kill(-pid, SIGKILL)
            _ = kill(pid, SIGKILL) // may be ignored: as above, when it leads no group
            _ = try? waitForExit(pid) // may be ignored: ECHILD means nothing is left to reap
            switch error {
            case .interrupted:
                try Interrupts.checkpoint()
                throw EvalGuardError("interrupted")
            case .failed(let e): throw EvalGuardError("cannot read the redaction program's output: \(e.reason)")
            }
        }
        let exit = try waitForExit(pid)
        let stderr = String(decoding: FileManager.default.contents(atPath: temporary + ".err") ?? Data(), as: UTF8.self)
        let quoted = stderr.textLines.filter { !$0.isEmpty }.suffix(20).map { "  | " + $0 }.joined(separator: "\n")
        guard exit == .exited(0) else {
            let how =
                if case .exited(let status) = exit { "exited with status \(status)" } else {
                    "was killed by signal \(exit.status)"
                }
            let missing = exit.status == 127 ? " (not found on PATH?)" : ""
            throw EvalGuardError(
                "the redaction program '\(shown)' \(how)\(missing); nothing was written"
                    + (quoted.isEmpty ? "" : ":\n" + quoted),
                hint: "It reads one JSON record a line on stdin and writes each rewritten record on stdout.")
        }
        let lines = String(decoding: output, as: UTF8.self).textLines
        let written = lines.last?.isEmpty == true ? Array(lines.dropLast()) : lines
        guard written.count == records.count else {
            throw EvalGuardError(
                "the redaction program '\(shown)' wrote \(written.count) line(s) for \(records.count) record(s); nothing was written",
                hint: "It must write one rewritten record a line, in the order read.")
        }
        return try zip(records, written).enumerated().map { i, pair in
            guard let value = try? JSONParser.parse(String(pair.1)), case .object = value else {
                throw EvalGuardError(
                    "the redaction program '\(shown)' wrote line \(i + 1) that is not a JSON object (for \(pair.0.source)); nothing was written",
                    hint: "It must write each record back as one JSON object a line.")
            }
            return ProductionRecord(value: value, source: pair.0.source)
        }
    }
}
