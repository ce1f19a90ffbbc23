import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardStore
@testable import EvalGuardSupport

/// Examples/sharded: the GitHub Actions matrix and the GitLab `parallel:` pipeline, each run as
/// N runners (N processes in N clones of a feature branch, the built evalguard on PATH) whose
/// artifacts the test carries to one more clone that merges and gates, as the CI systems do.
@Suite(.serialized) struct ShardCITests {
    static let examples = CIProject.packageRoot + "/Examples/sharded"
    static let runners = 3

    /// main holds the evals and their baseline; `feature` changes a file the model reads, so
    /// nothing stored fits it and every case must be asked by some runner.
    final class Project {
        let repo: ScratchRepository
        let counter = NSTemporaryDirectory() + "evalguard-shard-ci-\(UUID().uuidString)"
        let clones = FileManager.default.temporaryDirectory.appendingPathComponent(
            "evalguard-shard-ci-\(UUID().uuidString)"
        ).path
        let binDirectory: String

        init() throws {
            repo = try ScratchRepository()
            try repo.setUpEvals(
                model: Models.echo(counter: counter), cases: (1...40).map { caseLine("c\($0)", "q\($0)") })
            try repo.commitAll("Add evals")
            #expect(repo.evalguard("baseline").status == 0)
            try repo.commitAll("Record the baseline")
            try repo.git("checkout", "-q", "-b", "feature")
            try repo.write("prompt.txt", "a file the model reads\n")
            try repo.commitAll("Change the prompt")
            try FileManager.default.removeItem(atPath: counter)
            binDirectory = try #require(evalguardBinary()).deletingLastPathComponent().path
        }

        deinit {
            try? FileManager.default.removeItem(atPath: clones)
            try? FileManager.default.removeItem(atPath: counter)
        }

        var requests: Int {
            (try? String(contentsOfFile: counter, encoding: .utf8))?.split(separator: "\n").filter { $0 == "request" }
                .count ?? 0
        }

        /// A fresh clone, as a runner's checkout.
        func checkout(_ name: String) throws -> String {
            let directory = clones + "/" + name
            try FileManager.default.createDirectory(atPath: clones, withIntermediateDirectories: true)
            let clone = try Shell.run(["git", "clone", "-q", "--branch", "feature", repo.root, directory])
            #expect(clone.status == 0, "\(clone.stderr)")
            return directory
        }

        func environment(_ extra: [String: String]) -> [String: String] {
            var environment = [
                "PATH": binDirectory + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"),
                "HOME": ProcessInfo.processInfo.environment["HOME"] ?? "/root", "CI": "true",
            ]
            environment.merge(extra) { $1 }
            return environment
        }

        /// Copies `relative` (a directory) from one checkout into another, merging, as artifacts travel.
        static func carry(_ relative: String, from source: String, to target: String) throws {
            let copy = try Shell.run([
                "bash", "-c", "mkdir -p \"$2/$3\" && cp -R \"$1/$3/.\" \"$2/$3/\"", "carry", source, target, relative,
            ])
            #expect(copy.status == 0, "\(copy.stderr)")
        }
    }

    @Test func gitHubMatrixRunnersThenMergeAndGate() throws {
        let project = try Project()
        let workflow = Self.examples + "/github-actions.yml"
        let artifacts = try project.checkout("artifacts-store")
        func job(_ name: String, _ matrix: String, in directory: String) throws -> JSONValue {
            let result = try Shell.run(
                ["python3", ScriptServer.fixtures + "/run_workflow_job.py", workflow, name, matrix], in: directory,
                environment: project.environment(["GITHUB_ACTIONS": "true", "GITHUB_BASE_REF": "main"]))
            let json = try JSONParser.parse(result.stdout.split(separator: "\n").last.map(String.init) ?? "")
            #expect(json["failed"] == .bool(false), "\(name) \(matrix): \(result.stdout)\(result.stderr)")
            return json
        }
        for shard in 1...Self.runners {
            let runner = try project.checkout("runner-\(shard)")
            let steps = try job("evals-shard", "{\"shard\": \(shard)}", in: runner)["steps"]?.arrayValue ?? []
            let upload = try #require(
                steps.first { $0["uses"]?.stringValue?.hasPrefix("actions/upload-artifact") == true })
            try Project.carry(try #require(upload["with"]?["path"]?.stringValue), from: runner, to: artifacts)
        }
        #expect(project.requests == 40, "every case asked by exactly one runner")
        let gate = try project.checkout("gate")
        let download = try #require(
            Self.steps(workflow, "evals").first {
                $0["uses"]?.stringValue?.hasPrefix("actions/download-artifact") == true
            })
        let path = try #require(download["with"]?["path"]?.stringValue)
        try Project.carry(path, from: artifacts, to: gate)
        let head = try Shell.run(["git", "rev-parse", "HEAD"], in: gate).stdout.trimmingCharacters(
            in: .whitespacesAndNewlines)
        let files = try FileManager.default.contentsOfDirectory(atPath: gate + "/.evals/results/shards/\(head)")
            .sorted()
        #expect(files == ["1-of-3.json", "2-of-3.json", "3-of-3.json"])
        _ = try job("evals", "{}", in: gate)
        // The gate's `ci` reuses the merged result, so it audits it: 20 cases (the larger of 20 and
        // 5%) asked again. The runners reuse stored answers unaudited; the gate is where they are checked.
        #expect(project.requests == 60, "the gate job asked the model only the audit's sample")
        #expect(ResultStore(root: gate).load(commit: head)?.overall.cases == 40)
    }

    @Test func gitLabParallelRunnersThenMergeAndGate() throws {
        let project = try Project()
        let pipeline = Self.examples + "/gitlab-ci.yml"
        let gate = try project.checkout("gate")
        let head = try Shell.run(["git", "rev-parse", "HEAD"], in: gate).stdout.trimmingCharacters(
            in: .whitespacesAndNewlines)
        func job(_ name: String, in directory: String, _ variables: [String: String]) throws -> JSONValue {
            let result = try Shell.run(
                ["python3", ScriptServer.fixtures + "/run_gitlab_job.py", pipeline, name], in: directory,
                environment: project.environment(
                    variables.merging([
                        "GITLAB_CI": "true", "CI_PIPELINE_SOURCE": "merge_request_event",
                        "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main", "CI_COMMIT_SHA": head,
                        "CI_PROJECT_DIR": directory,
                    ]) { $1 }))
            let json = try JSONParser.parse(result.stdout.split(separator: "\n").last.map(String.init) ?? "")
            #expect(json["status"] == .number(0), "\(name): \(result.stdout)\(result.stderr)")
            return json
        }
        for index in 1...Self.runners {
            let runner = try project.checkout("runner-\(index)")
            let json = try job(
                "evalguard-shard", in: runner, ["CI_NODE_INDEX": "\(index)", "CI_NODE_TOTAL": "\(Self.runners)"])
            for path in json["artifacts"]?["paths"]?.arrayValue ?? [] {
                try Project.carry(try #require(path.stringValue), from: runner, to: gate)
            }
        }
        #expect(project.requests == 40, "every case asked by exactly one runner")
        _ = try job("evalguard", in: gate, [:])
        // The gate's `ci` reuses the merged result, so it audits it: 20 cases (the larger of 20 and
        // 5%) asked again. The runners reuse stored answers unaudited; the gate is where they are checked.
        #expect(project.requests == 60, "the gate job asked the model only the audit's sample")
        #expect(ResultStore(root: gate).load(commit: head)?.overall.cases == 40)
    }

    /// A job's `uses:` steps with their `with:`, read from the workflow (without running it).
    static func steps(_ workflow: String, _ job: String) throws -> [JSONValue] {
        let script =
            "import json,sys,yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))['jobs'][sys.argv[2]]['steps']))"
        let out = try Shell.run(["python3", "-c", script, workflow, job])
        return try JSONParser.parse(out.stdout).arrayValue ?? []
    }
}
