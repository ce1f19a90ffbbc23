import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardScoring
@testable import EvalGuardSupport

/// A `$ref` loop that never descends into the instance would recurse without end on every case:
/// it is refused when the schema is compiled, naming where. Recursion that descends (a tree whose
/// children refer back to the root) is how recursive data is described, and stays legal.
@Suite struct JSONSchemaRefLoopTests {
    func compile(_ json: String) throws(SchemaDefinitionError) -> JSONSchema {
        try JSONSchema(try! JSONParser.parse(json))
    }

    func loopError(_ json: String) -> SchemaDefinitionError? {
        do { _ = try compile(json) } catch { return error }
        return nil
    }

    @Test func loopsOfReferencesAreRefusedAtCompileTime() throws {
        let pair = try #require(
            loopError(##"{"$ref": "#/$defs/a", "$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"$ref": "#/$defs/a"}}}"##))
        #expect(
            pair.message
                == ##"$ref "#/$defs/b" loops back to itself without descending into the value (#/$defs/a → #/$defs/b → #/$defs/a), so validating any value would never end"##
        )
        #expect(pair.path == ["$defs", "a", "$ref"])
        let itself = try #require(loopError(##"{"type": "object", "$ref": "#"}"##))
        #expect(itself.message.contains("(# → #)"), "\(itself.message)")
        // In-place applicators keep the same value: a loop through them is a loop too.
        let throughAllOf = try #require(
            loopError(##"{"$defs": {"a": {"allOf": [{"type": "string"}, {"$ref": "#/$defs/a"}]}}}"##))
        #expect(throughAllOf.message.contains("(#/$defs/a → #/$defs/a/allOf/1 → #/$defs/a)"), "\(throughAllOf.message)")
        #expect(throughAllOf.path == ["$defs", "a", "allOf", "1", "$ref"])
    }

    @Test func recursionThatDescendsIntoTheValueStaysLegal() throws {
        let tree = try compile(
            ##"""
            {"type": "object", "required": ["name"],
             "properties": {"name": {"type": "string"}, "children": {"type": "array", "items": {"$ref": "#"}}}}
            """##)
        #expect(
            tree.validate(
                try JSONParser.parse(##"{"name": "a", "children": [{"name": "b", "children": [{"name": "c"}]}]}"##))
                == nil)
        #expect(tree.validate(try JSONParser.parse(##"{"name": "a", "children": [{"children": []}]}"##)) != nil)
        // A loop of references that passes through a keyword that descends is recursion, not a loop.
        let linked = try compile(
            ##"{"$ref": "#/$defs/node", "$defs": {"node": {"anyOf": [{"type": "null"}, {"$ref": "#/$defs/pair"}]}, "pair": {"properties": {"next": {"$ref": "#/$defs/node"}}}}}"##
        )
        #expect(linked.validate(try JSONParser.parse(##"{"next": {"next": null}}"##)) == nil)
    }

    @Test func aSchemaFileWithALoopStopsTheRunBeforeTheModelNamingTheFile() throws {
        let repo = try ScratchRepository()
        let counter = repo.path(".git/model-starts.log")
        try repo.write("model.py", Models.echo(counter: counter))
        try repo.write(".evals/.gitignore", "results/\n")
        try repo.write(
            ".evals/schemas/loop.json",
            """
            {
              "$defs": {
                "a": {"$ref": "#/$defs/b"},
                "b": {"$ref": "#/$defs/a"}
              },
              "$ref": "#/$defs/a"
            }

            """)
        try repo.write(".evals/cases/s.jsonl", ##"{"id": "one", "input": {"x": 1}}"## + "\n")
        try repo.write(
            ".evals/evalguard.json",
            """
            {
              "model": {"command": ["python3", "model.py"], "jobs": 1},
              "suites": {"s": {"cases": "cases/s.jsonl", "scorer": {"type": "json-schema", "schema_file": ".evals/schemas/loop.json"}}}
            }
            """)
        try repo.commitAll("loop")
        let run = repo.evalguard("run")
        #expect(run.status == 2)
        #expect(run.stderr.contains(".evals/schemas/loop.json:3"), "\(run.stderr)")
        #expect(run.stderr.contains(##"invalid JSON Schema: $ref "#/$defs/b" loops back to itself"##), "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: counter), "the model was not started")
    }
}
