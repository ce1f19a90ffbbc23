import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardSupport

/// ci/gitlab/evalguard.gitlab-ci.yml's `evalguard` job, run as a shell runner would
/// (Fixtures/run_gitlab_job.py) in a merge-request pipeline's environment, with evalguard and
/// its CI helpers installed from a release archive, against a local stand-in for the GitLab API.
@Suite struct GitLabCITests {
    static let template = CIProject.packageRoot + "/ci/gitlab/evalguard.gitlab-ci.yml"

    final class Pipeline {
        let project: CIProject
        let server: ForgeTestServer
        let prefix: String

        init(project: CIProject) throws {
            self.project = project
            server = try ForgeTestServer()
            try project.makeRelease()
            prefix = project.root + "/prefix"
            let install = try Shell.run([
                CIProject.packageRoot + "/scripts/install.sh", "--prefix", prefix,
                project.release + "/" + project.archiveName,
            ])
            #expect(install.status == 0, "\(install.stderr)")
        }

        struct Job {
            var status: Int
            var artifacts: JSONValue?
            var rules: JSONValue?
            var log: String
            var directory: String
        }

        /// The job in a fresh shallow checkout of `feature`, for merge request 12 targeting main.
        func run(token: String? = ForgeTestServer.token, variables: [String: String] = [:]) throws -> Job {
            let directory = try project.checkout()
            var environment = [
                "PATH": prefix + "/bin:" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"),
                "HOME": ProcessInfo.processInfo.environment["HOME"] ?? "/root",
                "GITLAB_CI": "true", "CI": "true", "CI_PIPELINE_SOURCE": "merge_request_event",
                "CI_API_V4_URL": server.url + "/api/v4", "CI_PROJECT_ID": "acme/shop", "CI_MERGE_REQUEST_IID": "12",
                "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main", "CI_COMMIT_SHORT_SHA": "abc1234",
                "CI_PIPELINE_URL": "https://gitlab.example/acme/shop/-/pipelines/99", "CI_PROJECT_DIR": directory,
                "EVALGUARD_SHARE": prefix + "/share/evalguard",
            ]
            if let token { environment["EVALGUARD_GITLAB_TOKEN"] = token }
            environment.merge(variables) { $1 }
            let result = try Shell.run(
                ["python3", ScriptServer.fixtures + "/run_gitlab_job.py", GitLabCITests.template, "evalguard"],
                in: directory, environment: environment)
            let json = try JSONParser.parse(result.stdout.split(separator: "\n").last.map(String.init) ?? "")
            return Job(
                status: Int(json["status"]?.numberValue ?? -1), artifacts: json["artifacts"], rules: json["rules"],
                log: result.stdout + result.stderr, directory: directory)
        }
    }

    @Test func mergeRequestNoteCreatedThenUpdatedAndJUnitReported() throws {
        let project = try CIProject()
        try project.pushModel(flipping: ["q2", "q3", "q4", "q5", "q6", "q7"], message: "Regress six cases")
        let pipeline = try Pipeline(project: project)

        let first = try pipeline.run()
        #expect(first.status == 1, "\(first.log)")
        #expect(first.rules?.arrayValue?.first?["if"]?.stringValue == "$CI_PIPELINE_SOURCE == \"merge_request_event\"")
        let junitPath = try #require(first.artifacts?["reports"]?["junit"]?.stringValue)
        let junit = try String(contentsOfFile: first.directory + "/" + junitPath, encoding: .utf8)
        #expect(junit.contains("<failure type=\"regression\""))
        #expect(first.artifacts?["when"]?.stringValue == "always")
        #expect(first.log.contains("| main | accuracy | 1.0000 | 0.4000 |"), "the report is in the job log")

        let created = try pipeline.server.requests()
        #expect(created.map(\.method) == ["GET", "POST"])
        #expect(created.allSatisfy { $0.path.hasPrefix("/api/v4/projects/acme%2Fshop/merge_requests/12/notes") })
        #expect(created.allSatisfy { $0.auth == ForgeTestServer.token })
        let note = try #require(created.last?.body)
        #expect(note.hasPrefix("<!-- evalguard-comment:default -->\n### evalguard: ❌ regression"))
        #expect(
            note.contains(
                "| main | accuracy | 1.0000 | 0.4000 | -0.6000 | max drop 0.01 | p = 0.0156 | **REGRESSION** |"))
        #expect(note.contains("[pipeline](https://gitlab.example/acme/shop/-/pipelines/99)"))
        let noteID = try #require(created.last?.id)

        try project.pushModel(flipping: [], message: "Fix the model")
        try pipeline.server.clearLog()
        let second = try pipeline.run()
        #expect(second.status == 0, "\(second.log)")
        let updated = try pipeline.server.requests()
        #expect(updated.map(\.method) == ["GET", "PUT"])
        #expect(updated.last?.path == "/api/v4/projects/acme%2Fshop/merge_requests/12/notes/\(noteID)")
        #expect(updated.last?.body?.hasPrefix("<!-- evalguard-comment:default -->\n### evalguard: ✅ pass") == true)
    }

    @Test func withoutATokenTheJobStillGates() throws {
        let project = try CIProject()
        try project.pushModel(flipping: ["q2", "q3", "q4", "q5", "q6", "q7"], message: "Regress six cases")
        let pipeline = try Pipeline(project: project)
        let job = try pipeline.run(token: nil)
        #expect(job.status == 1, "\(job.log)")
        #expect(job.log.contains("set EVALGUARD_GITLAB_TOKEN"))
        #expect(try pipeline.server.requests().isEmpty)
    }

    @Test func aRefusedTokenDoesNotHideTheVerdict() throws {
        let project = try CIProject()
        try project.pushModel(flipping: ["q2"], message: "Flip one case")
        let pipeline = try Pipeline(project: project)
        let job = try pipeline.run(token: "wrong-token")
        #expect(job.status == 0, "inconclusive passes by default: \(job.log)")
        #expect(job.log.contains("HTTP 401"))
        #expect(job.log.contains("could not write the merge-request note"))
    }
}
