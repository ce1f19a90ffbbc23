import EvalGuardSupport
import FoundationEssentials

/// `compare --adopt NAME`: the configuration's text with the variant's values written into it.
/// Each value the variant sets replaces the committed value's text in place (a key it adds goes
/// first in its object), so comments, order and layout elsewhere stay as they were. The edited
/// text is parsed again and must equal the merge; when it does not (a key the variant removes,
/// a layout the scan cannot follow), the file is written whole instead, every key but the
/// variant's unchanged, and `keptLayout` is false.
package struct VariantAdoption {
    package var text: String
    package var keptLayout: Bool

    package init(config: EvalConfig, variant name: String) throws {
        try self.init(editing: config, variant: name)
        // The other variants merge over the adopted configuration now: one that no longer fits
        // (a model key the new provider does not take) stops the adoption before anything is written.
        do {
            _ = try EvalConfig.parse(ConfigSource(displayPath: config.source.displayPath, text: text))
        } catch let error as EvalGuardError {
            throw EvalGuardError(
                "adopting variant '\(name)' would leave \(config.source.displayPath) invalid: \(error.message)",
                hint:
                    "Change or remove the variant that no longer fits (\(error.location ?? "above") in the adopted file), then adopt again. Nothing was written.",
                category: .input)
        }
    }

    private init(editing config: EvalConfig, variant name: String) throws {
        let decoder = JSONDecoder()
        decoder.allowsJSON5 = true
        let original = config.source.text
        let root = try decoder.decode(JSONValue.self, from: Data(original.utf8))
        guard let overlay = root[Variants.key]?[name] else {
            throw EvalGuardError(
                "no variant named '\(name)' in \(config.source.displayPath)",
                hint: "Variants: \(config.variantNames.joined(separator: ", ")).", category: .usage)
        }
        let expected = Variants.merged(root, overlay)
        let bytes = Array(ConfigSource.blankingComments(original).utf8)
        var edits: [(range: Range<Int>, text: String)] = []
        if let start = bytes.firstIndex(where: { !Self.isSpace($0) }), bytes[start] == UInt8(ascii: "{"),
            Self.edits(bytes, object: start, base: root, overlay: overlay, into: &edits)
        {
            var out = Array(original.utf8)
            for edit in edits.sorted(by: { $0.range.lowerBound > $1.range.lowerBound }) {
                out.replaceSubrange(edit.range, with: Array(edit.text.utf8))
            }
            let edited = String(decoding: out, as: UTF8.self)
            if (try? decoder.decode(JSONValue.self, from: Data(edited.utf8))) == expected {
                (text, keptLayout) = (edited, true)
                return
            }
        }
        var whole = ""
        JSONPretty.write(expected, to: &whole)
        (text, keptLayout) = (whole.hasSuffix("\n") ? whole : whole + "\n", false)
    }

    /// The edits that write `overlay` into the object starting at `object`; false when the
    /// scan cannot place one.
    static func edits(
        _ bytes: [UInt8], object: Int, base: JSONValue, overlay: JSONValue,
        into edits: inout [(range: Range<Int>, text: String)]
    ) -> Bool {
        guard case .object(let changes) = overlay, let members = Self.members(bytes, object: object) else {
            return false
        }
        for (key, value) in changes.sorted(by: { $0.key < $1.key }) {
            if value == .null { return false }
            if let member = members.first(where: { $0.key == key }) {
                let old = base[key] ?? .null
                // Objects merge key by key, unless the variant gives a model another provider.
                let merges =
                    old.objectValue != nil && value.objectValue != nil
                    && (value["provider"] == nil || value["provider"] == (old["provider"] ?? .string("command")))
                if merges, bytes[member.value.lowerBound] == UInt8(ascii: "{") {
                    guard Self.edits(bytes, object: member.value.lowerBound, base: old, overlay: value, into: &edits)
                    else { return false }
                } else {
                    edits.append((member.value, value.canonicalText))
                }
            } else {
                let separator = members.isEmpty ? "" : ", "
                edits.append(
                    (
                        object + 1..<object + 1,
                        "\(JSONValue.string(key).canonicalText): \(value.canonicalText)\(separator)"
                    ))
            }
        }
        return true
    }

    /// The members of the object whose `{` is at `start`: each key and its value's byte range.
    static func members(_ b: [UInt8], object start: Int) -> [(key: String, value: Range<Int>)]? {
        var i = start + 1
        var found: [(key: String, value: Range<Int>)] = []
        func skip() { while i < b.count, isSpace(b[i]) { i += 1 } }
        while true {
            skip()
            guard i < b.count else { return nil }
            if b[i] == UInt8(ascii: "}") { return found }
            var key: String
            if b[i] == UInt8(ascii: "\"") || b[i] == UInt8(ascii: "'") {
                guard let end = stringEnd(b, i) else { return nil }
                let decoder = JSONDecoder()
                decoder.allowsJSON5 = true
                guard let k = (try? decoder.decode(JSONValue.self, from: Data(b[i..<end])))?.stringValue else {
                    return nil
                }
                (key, i) = (k, end)
            } else {
                let s = i
                while i < b.count, b[i] != UInt8(ascii: ":"), !isSpace(b[i]) { i += 1 }
                key = String(decoding: b[s..<i], as: UTF8.self)
            }
            skip()
            guard i < b.count, b[i] == UInt8(ascii: ":") else { return nil }
            i += 1
            skip()
            let valueStart = i
            guard let end = valueEnd(b, i) else { return nil }
            found.append((key, valueStart..<end))
            i = end
            skip()
            if i < b.count, b[i] == UInt8(ascii: ",") { i += 1 }
        }
    }

    static func stringEnd(_ b: [UInt8], _ start: Int) -> Int? {
        let quote = b[start]
        var i = start + 1
        while i < b.count {
            if b[i] == UInt8(ascii: "\\") {
                i += 2
                continue
            }
            if b[i] == quote { return i + 1 }
            i += 1
        }
        return nil
    }

    /// Where the value starting at `start` ends: past its closing quote or bracket, or at the
    /// `,`, `}` or `]` (or space) that ends a bare number or word.
    static func valueEnd(_ b: [UInt8], _ start: Int) -> Int? {
        guard start < b.count else { return nil }
        if b[start] == UInt8(ascii: "\"") || b[start] == UInt8(ascii: "'") { return stringEnd(b, start) }
        if b[start] == UInt8(ascii: "{") || b[start] == UInt8(ascii: "[") {
            var depth = 0
            var i = start
            while i < b.count {
                switch b[i] {
                case UInt8(ascii: "\""), UInt8(ascii: "'"):
                    guard let end = stringEnd(b, i) else { return nil }
                    i = end
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 { return i + 1 }
                default: break
                }
                i += 1
            }
            return nil
        }
        var i = start
        while i < b.count, ![UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]")].contains(b[i]), !isSpace(b[i]) {
            i += 1
        }
        return i > start ? i : nil
    }

    static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D }
}
