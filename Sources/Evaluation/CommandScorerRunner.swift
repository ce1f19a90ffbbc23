import EvalGuardConfig
import EvalGuardRunner
import EvalGuardStore
import EvalGuardSupport

/// Runs the suites' scoring programs (`{"type": "command", ...}`) over answers in one batch per
/// program, through the command provider's process pool and poll loop: persistent processes,
/// `jobs` of them, each request timed out on its own.
///
/// A program's reply is untrusted: a line that is not JSON, a reply without a boolean `pass`, a
/// `score` outside [0, 1], a `reason` that is not a string or an id that is not the request's is
/// an error for that case (never a pass), counted against the program's `max_error_rate`.
final class CommandScorerRunner {
    struct Item {
        var suite: String
        var program: CommandScorerSettings
        var id: String
        var input: JSONValue
        var expected: JSONValue
        var output: JSONValue
    }

    struct Verdict: Equatable {
        var passed: Bool
        var score: Double
        var reason: String?
        var error: String?
    }

    /// The longest reason kept in a result.
    static let reasonLimit = 500

    private let directory: () throws -> String
    /// Requests sent to scoring programs by this runner (for tests).
    private(set) var requestsMade = 0

    /// `directory` is where the programs run (called only when one is asked).
    init(directory: @escaping () throws -> String) {
        self.directory = directory
    }

    /// The verdict on each item, in order. Throws when a program fails on more of its items
    /// than its `max_error_rate` allows (exit 3), like a model.
    func score(_ items: [Item]) throws -> [Verdict] {
        var verdicts = [Verdict?](repeating: nil, count: items.count)
        var groups: [CommandScorerSettings: [Int]] = [:]
        var order: [CommandScorerSettings] = []
        for (i, item) in items.enumerated() {
            if groups[item.program] == nil { order.append(item.program) }
            groups[item.program, default: []].append(i)
        }
        for program in order {
            let indices = groups[program]!
            let provider = CommandProvider(command: program.command, directory: try directory(), jobs: program.jobs,
                                           timeoutSeconds: program.timeoutSeconds, maxErrorRate: program.maxErrorRate)
            provider.lineProtocol = .scorer
            // Ids are made unique per batch: cases of different suites may share one.
            let requests = indices.enumerated().map { n, i in
                ModelRequest(id: items[i].id + "#\(n)", input: .object(["input": items[i].input, "expected": items[i].expected, "output": items[i].output]))
            }
            let responses: [ModelResponse]
            do {
                responses = try provider.answer(requests, progress: { _ in })
            } catch var error as EvalGuardError {
                // The pool words its budget for a model; this one is the suite's scorer.
                error.message = error.message.replacingOccurrences(of: "the model failed", with: "the scoring program \(program.command.joined(separator: " ")) failed")
                    .replacingOccurrences(of: "model.max_error_rate", with: "the scorer's max_error_rate")
                error.hint = error.hint?.replacingOccurrences(of: "The model's stderr", with: "The scoring program's stderr")
                throw error
            }
            requestsMade += requests.count
            var failures: [String] = []
            for (i, response) in zip(indices, responses) {
                let verdict = Self.verdict(response)
                if let error = verdict.error { failures.append("case \(items[i].id): " + error) }
                verdicts[i] = verdict
            }
            if Double(failures.count) > program.maxErrorRate * Double(indices.count) {
                throw EvalGuardError.evaluation(
                    "the scoring program \(program.command.joined(separator: " ")) failed on \(failures.count) of \(indices.count) answers, more than its max_error_rate (\(program.maxErrorRate)); stopping",
                    hint: "Each reply must be one line {\"id\": <the request's id>, \"pass\": true|false, \"score\"?: 0..1, \"reason\"?: \"...\"}. First failure: " + failures[0])
            }
        }
        return verdicts.map { $0! }
    }

    /// Checks one reply against the protocol.
    static func verdict(_ response: ModelResponse) -> Verdict {
        func failed(_ message: String) -> Verdict { Verdict(passed: false, score: 0, error: "scorer: " + message) }
        if let error = response.error { return failed(error) }
        guard case .object(let o)? = response.output else { return failed("no reply") }
        guard let passed = o["pass"]?.boolValue else {
            return failed("the reply has no boolean \"pass\": " + String(JSONValue.object(o).canonicalText.prefix(200)))
        }
        var score = passed ? 1.0 : 0.0
        if let s = o["score"], s != .null {
            guard let n = s.numberValue, n >= 0, n <= 1 else {
                return failed("\"score\" must be a number from 0 to 1, found \(s.canonicalText.prefix(50))")
            }
            score = n
        }
        var reason: String?
        if let r = o["reason"], r != .null {
            guard let text = r.stringValue else { return failed("\"reason\" must be a string, found \(r.kindName)") }
            reason = text.count > reasonLimit ? String(text.prefix(reasonLimit)) + "…" : text
        }
        return Verdict(passed: passed, score: score, reason: reason)
    }
}
