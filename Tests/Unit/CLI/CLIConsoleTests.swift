import EvalGuardTestSupport
import Testing

@testable import EvalGuardCLI

@Suite struct CLIConsoleTests {
    @Test func colourOnlyOnATerminalWithoutNoColorOrDumbTerm() {
        #expect(Console.capturing(stdoutIsTerminal: true).0.useColor)
        #expect(!Console.capturing(stdoutIsTerminal: false).0.useColor)
        #expect(!Console.capturing(stdoutIsTerminal: true, environment: ["NO_COLOR": "1"]).0.useColor)
        #expect(!Console.capturing(stdoutIsTerminal: true, environment: ["TERM": "dumb"]).0.useColor)
        // no-color.org: an empty NO_COLOR does not count.
        #expect(Console.capturing(stdoutIsTerminal: true, environment: ["NO_COLOR": ""]).0.useColor)
        let (console, _) = Console.capturing(stdoutIsTerminal: false, stderrIsTerminal: true)
        #expect(!console.useColor && console.useColorOnStderr)
    }

    @Test func outAndErrGoToTheirOwnStreamsLikePrint() {
        let (console, captured) = Console.capturing()
        console.out("result")
        console.out("a", terminator: "")
        console.err("warning: slow")
        #expect(captured.stdout == "result\na")
        #expect(captured.stderr == "warning: slow\n")
    }

    final class Recorder: @unchecked Sendable {
        var events: [String] = []
    }

    @Test func bufferedStdoutWaitsForFlushButNeverFallsBehindStderr() {
        let recorder = Recorder()
        let console = Console(
            stdout: { recorder.events.append("out:" + $0) },
            stderr: { recorder.events.append("err:" + $0) },
            bufferStdout: true)
        console.out("one")
        console.out("two")
        #expect(recorder.events.isEmpty)
        console.err("progress")
        #expect(recorder.events == ["out:one\ntwo\n", "err:progress\n"])
        console.out("three")
        console.flush()
        #expect(recorder.events.last == "out:three\n")
    }

    @Test func aTerminalStdoutIsFlushedAtOnce() {
        let recorder = Recorder()
        let console = Console(
            stdout: { recorder.events.append($0) }, stderr: { _ in },
            isStdoutTerminal: true, bufferStdout: true)
        console.out("line")
        #expect(recorder.events == ["line\n"])
    }
}
