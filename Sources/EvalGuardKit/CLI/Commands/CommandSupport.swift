import Foundation

/// `--format text|json`, shared by the commands that report.
enum OutputFormat: String {
    case text, json

    static let option = OptionSpec.option("format", value: "format", help: "Output format: text or json.", defaultValue: "text")

    init(_ arguments: ParsedArguments) throws {
        let raw = arguments.value("format") ?? "text"
        guard let format = OutputFormat(rawValue: raw) else {
            throw UsageError("Invalid value '\(raw)' for '--format': expected text or json.")
        }
        self = format
    }
}

extension CommandContext {
    /// Progress on stderr, only when stderr is a terminal: "running the model: 120/360 cases".
    /// Throttled to a few updates a second so drawing never costs more than the model.
    func progressReporter() -> (Int, Int) -> Void {
        guard console.isStderrTerminal else { return { _, _ in } }
        var last: UInt64 = 0
        let console = self.console
        return { done, total in
            let now = monotonicNanoseconds()
            guard done == total || now - last > 100_000_000 else { return }
            last = now
            console.err("\rrunning the model: \(done)/\(total) cases", terminator: done == total ? "\r\u{1B}[K" : "")
        }
    }

    func describe(_ head: Head) -> String {
        (head.branch ?? "detached HEAD") + " @ " + String(head.commit.prefix(7))
    }

    func printJSON(_ value: JSONValue) {
        var text = ""
        JSONPretty.write(value, to: &text)
        console.out(text)
    }
}

/// Indented JSON with sorted keys, for `--format json`.
enum JSONPretty {
    static func write(_ value: JSONValue, indent: Int = 0, to out: inout String) {
        let pad = String(repeating: "  ", count: indent + 1)
        switch value {
        case .array(let items) where !items.isEmpty && items.contains(where: { $0.objectValue != nil || $0.arrayValue != nil }):
            out += "[\n"
            for (i, item) in items.enumerated() {
                out += pad
                write(item, indent: indent + 1, to: &out)
                out += i == items.count - 1 ? "\n" : ",\n"
            }
            out += String(repeating: "  ", count: indent) + "]"
        case .object(let dict) where !dict.isEmpty:
            out += "{\n"
            for (i, key) in dict.keys.sorted().enumerated() {
                out += pad
                JSONWriter.writeString(key, to: &out)
                out += ": "
                write(dict[key]!, indent: indent + 1, to: &out)
                out += i == dict.count - 1 ? "\n" : ",\n"
            }
            out += String(repeating: "  ", count: indent) + "}"
        default:
            JSONWriter.write(value, to: &out)
        }
    }
}
