import EvalGuardSupport

/// `{"type": "command", "command": [...], "jobs"?, "timeout_s"?, "startup_timeout_s"?, "inputs"?, "max_error_rate"?}`:
/// the team's own scoring program, run like a command model (persistent processes speaking
/// JSON Lines: `{"id", "input", "expected", "output"}` in, `{"id", "pass", "score"?, "reason"?}` out).
package struct CommandScorerSettings: Sendable, Hashable {
    package var command: [String]
    package var jobs: Int
    package var timeoutSeconds: Double
    /// Extra time a process's first request may take while the program starts (`startup_timeout_s`).
    package var startupTimeoutSeconds: Double
    /// Share of scored answers the program may fail on (an error, a time-out, a malformed line)
    /// before the run stops (exit 3), as for a model.
    package var maxErrorRate: Double
    /// Paths or globs of the files the program reads, from the repository root.
    package var inputs: [String]

    /// A scoring program is usually quick to start; one that loads a model says so.
    package static let defaultStartupSeconds = 10.0

    package static let keys = ["type", "command", "jobs", "timeout_s", "startup_timeout_s", "inputs", "max_error_rate"]

    package init(node: ConfigNode) throws {
        let members = try node.object(allowed: Self.keys)
        guard let c = members["command"] else {
            throw node.error(
                "the command scorer needs \"command\": the program to run",
                hint: "Write {\"type\": \"command\", \"command\": [\"python3\", \"scorers/tone.py\"]}.")
        }
        command = try c.strings()
        guard !command.isEmpty, !command[0].isEmpty else { throw c.error("the scorer's command is empty") }
        jobs = try members["jobs"]?.positiveInt() ?? 1
        timeoutSeconds = try members["timeout_s"]?.number(in: 0.001...86_400) ?? 30
        startupTimeoutSeconds = try members["startup_timeout_s"]?.number(in: 0...86_400) ?? Self.defaultStartupSeconds
        maxErrorRate = try members["max_error_rate"]?.number(in: 0...1) ?? 0.5
        inputs = try members["inputs"]?.strings() ?? []
    }

    /// The files that make up the program: its `inputs` globs, and each argument of the command
    /// that names a file of the tree (`scorers/tone.py`). `paths` are the tree's files.
    package func files(among paths: [String]) -> [String] {
        let globs = inputs.map(Glob.init)
        let named = Set(command.map { $0.hasPrefix("./") ? String($0.dropFirst(2)) : $0 })
        return paths.filter { path in named.contains(path) || globs.contains { $0.matches(path) } }
    }
}
