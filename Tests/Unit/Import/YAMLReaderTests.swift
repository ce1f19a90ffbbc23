import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardImport
@testable import EvalGuardSupport

/// The YAML subset promptfoo configurations are written in, read exactly, and everything else
/// refused with the file and line.
@Suite struct YAMLReaderTests {
    func json(_ text: String) throws -> JSONValue { try YAMLReader.parse(text, path: "t.yaml").json }

    func failure(_ text: String) -> EvalGuardError? {
        do {
            _ = try YAMLReader.parse(text, path: "t.yaml")
            return nil
        } catch { return error as? EvalGuardError }
    }

    @Test func blockMappingsAndSequencesWithComments() throws {
        let text = """
            # a comment
            description: Router   # trailing comment
            prompts:
              - 'Route: {{ticket}}'
              - file://prompts/route.txt
            tests:
            - vars:
                ticket: hi
                n: 3
              assert:
                - type: equals
                  value: greeting
            - vars: {ticket: "bye", tags: [a, 'b c', "d"]}
            """
        #expect(
            try json(text)
                == .object([
                    "description": .string("Router"),
                    "prompts": .array([.string("Route: {{ticket}}"), .string("file://prompts/route.txt")]),
                    "tests": .array([
                        .object([
                            "vars": .object(["ticket": .string("hi"), "n": .number(3)]),
                            "assert": .array([.object(["type": .string("equals"), "value": .string("greeting")])]),
                        ]),
                        .object([
                            "vars": .object([
                                "ticket": .string("bye"), "tags": .array([.string("a"), .string("b c"), .string("d")]),
                            ])
                        ]),
                    ]),
                ]))
    }

    @Test func scalarsResolveAsYAMLCoreSchema() throws {
        let text = """
            a: 42
            b: -1.5
            c: true
            d: ~
            e: null
            f: 'it''s'
            g: "tab\\tand \\u00e9"
            h: 0x1F
            i: 1.2.3
            j: "42"
            k:
            """
        #expect(
            try json(text)
                == .object([
                    "a": .number(42), "b": .number(-1.5), "c": .bool(true), "d": .null, "e": .null,
                    "f": .string("it's"),
                    "g": .string("tab\tand é"), "h": .number(31), "i": .string("1.2.3"), "j": .string("42"), "k": .null,
                ]))
    }

    @Test func literalAndFoldedBlockScalarsWithChomping() throws {
        let text = """
            literal: |
              line one
                indented
              line three
            folded: >
              one
              two

              three
            stripped: |-
              no newline
            kept: |+
              two newlines

            next: x
            """
        #expect(
            try json(text)
                == .object([
                    "literal": .string("line one\n  indented\nline three\n"),
                    "folded": .string("one two\nthree\n"),
                    "stripped": .string("no newline"),
                    "kept": .string("two newlines\n\n"),
                    "next": .string("x"),
                ]))
    }

    @Test func flowCollectionsAndQuotedScalarsSpanLines() throws {
        let text = """
            assert: [
              {type: contains, value: "a, b"},
              {type: regex, value: '^x$'}
            ]
            note: "folded
              over lines"
            """
        #expect(
            try json(text)
                == .object([
                    "assert": .array([
                        .object(["type": .string("contains"), "value": .string("a, b")]),
                        .object(["type": .string("regex"), "value": .string("^x$")]),
                    ]),
                    "note": .string("folded over lines"),
                ]))
    }

    @Test func sequenceItemsKnowTheirLines() throws {
        let node = try YAMLReader.parse("tests:\n  # first\n  - vars: {a: 1}\n\n  - vars: {a: 2}\n", path: "t.yaml")
        guard case .sequence(let items, _)? = node["tests"] else {
            Issue.record("no tests")
            return
        }
        #expect(items.map(\.line) == [3, 5])
    }

    @Test func whatItDoesNotReadIsAnErrorAtItsLine() {
        let refused: [(String, Int, String)] = [
            ("base: &base\n  a: 1\n", 1, "anchors, aliases and tags"),
            ("a: 1\nb: *base\n", 2, "anchors, aliases and tags"),
            ("a: !!str 1\n", 1, "anchors, aliases and tags"),
            ("a:\n  <<: {b: 1}\n", 2, "merge keys"),
            ("? complex\n: value\n", 1, "complex keys"),
            ("a: 1\n---\nb: 2\n", 2, "several YAML documents"),
            ("a: 1\na: 2\n", 2, "duplicate key 'a' (first at line 1)"),
            ("a: \"open\nb: 2\n", 1, "the quoted value is not closed"),
            ("a:\n\t- b\n", 2, "a tab indents this line"),
            ("a: plain\n  continued\n", 2, "a plain value continued on the next line"),
            ("a: [1, 2\nb: 3\n", 2, "expected ',' or ']'"),
            ("a: 1\n  b: 2\n", 2, "unexpected indentation"),
        ]
        for (text, line, message) in refused {
            let error = failure(text)
            #expect(
                error?.file == "t.yaml" && error?.line == line && error?.message.contains(message) == true,
                "\(text.debugDescription): \(String(describing: error))")
        }
    }

    @Test func anEmptyDocumentIsNull() throws {
        #expect(try json("# nothing\n") == .null)
        #expect(try json("---\na: 1\n") == .object(["a": .number(1)]))
    }

    @Test func nestedSequencesQuotedKeysColonsAndCRLF() throws {
        let text =
            "tests:\r\n- - a\r\n  - b\r\n- \"quoted key\": 1\r\n  url: http://x.com/a#frag\r\n  time: 12:30\r\n  list:\r\n      - deep\r\n  empty: \"\"\r\n"
        #expect(
            try json(text)
                == .object([
                    "tests": .array([
                        .array([.string("a"), .string("b")]),
                        .object([
                            "quoted key": .number(1), "url": .string("http://x.com/a#frag"), "time": .string("12:30"),
                            "list": .array([.string("deep")]), "empty": .string(""),
                        ]),
                    ])
                ]))
    }
}
