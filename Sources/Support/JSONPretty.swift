/// Indented JSON with sorted keys: `--format json` output and the baseline's diff-friendly
/// layout. Objects go on several lines, as do arrays that hold objects or arrays; `inline` keeps
/// the value at a key path on one line (a baseline's case: one case, one line).
package enum JSONPretty {
    package static func write(
        _ value: JSONValue, indent: Int = 0, path: [String] = [],
        inline: ([String]) -> Bool = { _ in false }, to out: inout String
    ) {
        let pad = String(repeating: "  ", count: indent + 1)
        if inline(path) { return JSONWriter.write(value, to: &out) }
        switch value {
        case .array(let items)
        where !items.isEmpty && items.contains(where: { $0.objectValue != nil || $0.arrayValue != nil }):
            out += "[\n"
            for (i, item) in items.enumerated() {
                out += pad
                write(item, indent: indent + 1, path: path + ["[\(i)]"], inline: inline, to: &out)
                out += i == items.count - 1 ? "\n" : ",\n"
            }
            out += String(repeating: "  ", count: indent) + "]"
        case .object(let dict) where !dict.isEmpty:
            out += "{\n"
            for (i, (key, value)) in dict.sorted(by: { $0.key < $1.key }).enumerated() {
                out += pad
                JSONWriter.writeString(key, to: &out)
                out += ": "
                write(value, indent: indent + 1, path: path + [key], inline: inline, to: &out)
                out += i == dict.count - 1 ? "\n" : ",\n"
            }
            out += String(repeating: "  ", count: indent) + "}"
        default:
            JSONWriter.write(value, to: &out)
        }
    }
}
