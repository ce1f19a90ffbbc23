import Foundation

@testable import EvalGuardCLI
@testable import EvalGuardGit
@testable import EvalGuardSupport

/// Long histories for blame and log, written with one `git fast-import` (hundreds of commits in
/// milliseconds, where one `git commit` each would take seconds).
///
/// The model answers each case with its input, except the inputs listed in `model/bug.txt`
/// (answered "wrong": the planted regression), and the inputs in `model/noisy.txt`, answered
/// wrong at random half the time. `model/broken.txt` makes it crash at start. Every start is
/// counted in `counter`, one line each, so a test knows how many evaluations ran.
package struct SyntheticHistory {
    /// What one commit after the base does.
    package enum Change {
        /// Changes `model/params.txt`: a model input, so a new evaluation key, harmlessly.
        case tweak
        /// Changes `docs/notes.md`: not a model input, so the same key.
        case docs
        /// Writes `model/bug.txt`: these inputs are answered wrong from here on.
        case plant([String])
        /// Adds or removes `model/broken.txt`.
        case breakModel(Bool)
        /// Writes `model/noisy.txt`.
        case noise([String])
        /// Rewrites `.evals/evalguard.json` with another comment: a new evaluation key, but every
        /// answer can be taken from a stored result.
        case settings
    }

    package static let caseCount = 20
    package static var inputs: [String] { (1...caseCount).map { "q\($0)" } }

    package static func model(counter: String) -> String {
        """
        import json, os, random, sys
        open(\(JSONValue.string(counter).canonicalText), 'a').write('start\\n')
        if os.path.exists('model/broken.txt'):
            sys.stderr.write('model is broken\\n')
            sys.exit(1)
        def words(p):
            return set(open(p).read().split()) if os.path.exists(p) else set()
        bug, noisy = words('model/bug.txt'), words('model/noisy.txt')
        for line in sys.stdin:
            r = json.loads(line)
            q = r['input']
            wrong = q in bug or (q in noisy and random.random() < 0.5)
            sys.stdout.write(json.dumps({'id': r['id'], 'output': 'wrong' if wrong else q, 'cost_usd': 0.001}) + '\\n')
            sys.stdout.flush()
        """
    }

    /// A repository whose first commit holds `.evals/` and the model, whose second commits the
    /// baseline evaluated from it, followed by one commit per change. Nothing is left stored
    /// unless `keepStored`.
    package static func make(_ changes: [Change], counter: String, keepStored: Bool = false) throws -> ScratchRepository
    {
        let repo = try ScratchRepository()
        try repo.write("model.py", model(counter: counter))
        try repo.write("model/params.txt", "0\n")
        try repo.write(
            ".evals/cases/main.jsonl",
            inputs.enumerated().map { caseLine("c\($0.offset + 1)", $0.element) }.joined(separator: "\n") + "\n")
        try repo.write(".evals/.gitignore", "results/\n")
        try repo.write(".evals/evalguard.json", config())
        try repo.commitAll("Add evals")
        let baseline = repo.evalguard("baseline")
        guard baseline.status == 0 else { throw TestFailure("baseline failed: \(baseline.stderr)") }
        try repo.commitAll("Record the baseline")
        try append(changes, to: repo)
        if !keepStored { try forgetStored(repo) }
        // Only ever a counter of ours in the temporary directory (never, say, /dev/null).
        if counter.hasPrefix(NSTemporaryDirectory()) { try? FileManager.default.removeItem(atPath: counter) }
        return repo
    }

    package static func config(comment: String = "") -> String {
        """
        {
          // \(comment)
          "model": {"command": ["python3", "model.py"], "jobs": 1, "timeout_s": 10, "inputs": ["model.py", "model/"]},
          "suites": {"main": {"cases": "cases/main.jsonl", "scorer": "exact"}},
          "thresholds": {"p95_latency_ms": false}
        }
        """
    }

    /// Appends commits to `main` with fast-import; returns their shas, oldest first.
    @discardableResult
    package static func append(_ changes: [Change], to repo: ScratchRepository, branch: String = "main") throws
        -> [String]
    {
        var stream = ""
        func data(_ text: String) { stream += "data \(text.utf8.count)\n\(text)\n" }
        var time = Int(try repo.git("log", "-1", "--format=%ct")) ?? 1_700_000_000
        for (i, change) in changes.enumerated() {
            time += 60
            stream +=
                "commit refs/heads/\(branch)\nmark :\(i + 1)\ncommitter Dev \(i % 3) <dev\(i % 3)@example.com> \(time) +0000\n"
            let (subject, file, text): (String, String, String?)
            switch change {
            case .tweak: (subject, file, text) = ("Tune parameter \(i + 1)", "model/params.txt", "\(i + 1)\n")
            case .docs: (subject, file, text) = ("Document step \(i + 1)", "docs/notes.md", "note \(i + 1)\n")
            case .plant(let bad):
                (subject, file, text) = ("Rework the parser", "model/bug.txt", bad.joined(separator: " ") + "\n")
            case .breakModel(let on):
                (subject, file, text) = (
                    on ? "Break the model" : "Repair the model", "model/broken.txt", on ? "x\n" : nil
                )
            case .noise(let inputs):
                (subject, file, text) = ("Sample answers", "model/noisy.txt", inputs.joined(separator: " ") + "\n")
            case .settings:
                (subject, file, text) = (
                    "Reword setting \(i + 1)", ".evals/evalguard.json", config(comment: "revision \(i + 1)")
                )
            }
            data(subject)
            if i == 0 { stream += "from refs/heads/\(branch)^0\n" }
            if let text {
                stream += "M 100644 inline \(file)\n"
                data(text)
            } else {
                stream += "D \(file)\n"
            }
        }
        let result = try Shell.run(["git", "fast-import", "--quiet", "--force"], in: repo.root, stdin: stream)
        guard result.status == 0 else { throw TestFailure("fast-import failed: \(result.stderr)") }
        if branch == (try repo.git("symbolic-ref", "--short", "HEAD")) { try repo.git("reset", "-q", "--hard") }
        return try repo.git("rev-list", "--reverse", "-n", "\(changes.count)", branch).split(separator: "\n").map(
            String.init)
    }

    /// Removes every stored result: files, key index and notes.
    package static func forgetStored(_ repo: ScratchRepository) throws {
        try? FileManager.default.removeItem(atPath: repo.path(".evals/results"))
        _ = try? repo.git("update-ref", "-d", Repository.notesRef)
    }

    /// How many times the model started since the counter was last cleared.
    package static func starts(_ counter: String) -> Int {
        (try? String(contentsOfFile: counter, encoding: .utf8))?.split(separator: "\n").count ?? 0
    }
}

extension ScratchRepository {
    /// `evalguard` with an argument array, in-process.
    package func evalguard(arguments: [String]) -> Invocation {
        let (console, captured) = Console.capturing()
        let status = CLI.run(arguments: arguments, console: console, environment: [:], workingDirectory: root)
        return Invocation(status: status, stdout: captured.stdout, stderr: captured.stderr)
    }

    /// `evalguard <command> --format json …`, its invocation and its JSON object.
    package func evalguardJSON(_ arguments: [String]) throws -> (Invocation, [String: JSONValue]) {
        let run = evalguard(arguments: arguments + ["--format", "json"])
        guard let doc = (try? JSONParser.parse(run.stdout))?.objectValue else {
            throw TestFailure("no JSON object (exit \(run.status)): \(run.stdout)\n\(run.stderr)")
        }
        return (run, doc)
    }
}
