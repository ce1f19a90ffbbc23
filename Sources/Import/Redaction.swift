import Foundation
import EvalGuardSupport

/// `--redact PROGRAM`: the user's program rewrites every record before it becomes a case (to
/// remove personal data). It gets the records on stdin, one JSON line each, and writes the
/// rewritten records on stdout, one line each and in the same order. A program that fails, or
/// writes anything else, stops the command before a case is written.
package enum Redaction {
    /// Runs in `directory` with evalguard's own environment, as model commands do.
    package static func run(_ command: [String], records: [ProductionRecord], directory: String) throws -> [ProductionRecord] {
        guard let program = command.first, !program.isEmpty else { throw EvalGuardError("--redact names no program", category: .usage) }
        guard !records.isEmpty else { return records }
        let shown = command.joined(separator: " ")
        let temporary = NSTemporaryDirectory() + "evalguard-redact-\(UUID().uuidString)"
        var input = ""
        for r in records { JSONWriter.write(r.value, to: &input); input += "\n" }
        guard FileManager.default.createFile(atPath: temporary + ".in", contents: Data(input.utf8)),
              FileManager.default.createFile(atPath: temporary + ".err", contents: nil),
              let inHandle = FileHandle(forReadingAtPath: temporary + ".in"),
              let errHandle = FileHandle(forWritingAtPath: temporary + ".err") else {
            throw EvalGuardError("cannot create a temporary file in \(NSTemporaryDirectory()) for the redaction program",
                                 hint: "Set TMPDIR to a directory you can write to.")
        }
        defer {
            try? FileManager.default.removeItem(atPath: temporary + ".in")
            try? FileManager.default.removeItem(atPath: temporary + ".err")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = command
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let out = Pipe()
        process.standardInput = inHandle
        process.standardOutput = out
        // A file, not a pipe: reading two pipes would need a second thread.
        process.standardError = errHandle
        // Ctrl-C stops the program (it leads its own process group) and removes the temporary
        // files before evalguard ends.
        Interrupts.beginDeferring()
        defer { Interrupts.endDeferring() }
        try Interrupts.checkpoint()
        do { try process.run() } catch {
            throw EvalGuardError("cannot start the redaction program '\(program)': \(error.localizedDescription)")
        }
        try? errHandle.close()
        let output: [UInt8]
        do {
            output = try Interrupts.readToEnd(out.fileHandleForReading.fileDescriptor)
        } catch {
            // May be ignored: the group may be gone already (ESRCH), which is the aim.
            _ = kill(-process.processIdentifier, SIGKILL)
            _ = kill(process.processIdentifier, SIGKILL) // may be ignored: as above, when it leads no group
            process.waitUntilExit()
            switch error {
            case .interrupted: try Interrupts.checkpoint(); throw EvalGuardError("interrupted")
            case .failed(let e): throw EvalGuardError("cannot read the redaction program's output: \(e.reason)")
            }
        }
        process.waitUntilExit()
        let stderr = String(decoding: FileManager.default.contents(atPath: temporary + ".err") ?? Data(), as: UTF8.self)
        let quoted = stderr.textLines.filter { !$0.isEmpty }.suffix(20).map { "  | " + $0 }.joined(separator: "\n")
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            let how = process.terminationReason == .exit ? "exited with status \(process.terminationStatus)" : "was killed by signal \(process.terminationStatus)"
            let missing = process.terminationStatus == 127 ? " (not found on PATH?)" : ""
            throw EvalGuardError("the redaction program '\(shown)' \(how)\(missing); nothing was written" + (quoted.isEmpty ? "" : ":\n" + quoted),
                                 hint: "It reads one JSON record a line on stdin and writes each rewritten record on stdout.")
        }
        let lines = String(decoding: output, as: UTF8.self).textLines
        let written = lines.last?.isEmpty == true ? Array(lines.dropLast()) : lines
        guard written.count == records.count else {
            throw EvalGuardError("the redaction program '\(shown)' wrote \(written.count) line(s) for \(records.count) record(s); nothing was written",
                                 hint: "It must write one rewritten record a line, in the order read.")
        }
        return try zip(records, written).enumerated().map { i, pair in
            guard let value = try? JSONParser.parse(String(pair.1)), case .object = value else {
                throw EvalGuardError("the redaction program '\(shown)' wrote line \(i + 1) that is not a JSON object (for \(pair.0.source)); nothing was written",
                                     hint: "It must write each record back as one JSON object a line.")
            }
            return ProductionRecord(value: value, source: pair.0.source)
        }
    }
}
