import EvalGuardSupport
import FoundationEssentials

/// promptfoo's tests: a `promptfooconfig.yaml` (its `tests:` inline, or `file://` paths and
/// globs of YAML, JSON, JSON Lines and CSV test files, with `defaultTest` merged in), or one
/// such test file. `vars` become the input (one var: its value; several: the object of them).
/// Nothing in the files is run: test generators (`file://tests.py`) are reported, not imported.
package enum PromptfooImport {
    package struct Read: Sendable {
        package var tests: [ReadTest] = []
        /// What was not imported as a whole (a generator, `scenarios`), with where it is written.
        package var skipped: [SkippedCase] = []
    }

    struct Defaults {
        var vars: [(key: String, value: YAMLNode)] = []
        var assertions: [YAMLNode] = []
    }

    /// `path` is absolute; `display` names it in messages.
    package static func read(path: String, display: String) throws -> Read {
        var read = Read()
        if path.lowercased().hasSuffix(".csv") {
            read.tests = try csvTests(path: path, display: display, defaults: Defaults())
            return read
        }
        let root = try YAMLReader.parse(try text(path, display: display), path: display)
        let base = PathText.parent(path)
        let displayBase = PathText.parent(display)
        switch root {
        case .sequence:
            try tests(root, defaults: Defaults(), base: base, displayBase: displayBase, file: display, into: &read)
        case .mapping:
            guard let tests = root["tests"] else {
                throw EvalGuardError(
                    "no \"tests\" in this promptfoo configuration", file: display, line: root.line,
                    hint: "evalguard imports the tests: a list under \"tests:\", or file:// paths of test files.")
            }
            var defaults = Defaults()
            if let d = root["defaultTest"] {
                guard case .mapping = d else {
                    throw EvalGuardError(
                        "defaultTest from a file is not read", file: display, line: d.line,
                        hint: "Write defaultTest inline.")
                }
                if case .mapping(let vars, _)? = d["vars"] { defaults.vars = vars }
                if case .sequence(let items, _)? = d["assert"] { defaults.assertions = items }
            }
            if let s = root["scenarios"] {
                read.skipped.append(
                    SkippedCase(
                        source: "\(display):\(s.line)",
                        reason: "scenarios are not imported: list their tests under tests:"))
            }
            try Self.tests(tests, defaults: defaults, base: base, displayBase: displayBase, file: display, into: &read)
        case .scalar:
            throw EvalGuardError(
                "expected a promptfoo configuration (a mapping with tests:) or a list of tests", file: display,
                line: root.line)
        }
        return read
    }

    static func text(_ path: String, display: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw EvalGuardError(
                "cannot read \(display)",
                hint: "Check the path: file:// paths are relative to the configuration's directory.")
        }
        return try TextBytes.decode(Array(data), displayPath: display)
    }

    /// `tests:` as a list of tests and file references, or one file reference (a glob too).
    static func tests(
        _ node: YAMLNode, defaults: Defaults, base: String, displayBase: String, file: String, into read: inout Read
    ) throws {
        switch node {
        case .scalar(.string(let reference), let line):
            try load(
                reference, defaults: defaults, base: base, displayBase: displayBase, at: "\(file):\(line)", into: &read)
        case .sequence(let items, _):
            for item in items {
                if case .scalar(.string(let reference), let line) = item {
                    try load(
                        reference, defaults: defaults, base: base, displayBase: displayBase, at: "\(file):\(line)",
                        into: &read)
                } else if let test = try test(item, defaults: defaults, file: file) {
                    read.tests.append(test)
                }
            }
        default:
            throw EvalGuardError("\"tests\" must be a list of tests or a file:// path", file: file, line: node.line)
        }
    }

    /// A `file://` reference: each file its glob matches, read by its extension.
    static func load(
        _ reference: String, defaults: Defaults, base: String, displayBase: String, at source: String,
        into read: inout Read
    ) throws {
        var relative = reference
        if relative.hasPrefix("file://") { relative.removeFirst(7) }
        guard !reference.contains("://") || reference.hasPrefix("file://") else {
            read.skipped.append(
                SkippedCase(source: source, reason: "tests from \(reference) are not imported: only files are read"))
            return
        }
        let files = relative.contains("*") || relative.contains("?") ? try glob(relative, base: base) : [relative]
        if files.isEmpty {
            throw EvalGuardError("no test file matches \(reference)", file: String(source.split(separator: ":")[0]))
        }
        for name in files {
            let path = name.hasPrefix("/") ? name : base + "/" + name
            let display = name.hasPrefix("/") || displayBase.isEmpty ? name : displayBase + "/" + name
            switch PathText.pathExtension(name).lowercased() {
            case "csv":
                read.tests += try csvTests(path: path, display: display, defaults: defaults)
            case "yaml", "yml", "json":
                let node = try YAMLReader.parse(try text(path, display: display), path: display)
                let items: YAMLNode = if case .mapping = node { .sequence([node], line: node.line) } else { node }
                guard case .sequence(let list, _) = items else {
                    throw EvalGuardError("expected a list of tests", file: display, line: node.line)
                }
                for item in list {
                    if let t = try test(item, defaults: defaults, file: display) { read.tests.append(t) }
                }
            case "jsonl":
                var number = 0
                for line in try text(path, display: display).textLines {
                    number += 1
                    guard !line.trimmingSpaces.isEmpty else { continue }
                    let node = try YAMLReader.parse(String(line), path: display)
                    if let t = try test(node.relined(number), defaults: defaults, file: display) {
                        read.tests.append(t)
                    }
                }
            default:
                read.skipped.append(
                    SkippedCase(
                        source: source,
                        reason:
                            "tests made by \(name) are not imported: evalguard never runs code from an imported file"))
            }
        }
    }

    static func glob(_ pattern: String, base: String) throws -> [String] {
        let g = Glob(pattern)
        let root = g.literalPrefix
        let directory = root.isEmpty ? base : base + "/" + root
        let below = (try? FileManager.default.subpathsOfDirectory(atPath: directory)) ?? []
        return below.map { root.isEmpty ? $0 : root + "/" + $0 }.filter(g.matches).sorted()
    }

    /// One test: its vars (over defaultTest's) and assertions (defaultTest's first), its description as id.
    static func test(_ node: YAMLNode, defaults: Defaults, file: String) throws -> ReadTest? {
        guard case .mapping = node else {
            throw EvalGuardError("expected a test (a mapping with vars and assert)", file: file, line: node.line)
        }
        var vars = defaults.vars
        if let v = node["vars"] {
            guard case .mapping(let own, _) = v else {
                throw EvalGuardError(
                    "vars from a file are not read", file: file, line: v.line, hint: "Write the vars inline.")
            }
            for (key, value) in own {
                if let i = vars.firstIndex(where: { $0.key == key }) {
                    vars[i].value = value
                } else {
                    vars.append((key, value))
                }
            }
        }
        var asserts = defaults.assertions
        if let a = node["assert"] {
            guard case .sequence(let items, _) = a else {
                throw EvalGuardError("\"assert\" must be a list", file: file, line: a.line)
            }
            asserts += items
        }
        let input: JSONValue =
            vars.count == 1
            ? vars[0].value.json
            : .object(Dictionary(vars.map { ($0.key, $0.value.json) }, uniquingKeysWith: { a, _ in a }))
        let description = node["description"]?.json.stringValue?.trimmingSpaces
        return ReadTest(
            source: "\(file):\(node.line)", id: description.flatMap { $0.isEmpty ? nil : $0 }, input: input,
            assertions: asserts.map(PromptfooAssertions.map))
    }

    /// promptfoo's CSV: a column per var; `__expected`, `__expected1`, ... hold assertions,
    /// `__description` the description; other `__` columns are promptfoo's own settings.
    static func csvTests(path: String, display: String, defaults: Defaults) throws -> [ReadTest] {
        let table = try CSVTable.parse(try text(path, display: display), separator: ",", path: display)
        return table.rows.map { row in
            var vars = defaults.vars.map { ($0.key, $0.value.json) }
            var assertions = defaults.assertions.map(PromptfooAssertions.map)
            var description: String?
            for (name, cell) in table.record(row.fields) {
                if name.hasPrefix("__expected") {
                    if !cell.isEmpty { assertions.append(PromptfooAssertions.map(expectedCell: cell)) }
                } else if name == "__description" {
                    description = cell.isEmpty ? nil : cell
                } else if !name.hasPrefix("__") {
                    if let i = vars.firstIndex(where: { $0.0 == name }) {
                        vars[i].1 = .string(cell)
                    } else {
                        vars.append((name, .string(cell)))
                    }
                }
            }
            let input: JSONValue =
                vars.count == 1 ? vars[0].1 : .object(Dictionary(vars, uniquingKeysWith: { a, _ in a }))
            return ReadTest(source: "\(display):\(row.line)", id: description, input: input, assertions: assertions)
        }
    }
}

extension YAMLNode {
    /// The node as read from one line of a JSON Lines file, numbered as that line.
    func relined(_ line: Int) -> YAMLNode {
        switch self {
        case .scalar(let v, _): .scalar(v, line: line)
        case .sequence(let items, _): .sequence(items.map { $0.relined(line) }, line: line)
        case .mapping(let entries, _): .mapping(entries.map { ($0.key, $0.value.relined(line)) }, line: line)
        }
    }
}
