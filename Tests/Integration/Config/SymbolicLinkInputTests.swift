import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardGit
@testable import EvalGuardSupport

/// A file named by `{"file": ...}` or `schema_file` is never read through a symbolic link, in
/// the working tree or in a commit (a tree entry of mode 120000): outside the repository it
/// would send outside text to the model, and inside it the key would not see the target.
@Suite(.serialized) struct SymbolicLinkInputTests {
    let outside = NSTemporaryDirectory() + "evalguard-outside-\(UUID().uuidString).txt"

    /// A suite scored by a JSON Schema from `schemas/answer.json`, and an openai model whose
    /// system prompt is `prompts/system.txt`, committed: each a link to its target when given,
    /// else a file.
    func project(server: OpenAITestServer, schemaTarget: String?, promptTarget: String?) throws -> ScratchRepository {
        let repo = try ScratchRepository()
        try "{\"type\": \"string\"}".write(toFile: outside, atomically: true, encoding: .utf8)
        try repo.write("prompts/real.txt", "Answer briefly.\n")
        for (path, target, text) in [
            ("schemas/answer.json", schemaTarget, #"{"type": "string"}"#),
            ("prompts/system.txt", promptTarget, "Answer briefly.\n"),
        ] {
            if let target {
                try FileManager.default.createDirectory(
                    atPath: repo.path(path.split(separator: "/")[0].description), withIntermediateDirectories: true)
                try FileManager.default.createSymbolicLink(atPath: repo.path(path), withDestinationPath: target)
            } else {
                try repo.write(path, text)
            }
        }
        try repo.write(
            ".evals/evalguard.json",
            """
            {
              "models": {
                "local": {"command": ["python3", "model.py"], "timeout_s": 10},
                "chat": {"provider": "openai", "base_url": "\(server.baseURL)", "model": "m", "retry_backoff_s": 0.01,
                         "messages": [{"role": "system", "content": {"file": "prompts/system.txt"}}, {"role": "user", "content": "{{input}}"}]}
              },
              "suites": {
                "shape": {"cases": "cases/shape.jsonl", "model": "local", "scorer": {"type": "json-schema", "schema_file": "schemas/answer.json"}},
                "chat": {"cases": "cases/chat.jsonl", "model": "chat", "scorer": "exact"}
              }
            }
            """)
        try repo.write("model.py", Models.echo())
        try repo.write(".evals/cases/shape.jsonl", #"{"id": "a", "input": "x"}"# + "\n")
        try repo.write(".evals/cases/chat.jsonl", caseLine("b", "y") + "\n")
        try repo.write(".evals/.gitignore", "results/\n")
        try repo.commitAll("links")
        return repo
    }

    @Test func aLinkOutsideTheRepositoryIsRefusedInTheWorkingTreeAndInACommit() throws {
        defer { try? FileManager.default.removeItem(atPath: outside) }
        let server = try OpenAITestServer()
        let repo = try project(server: server, schemaTarget: outside, promptTarget: nil)
        for run in [repo.evalguard("run", "--fresh"), repo.evalguard("run", "--commit", "HEAD")] {
            #expect(run.status == 2, "\(run.stderr)")
            #expect(
                run.stderr.contains(
                    "error: schemas/answer.json is a symbolic link to \(outside), outside the repository"),
                "\(run.stderr)")
        }
        #expect(try server.requests().isEmpty)
    }

    @Test func aPromptLinkInsideTheRepositoryIsRefusedNamingItsTarget() throws {
        let server = try OpenAITestServer()
        let repo = try project(server: server, schemaTarget: nil, promptTarget: "real.txt")
        for run in [repo.evalguard("run", "--fresh"), repo.evalguard("run", "--commit", "HEAD")] {
            #expect(run.status == 2, "\(run.stderr)")
            #expect(
                run.stderr.contains(
                    "error: prompts/system.txt is a symbolic link to prompts/real.txt: evalguard follows no links"),
                "\(run.stderr)")
        }
        #expect(try server.requests().isEmpty)
    }

    @Test func aLinkedDirectoryOnTheWayIsRefusedToo() throws {
        let repo = try ScratchRepository()
        try repo.write("shared/rubric.md", "Be kind.\n")
        try FileManager.default.createSymbolicLink(atPath: repo.path("rubrics"), withDestinationPath: "shared")
        try repo.commitAll("a linked directory")
        let git = try Repository.discover(from: repo.root)
        for read in [
            { try RepositoryFile.contents("rubrics/rubric.md", root: repo.root) },
            { try git.fileContents("rubrics/rubric.md", atCommit: repo.head) },
        ] {
            #expect {
                _ = try read()
            } throws: { error in
                "\(error)".contains(
                    "rubrics/rubric.md lies under rubrics, a symbolic link to shared: evalguard follows no links")
                    && (error as? EvalGuardError)?.exitCode == .usage
            }
        }
        #expect(try RepositoryFile.contents("shared/rubric.md", root: repo.root) == Array("Be kind.\n".utf8))
        #expect(try git.fileContents("shared/rubric.md", atCommit: repo.head) == Array("Be kind.\n".utf8))
        #expect(try git.fileContents("shared/none.md", atCommit: repo.head) == nil)
    }

    /// The configuration and a model's price table are inputs too: read through no link.
    @Test func aLinkedConfigurationOrPriceTableIsRefused() throws {
        let server = try OpenAITestServer()
        let repo = try project(server: server, schemaTarget: nil, promptTarget: nil)
        try repo.write(".evals/real-prices.json", #"{"m": {"input_per_million": 1, "output_per_million": 2}}"#)
        try FileManager.default.createSymbolicLink(
            atPath: repo.path(".evals/prices.json"), withDestinationPath: "real-prices.json")
        let priced = repo.evalguard("run", "--fresh")
        #expect(priced.status == 2, "\(priced.stderr)")
        #expect(
            priced.stderr.contains(
                ".evals/prices.json is a symbolic link to .evals/real-prices.json: evalguard follows no links"),
            "\(priced.stderr)")
        try FileManager.default.removeItem(atPath: repo.path(".evals/prices.json"))
        try FileManager.default.moveItem(
            atPath: repo.path(".evals/evalguard.json"), toPath: repo.path(".evals/config.json"))
        try FileManager.default.createSymbolicLink(
            atPath: repo.path(".evals/evalguard.json"), withDestinationPath: "config.json")
        let configured = repo.evalguard("run", "--fresh")
        #expect(configured.status == 2, "\(configured.stderr)")
        #expect(
            configured.stderr.contains(".evals/evalguard.json is a symbolic link to .evals/config.json"),
            "\(configured.stderr)")
        #expect(try server.requests().isEmpty)
    }
}
