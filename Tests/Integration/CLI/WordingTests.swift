import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardRunner

/// Messages that say what actually happened and what to do about it.
@Suite struct WordingTests {
    @Test func blameWithTheSameCommitAtBothEndsSaysSoAndWhatToDo() throws {
        let repo = try ScratchRepository()
        try repo.setUpEvals(model: Models.echo(), cases: [caseLine("a", "a")])
        try repo.commitAll("Add evals")
        let sha = String(repo.head.prefix(7))
        for (good, bad) in [("HEAD", "HEAD"), (sha, "HEAD"), ("main", sha)] {
            let r = repo.evalguard("blame", "--good", good, "--bad", bad)
            #expect(r.status == 2, "\(r.stderr)")
            #expect(r.stderr.contains("--good \(good) and --bad \(bad) are the same commit (\(sha))"), "\(r.stderr)")
            #expect(r.stderr.contains("Give --good a commit before"), "\(r.stderr)")
            #expect(!r.stderr.contains("not an ancestor"), "\(r.stderr)")
        }
    }

    @Test func aResponseBodyCutOffIsReportedAsCutOffNotAsCannotConnect() throws {
        let server = try OpenAITestServer()
        let provider = try openAIProvider(
            """
            {"provider": "openai", "base_url": "\(server.baseURL)", "model": "m", "messages": [{"role": "user", "content": "{{input}}"}],
             "max_retries": 0, "max_error_rate": 1, "timeout_s": 5}
            """)
        let responses = try provider.answer(textRequests(["truncate me", "fine"])) { _ in }
        let error = try #require(responses[0].error)
        #expect(error.hasPrefix("the response from \(server.baseURL)/chat/completions was cut off after "), "\(error)")
        #expect(error.contains(" of ") && error.contains("body bytes"), "\(error)")
        #expect(!error.contains("cannot connect"), "\(error)")
        #expect(responses[1].error == nil)
    }

    @Test func theHTTPParserSaysHowManyBytesCameBeforeTheCut() throws {
        func cut(_ text: String) -> HTTPResponseParser.Malformed? {
            var parser = HTTPResponseParser()
            Array(text.utf8).withUnsafeBytes { parser.append($0) }
            do {
                _ = try parser.complete(atEOF: true)
                return nil
            } catch { return error }
        }
        let length = try #require(cut("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n1234"))
        #expect(length.cutOff == "after 4 of 10 body bytes")
        let chunked = try #require(cut("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabc"))
        #expect(chunked.cutOff == "after 6 bytes of a chunked body")
        #expect(cut("HTTP/1.1 200 OK\r\nContent-Le")?.cutOff == "after 27 bytes, in the headers")
        let bad = try #require(cut("HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n"))
        #expect(bad.cutOff == nil)
    }
}
