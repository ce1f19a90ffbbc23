import EvalGuardConfig
import EvalGuardRunner
import EvalGuardScoring
import EvalGuardStore
import EvalGuardSupport

/// Runs the suites' scoring programs (`{"type": "command", ...}`) over answers in one batch per
/// program, through the command provider's process pool and poll loop: persistent processes,
/// `jobs` of them, each request timed out on its own.
///
/// A program's reply is untrusted: a line that is not JSON, a reply without a boolean `pass`, a
/// `score` outside [0, 1], a `reason` that is not a string or an id that is not the request's is
/// an error for that case (never a pass), counted against the program's `max_error_rate`.
final class CommandScorerRunner: AskedScorer {
    /// The longest reason kept in a result.
    static let reasonLimit = 500

    private let providers: Providers

    /// `providers` says where the programs run (its directory is made only when one is asked).
    init(providers: Providers) {
        self.providers = providers
    }

    func decides(_ scorer: Scorer) -> Bool { scorer.command != nil }

    func group(of item: AskedItem) throws -> AskedGroup {
        let program = try Self.program(of: item)
        // Suites that run the same program with the same settings share its processes.
        let key =
            JSONValue.array(program.command.map(JSONValue.string)).canonicalText
            + " \(program.jobs) \(program.timeoutSeconds) \(program.startupTimeoutSeconds) \(program.maxErrorRate)"
        return AskedGroup(
            key: key, subject: "the scoring program \(program.command.joined(separator: " "))",
            settings: "suites.\(item.suite).scorer", maxErrorRate: program.maxErrorRate,
            hint:
                "Each reply must be one line {\"id\": <the request's id>, \"pass\": true|false, \"score\"?: 0..1, \"reason\"?: \"...\"}."
        )
    }

    /// The verdict on each item (all of one program), in order, through the command provider's
    /// process pool: persistent processes, `jobs` of them, each request timed out on its own.
    func ask(_ items: [AskedItem]) throws -> [ScoreOutcome] {
        guard let first = items.first else { return [] }
        let program = try Self.program(of: first)
        let group = try group(of: first)
        // Ids are made unique per batch: cases of different suites may share one.
        let ids = items.indices.map { items[$0].id + "#\($0)" }
        let cases = Dictionary(uniqueKeysWithValues: zip(ids, items.map { "case \($0.id) of suite '\($0.suite)'" }))
        let provider = CommandProvider(
            command: program.command, directory: try providers.directory(), jobs: program.jobs,
            timeoutSeconds: program.timeoutSeconds, startupSeconds: program.startupTimeoutSeconds,
            maxErrorRate: program.maxErrorRate)
        provider.lineProtocol = .scorer
        provider.wording = ProviderWording(subject: group.subject, settings: group.settings) {
            cases[$0] ?? "request " + $0
        }
        let requests = zip(ids, items).map { id, item in
            ModelRequest(
                id: id, input: .object(["input": item.input, "expected": item.expected, "output": item.output]))
        }
        return try providers.answer(provider, requests).map(Self.verdict)
    }

    /// The item's scoring program: `AskedScorers` hands this runner only items whose scorer it
    /// `decides`, so one without a program is a broken call, refused (exit 3) rather than trapped.
    private static func program(of item: AskedItem) throws -> CommandScorerSettings {
        guard let program = item.scorer.command else {
            throw EvalGuardError.evaluation("suite '\(item.suite)': its scorer runs no program")
        }
        return program
    }

    /// Checks one reply against the protocol.
    static func verdict(_ response: ModelResponse) -> ScoreOutcome {
        func failed(_ message: String) -> ScoreOutcome { .failed("scorer: " + message) }
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
        return ScoreOutcome(passed: passed, score: score, reason: reason)
    }
}
