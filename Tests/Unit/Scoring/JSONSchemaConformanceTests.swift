import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardScoring
@testable import EvalGuardSupport

/// The official JSON-Schema-Test-Suite, draft 2020-12, required files (not `optional/`).
///
/// Where it comes from: Debian's `json-schema-test-suite` package puts the suite in
/// /usr/share/json-schema-test-suite, but bookworm's 2.0.0 stops at draft 7, so `.ci/run` also
/// unpacks the suite's draft 2020-12 files (vendored in the `jsonschema` source distribution on
/// PyPI) into /usr/local/share/json-schema-test-suite. `EVALGUARD_JSON_SCHEMA_TEST_SUITE` names
/// another copy. `remotes/` is served in place of http://localhost:1234/, with no network.
@Suite struct JSONSchemaConformanceTests {
    static let candidates = [
        ProcessInfo.processInfo.environment["EVALGUARD_JSON_SCHEMA_TEST_SUITE"],
        "/usr/local/share/json-schema-test-suite", "/usr/share/json-schema-test-suite",
    ].compactMap { $0 }
    static var root: String? {
        candidates.first { FileManager.default.fileExists(atPath: $0 + "/tests/draft2020-12/type.json") }
    }

    /// Left out on purpose, by file and test group (nil: the whole file). Two groups validate
    /// against the draft 2020-12 meta-schema by its URI: evalguard does not ship the meta-schemas
    /// and never fetches a schema. One needs `$vocabulary` from a custom meta-schema (switching
    /// the validation vocabulary off), which evalguard does not read: every schema is 2020-12.
    static let excluded: [String: Set<String>?] = [
        "vocabulary.json": ["schema that uses custom metaschema with with no validation vocabulary"],
        "defs.json": ["validate definition against metaschema"],
        "ref.json": ["remote ref, containing refs itself"],
    ]

    /// How many of the required tests pass, and how many are left out (above). Any change in
    /// the validator that breaks or fixes a test changes these figures.
    static let expectedPassing = 1250
    static let expectedExcluded = 7

    @Test func draft2020_12RequiredFiles() throws {
        guard let root = Self.root else {
            print(
                "SKIPPED: the JSON-Schema-Test-Suite's draft2020-12 files are not installed (looked in \(Self.candidates.joined(separator: ", "))); .ci/run installs them"
            )
            return
        }
        let directory = root + "/tests/draft2020-12"
        let files = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".json") }
            .sorted()
        #expect(files.count >= 40)
        let remotes = root + "/remotes/"
        let load: (String) -> JSONValue? = { uri in
            guard uri.hasPrefix("http://localhost:1234/"),
                let text = try? String(
                    contentsOfFile: remotes + uri.dropFirst("http://localhost:1234/".count), encoding: .utf8)
            else { return nil }
            return try? JSONParser.parse(text)
        }
        var passed = 0
        var excluded = 0
        var failures: [String] = []
        for file in files {
            let groups =
                try JSONParser.parse(String(contentsOfFile: directory + "/" + file, encoding: .utf8)).arrayValue ?? []
            for group in groups {
                let description = group["description"]?.stringValue ?? "?"
                let tests = group["tests"]?.arrayValue ?? []
                if let skip = Self.excluded[file], skip == nil || skip!.contains(description) {
                    excluded += tests.count
                    continue
                }
                let schema: JSONSchema
                do {
                    schema = try JSONSchema(group["schema"]!, loadRemote: load)
                } catch {
                    failures.append("\(file): \(description): schema rejected: \(error.message)")
                    continue
                }
                for test in tests {
                    let expected = test["valid"]?.boolValue ?? false
                    let violation = schema.validate(test["data"] ?? .null)
                    if (violation == nil) == expected {
                        passed += 1
                    } else {
                        failures.append(
                            "\(file): \(description): \(test["description"]?.stringValue ?? "?"): expected \(expected ? "valid" : "invalid")"
                                + (violation.map { " (\($0.description))" } ?? ""))
                    }
                }
            }
        }
        for f in failures { print("FAIL " + f) }
        print("JSON-Schema-Test-Suite draft2020-12: \(passed) passed, \(failures.count) failed, \(excluded) left out")
        #expect(failures.isEmpty)
        #expect(passed == Self.expectedPassing)
        #expect(excluded == Self.expectedExcluded)
    }
}
