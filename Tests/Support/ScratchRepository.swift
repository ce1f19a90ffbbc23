import Foundation

@testable import EvalGuardCLI
@testable import EvalGuardSupport

/// A git repository in a temporary directory, built by the test with the git CLI and removed
/// when the value goes away.
package final class ScratchRepository {
    package let root: String

    package init(initialCommit: Bool = true) throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("evalguard-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        root = base.resolvingSymlinksInPath().path
        try git("init", "-q", "-b", "main")
        try git("config", "user.email", "test@example.com")
        try git("config", "user.name", "evalguard test")
        try git("config", "commit.gpgsign", "false")
        if initialCommit {
            try write("README.md", "scratch\n")
            try commitAll("Initial commit")
        }
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    package func path(_ relative: String) -> String { root + "/" + relative }

    package func write(_ relative: String, _ text: String) throws {
        let url = URL(fileURLWithPath: path(relative))
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }

    package func read(_ relative: String) -> String? {
        FileManager.default.contents(atPath: path(relative)).map { String(decoding: $0, as: UTF8.self) }
    }

    package func exists(_ relative: String) -> Bool { FileManager.default.fileExists(atPath: path(relative)) }

    @discardableResult
    package func git(_ arguments: String...) throws -> String {
        let result = try Shell.run(["git"] + arguments, in: root)
        guard result.status == 0 else {
            throw TestFailure("git \(arguments.joined(separator: " ")) failed: \(result.stderr)")
        }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    package func commitAll(_ message: String) throws {
        try git("add", "-A")
        try git("commit", "-q", "-m", message)
    }

    package var head: String { (try? git("rev-parse", "HEAD")) ?? "" }

    /// A `.evals/` with one suite and the given model script (Python) and cases. Latency is not
    /// gated unless `extraConfig` sets thresholds: a loaded test machine is not a benchmark.
    package func setUpEvals(
        model: String, cases: [String],
        extraConfig: String = "\"thresholds\": {\"p95_latency_ms\": false}", modelConfig: String = ""
    ) throws {
        try write("model.py", model)
        try write(".evals/cases/main.jsonl", cases.joined(separator: "\n") + "\n")
        try write(".evals/.gitignore", "results/\n")
        try write(
            ".evals/evalguard.json",
            """
            {
              "model": {"command": ["python3", "model.py"], "jobs": 2, "timeout_s": 5 \(modelConfig)},
              "suites": {"main": {"cases": "cases/main.jsonl", "scorer": "exact"}},
              \(extraConfig)
            }
            """)
    }
}

package struct TestFailure: Error, CustomStringConvertible {
    package var description: String
    package init(_ description: String) { self.description = description }
}

/// Python models for tests: each follows (or breaks) the protocol in one specific way.
package enum Models {
    /// Answers with the input itself; counts its starts and requests in `counter` when given.
    package static func echo(counter: String? = nil) -> String {
        let count = counter.map { "open(\(JSONValue.string($0).canonicalText), 'a').write('start\\n')" } ?? ""
        let countRequest = counter.map { "open(\(JSONValue.string($0).canonicalText), 'a').write('request\\n')" } ?? ""
        return """
            import json, sys
            \(count)
            for line in sys.stdin:
                r = json.loads(line)
                \(countRequest)
                sys.stdout.write(json.dumps({"id": r["id"], "output": r["input"]}) + "\\n")
                sys.stdout.flush()
            """
    }

    /// Echoes, but answers `wrong` for inputs listed in `flip`.
    package static func echo(flipping flip: [String], to wrong: String = "wrong") -> String {
        """
        import json, sys
        FLIP = set(\(JSONValue.array(flip.map(JSONValue.string)).canonicalText))
        for line in sys.stdin:
            r = json.loads(line)
            out = \(JSONValue.string(wrong).canonicalText) if r["input"] in FLIP else r["input"]
            sys.stdout.write(json.dumps({"id": r["id"], "output": out, "cost_usd": 0.001}) + "\\n")
            sys.stdout.flush()
        """
    }

    package static let crashesOnBoom = """
        import json, sys
        for line in sys.stdin:
            r = json.loads(line)
            if r["input"] == "boom":
                sys.stderr.write("Traceback: model exploded on boom\\n")
                sys.exit(7)
            sys.stdout.write(json.dumps({"id": r["id"], "output": r["input"]}) + "\\n")
            sys.stdout.flush()
        """

    package static let hangsOnSleep = """
        import json, sys, time
        for line in sys.stdin:
            r = json.loads(line)
            if r["input"] == "sleep":
                time.sleep(60)
            sys.stdout.write(json.dumps({"id": r["id"], "output": r["input"]}) + "\\n")
            sys.stdout.flush()
        """

    package static let printsGarbageOnJunk = """
        import json, sys
        for line in sys.stdin:
            r = json.loads(line)
            if r["input"] == "junk":
                sys.stdout.write("this is not json\\n")
            else:
                sys.stdout.write(json.dumps({"id": r["id"], "output": r["input"]}) + "\\n")
            sys.stdout.flush()
        """

    package static let alwaysCrashes = """
        import sys
        sys.stderr.write("ImportError: No module named 'torch'\\n")
        sys.exit(1)
        """
}

package func caseLine(_ id: String, _ input: String, _ expected: String? = nil) -> String {
    JSONValue.object(["id": .string(id), "input": .string(input), "expected": .string(expected ?? input)]).canonicalText
}

/// What one in-process run of evalguard printed and returned.
package struct Invocation {
    package var status: Int32
    package var stdout: String
    package var stderr: String

    package init(status: Int32, stdout: String, stderr: String) {
        (self.status, self.stdout, self.stderr) = (status, stdout, stderr)
    }
}

extension ScratchRepository {
    /// Runs `evalguard <arguments>` in-process, as if started in the repository (or `directory`).
    @discardableResult
    package func evalguard(_ arguments: String..., in directory: String? = nil) -> Invocation {
        let (console, captured) = Console.capturing()
        let status = CLI.run(
            arguments: arguments, console: console, environment: [:], workingDirectory: directory ?? root)
        return Invocation(status: status, stdout: captured.stdout, stderr: captured.stderr)
    }

    /// Files in `.evals/results/`, including any temporary ones a failed write might leave.
    package var resultFiles: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path(".evals/results"))) ?? []).sorted()
    }
}
