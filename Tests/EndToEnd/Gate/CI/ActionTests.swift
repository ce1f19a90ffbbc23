import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardSupport

/// action.yml, run step by step as the Actions runner would (Fixtures/run_action.py), with a fake
/// GitHub environment: a pull_request event, GITHUB_API_URL at a local stand-in for the REST API
/// that also serves the release archive, a step summary file and per-step outputs.
@Suite struct ActionTests {
    final class Job {
        let project: CIProject
        let server: ForgeTestServer
        let toolCache: String
        let summary: String

        init(project: CIProject, seed: Int = 0) throws {
            self.project = project
            server = try ForgeTestServer(files: project.release, seed: seed)
            toolCache = project.root + "/toolcache"
            summary = project.root + "/summary.md"
        }

        struct Run {
            var outputs: [String: String]
            var steps: [(id: String, ran: Bool, status: Int?)]
            var failed: Bool
            var log: String
            var workspace: String
            func status(of id: String) -> Int? { steps.first { $0.id == id }?.status }
            /// The action's conclusion: the last step's exit status (it exits with the verdict's code).
            var exitCode: Int? { steps.last?.status }
        }

        /// Runs the action in a fresh depth-1 checkout of `feature` for pull request 7.
        func run(_ inputs: [String: String] = [:]) throws -> Run {
            let workspace = try project.checkout()
            let temp = project.root + "/runner-temp-\(UUID().uuidString.prefix(8))"
            try FileManager.default.createDirectory(atPath: temp, withIntermediateDirectories: true)
            let event = temp + "/event.json"
            try #"{"action": "synchronize", "pull_request": {"number": 7, "base": {"ref": "main"}}}"#
                .write(toFile: event, atomically: true, encoding: .utf8)
            let sha = try Shell.run(["git", "rev-parse", "HEAD"], in: workspace).stdout.trimmingCharacters(
                in: .whitespacesAndNewlines)
            let environment = [
                "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
                "HOME": ProcessInfo.processInfo.environment["HOME"] ?? "/root",
                "GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": event,
                "GITHUB_API_URL": server.url, "GITHUB_SERVER_URL": server.url, "GITHUB_REPOSITORY": "acme/shop",
                "GITHUB_ACTION_REPOSITORY": "acme/evalguard", "GITHUB_BASE_REF": "main", "GITHUB_HEAD_REF": "feature",
                "GITHUB_SHA": sha, "GITHUB_RUN_ID": "4242", "GITHUB_TOKEN": ForgeTestServer.token,
                "GITHUB_WORKSPACE": workspace, "GITHUB_STEP_SUMMARY": summary,
                "RUNNER_OS": "Linux", "RUNNER_ARCH": "X64", "RUNNER_TEMP": temp, "RUNNER_TOOL_CACHE": toolCache,
            ]
            var given = ["release-url": server.url + "/download"]
            given.merge(inputs) { $1 }
            let inputsJSON = JSONValue.object(given.mapValues { .string($0) }).canonicalText
            let result = try Shell.run(
                ["python3", ScriptServer.fixtures + "/run_action.py", CIProject.packageRoot, inputsJSON],
                in: workspace, environment: environment)
            let json = try JSONParser.parse(result.stdout.split(separator: "\n").last.map(String.init) ?? "")
            let outputs = (json["outputs"]?.objectValue ?? [:]).compactMapValues { $0.stringValue }
            let steps = (json["steps"]?.arrayValue ?? []).map {
                (
                    id: $0["id"]?.stringValue ?? "", ran: $0["ran"]?.boolValue ?? false,
                    status: $0["status"]?.numberValue.map { Int($0) }
                )
            }
            return Run(
                outputs: outputs, steps: steps, failed: json["failed"]?.boolValue ?? false,
                log: result.stderr + result.stdout, workspace: workspace)
        }
    }

    @Test func oneCommentCreatedThenUpdatedOnEveryPush() throws {
        let project = try CIProject()
        try project.makeRelease()
        try project.pushModel(flipping: ["q2", "q3", "q4", "q5", "q6", "q7"], message: "Regress six cases")
        // 101 comments by others: ours is on the second page of the listing.
        let job = try Job(project: project, seed: 101)

        let first = try job.run(["junit": "reports/evalguard.xml"])
        #expect(first.outputs["verdict"] == "regression", "\(first.log)")
        #expect(first.outputs["regressions"] == "1")
        #expect(first.exitCode == 1)
        #expect(first.failed)
        let report = try #require(first.outputs["report"])
        #expect(
            try String(contentsOfFile: report, encoding: .utf8).contains(
                "| main | accuracy | 1.0000 | 0.4000 | -0.6000 | max drop 0.01 | p = 0.0156 | **REGRESSION** |"))
        #expect(first.outputs["junit"] == first.workspace + "/reports/evalguard.xml")
        let junit = try String(contentsOfFile: first.workspace + "/reports/evalguard.xml", encoding: .utf8)
        #expect(junit.contains("<failure type=\"regression\""))
        let summary = try String(contentsOfFile: job.summary, encoding: .utf8)
        #expect(summary.hasPrefix("### evalguard: ❌ regression"))
        #expect(summary.contains("| main | accuracy | 1.0000 | 0.4000 |"))
        // The shallow checkout was deepened to the merge-base, and the shared results fetched.
        #expect(try Shell.run(["git", "merge-base", "HEAD", "origin/main"], in: first.workspace).status == 0)
        #expect(
            try Shell.run(["git", "rev-parse", "--verify", "-q", "refs/notes/evalguard"], in: first.workspace).status
                == 0)
        #expect(first.log.contains("fetched shared results (refs/notes/evalguard)"))

        let firstRequests = try job.server.requests()
        let downloads = firstRequests.filter { $0.path.hasPrefix("/download/") }.map(\.path)
        #expect(
            downloads == [
                "/download/v\(EvalGuardVersion.current)/\(project.archiveName)",
                "/download/v\(EvalGuardVersion.current)/\(project.archiveName).sha256",
            ])
        let api = firstRequests.filter { !$0.path.hasPrefix("/download/") }
        #expect(api.map(\.method) == ["GET", "GET", "POST"])
        #expect(api.map(\.query).prefix(2) == ["per_page=100&page=1", "per_page=100&page=2"])
        #expect(api.allSatisfy { $0.auth == "Bearer \(ForgeTestServer.token)" })
        let post = try #require(api.last)
        #expect(post.path == "/repos/acme/shop/issues/7/comments")
        #expect(post.status == 201)
        let created = try #require(post.body)
        #expect(created.hasPrefix("<!-- evalguard-comment:default -->\n### evalguard: ❌ regression"))
        #expect(
            created.contains(
                "| main | accuracy | 1.0000 | 0.4000 | -0.6000 | max drop 0.01 | p = 0.0156 | **REGRESSION** |"))
        #expect(created.contains("[workflow run](\(job.server.url)/acme/shop/actions/runs/4242)"))
        let commentID = try #require(post.id)

        // The next push fixes the model: the same comment is edited, nothing is downloaded again.
        try project.pushModel(flipping: [], message: "Fix the model")
        try job.server.clearLog()
        let second = try job.run()
        #expect(second.outputs["verdict"] == "pass", "\(second.log)")
        #expect(second.outputs["regressions"] == "0")
        #expect(second.exitCode == 0)
        #expect(!second.failed)
        let secondRequests = try job.server.requests()
        #expect(secondRequests.filter { $0.path.hasPrefix("/download/") }.isEmpty)
        #expect(second.log.contains("using the cached evalguard \(EvalGuardVersion.current)"))
        #expect(secondRequests.map(\.method) == ["GET", "GET", "PATCH"])
        let patch = try #require(secondRequests.last)
        #expect(patch.path == "/repos/acme/shop/issues/comments/\(commentID)")
        #expect(patch.status == 200)
        #expect(patch.body?.hasPrefix("<!-- evalguard-comment:default -->\n### evalguard: ✅ pass") == true)
        #expect(try String(contentsOfFile: job.summary, encoding: .utf8).contains("### evalguard: ✅ pass"))
    }

    @Test func aTamperedArchiveIsNotInstalled() throws {
        let project = try CIProject()
        try project.makeRelease(corrupt: true)
        try project.pushModel(flipping: ["q2"], message: "Flip one case")
        let job = try Job(project: project)
        let run = try job.run()
        #expect(run.failed)
        #expect(run.status(of: "install") != 0)
        #expect(run.steps.first { $0.id == "run" }?.ran == false)
        #expect(run.log.contains("does not match"), "\(run.log)")
        #expect(
            !FileManager.default.fileExists(
                atPath: job.toolCache + "/evalguard/\(EvalGuardVersion.current)/x86_64/bin/evalguard"))
        #expect(try job.server.requests().allSatisfy { $0.path.hasPrefix("/download/") })
    }

    @Test func inconclusiveFailsOnlyWhenAsked() throws {
        let project = try CIProject()
        try project.makeRelease()
        // One case of ten flips: beyond the one-point threshold, far from significant.
        try project.pushModel(flipping: ["q2"], message: "Flip one case")
        let job = try Job(project: project)
        let lenient = try job.run(["comment": "off"])
        #expect(lenient.outputs["verdict"] == "inconclusive", "\(lenient.log)")
        #expect(lenient.exitCode == 0)
        let strict = try job.run(["comment": "off", "fail-on-inconclusive": "true"])
        #expect(strict.outputs["verdict"] == "inconclusive")
        #expect(strict.exitCode == 1)
        let report = try String(contentsOfFile: try #require(strict.outputs["report"]), encoding: .utf8)
        #expect(report.contains("An inconclusive verdict fails this check (fail-on-inconclusive)."))
        #expect(try job.server.requests().allSatisfy { $0.path.hasPrefix("/download/") }, "comment: off posts nothing")
        // Never quietly: the inconclusive metric is a warning annotation with what would settle it.
        #expect(
            lenient.log.contains("::warning file=.evals/baseline.json,title=evalguard%3A main accuracy inconclusive::"),
            "\(lenient.log)")
        #expect(lenient.log.contains("to settle it: "))
    }

    @Test func htmlTrustStoredNoSettleAndArgsReachEvalguard() throws {
        let project = try CIProject()
        try project.makeRelease()
        try project.pushModel(flipping: ["q2"], message: "Flip one case")
        let job = try Job(project: project)
        let run = try job.run([
            "comment": "off", "html": "out/report.html", "trust-stored": "true", "no-settle": "true",
            "args": "--fresh  --suite main",
        ])
        #expect(run.outputs["verdict"] == "inconclusive", "\(run.log)")
        #expect(run.log.contains("--trust-stored --no-settle --fresh --suite main"), "\(run.log)")
        #expect(FileManager.default.fileExists(atPath: run.workspace + "/out/report.html"), "\(run.log)")
    }

    @Test func anErrorIsReportedNotHidden() throws {
        let project = try CIProject()
        try project.makeRelease()
        try project.pushModel(flipping: ["q2"], message: "Change the model")
        let job = try Job(project: project)
        let run = try job.run(["base": "no-such-branch", "suites": "main, other"])
        #expect(run.outputs["verdict"] == "error", "\(run.log)")
        #expect(run.exitCode == 2)
        // Suites are passed through, one --suite each; the base as --base.
        #expect(run.log.contains("--base no-such-branch --suite main --suite other"))
        let comment = try #require(try job.server.requests().last { $0.method == "POST" }?.body)
        #expect(comment.hasPrefix("<!-- evalguard-comment:default -->\n### evalguard: ⚠️ could not decide (exit 2)"))
        #expect(comment.contains("```text\n"))
    }

    /// The first step alone: which archive for which runner, and where it is cached.
    @Test func setupPicksTheArchiveForTheRunner() throws {
        let temp = NSTemporaryDirectory() + "evalguard-setup-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: temp, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: temp) }
        func setup(_ version: String, os: String = "Linux", arch: String) throws -> (Int32, [String: String], String) {
            let output = temp + "/output-\(UUID().uuidString)"
            _ = FileManager.default.createFile(atPath: output, contents: nil)
            let run = try Shell.run(
                [CIProject.packageRoot + "/scripts/action/setup.sh"],
                environment: [
                    "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
                    "GITHUB_ACTION_PATH": CIProject.packageRoot,
                    "GITHUB_OUTPUT": output, "INPUT_VERSION": version, "RUNNER_OS": os, "RUNNER_ARCH": arch,
                    "RUNNER_TOOL_CACHE": temp + "/cache", "RUNNER_TEMP": temp + "/tmp",
                ])
            let pairs = try String(contentsOfFile: output, encoding: .utf8).split(separator: "\n").reduce(
                into: [String: String]()
            ) {
                let parts = $1.split(separator: "=", maxSplits: 1)
                if parts.count == 2 { $0[String(parts[0])] = String(parts[1]) }
            }
            return (run.status, pairs, run.stdout + run.stderr)
        }
        let arm = try setup("v1.2.3", arch: "ARM64")
        #expect(arm.0 == 0)
        #expect(arm.1["mode"] == "release")
        #expect(arm.1["archive"] == "evalguard-1.2.3-linux-aarch64.tar.gz")
        #expect(arm.1["cache-dir"] == temp + "/cache/evalguard/1.2.3/aarch64")
        let own = try setup("", arch: "X64")
        #expect(own.1["archive"] == "evalguard-\(EvalGuardVersion.current)-linux-x86_64.tar.gz")
        let source = try setup("source", os: "macOS", arch: "ARM64")
        #expect(source.0 == 0)
        #expect(source.1["mode"] == "source")
        #expect(source.1["cache-dir"] == temp + "/tmp/evalguard-source/aarch64")
        let mac = try setup("", os: "macOS", arch: "ARM64")
        #expect(mac.0 == 2)
        #expect(mac.2.contains("release archives are for Linux runners"))
        #expect(mac.1.isEmpty)
    }
}
