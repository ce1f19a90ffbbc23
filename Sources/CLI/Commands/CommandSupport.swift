import EvalGuardCompare
import EvalGuardEvaluation
import EvalGuardGate
import EvalGuardGit
import EvalGuardStore
import EvalGuardSupport
import FoundationEssentials

/// `--format text|json` (and `markdown` for `check`), shared by the commands that report.
enum OutputFormat: String {
    case text, json, markdown

    static let option = OptionSpec.option(
        "format", value: "format", help: "Output format: text or json.", defaultValue: "text")
    static let withMarkdown = OptionSpec.option(
        "format", value: "format", help: "Output format: text, json or markdown.", defaultValue: "text")

    init(_ arguments: ParsedArguments, allowed: [OutputFormat] = [.text, .json]) throws {
        let raw = arguments.value("format") ?? "text"
        guard let format = OutputFormat(rawValue: raw), allowed.contains(format) else {
            let names = allowed.map(\.rawValue)
            let listed =
                names.count > 1
                ? names.dropLast().joined(separator: ", ") + " or " + names[names.count - 1] : names.joined()
            throw UsageError("Invalid value '\(raw)' for '--format': expected \(listed).")
        }
        self = format
    }
}

/// `--repeat N`: run each case N times (overrides the configuration's `repeat`).
enum RepeatOption {
    static let option = OptionSpec.option(
        "repeat", value: "n", help: "Run each case n times; overrides \"repeat\" in the configuration.")

    static func value(_ arguments: ParsedArguments) throws -> Int? {
        guard let n = try arguments.int("repeat") else { return nil }
        guard (1...1000).contains(n) else {
            throw UsageError("Invalid value '\(n)' for '--repeat': expected a whole number from 1 to 1000.")
        }
        return n
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
        head.isUnborn
            ? (head.branch ?? "HEAD") + " (no commits yet)"
            : (head.branch ?? "detached HEAD") + " @ " + String(head.commit.prefix(7))
    }

    func printJSON(_ value: JSONValue) {
        var text = ""
        JSONPretty.write(value, to: &text)
        console.out(text)
    }

    /// The baseline as committed at `revision`, read through libgit2. When `workingCopy` is given,
    /// says so if the working tree's copy differs, since that copy is not what the check uses.
    func committedBaseline(in repository: Repository, at revision: String, workingCopy: String?) throws -> (
        Baseline, String
    ) {
        let committed = try CommittedBaseline.require(in: repository, at: revision)
        if let root = workingCopy,
            FileManager.default.contents(atPath: root + "/" + Baseline.path).map(Array.init) != committed.bytes
        {
            console.err(GateNotes.workingCopyDiffers(revision: revision))
        }
        return (committed.baseline, committed.commit)
    }

    /// What a command says on stderr after evaluating: the run's warnings, then that a stored
    /// result was reused whole, or per suite what ran and what was reused, re-scored or re-priced.
    func sayHowEvaluated(_ result: RunResult, reused: Bool, warnings: [String]) {
        for line in GateNotes.evaluated(result, reused: reused, warnings: warnings) { console.err(line) }
    }
}
