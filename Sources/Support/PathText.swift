/// Path arithmetic on strings, as `NSString`'s path methods did it (evalguard links no Foundation
/// beyond FoundationEssentials): trailing slashes are ignored, the root stays "/".
package enum PathText {
    /// The path without its last component: "/a/b" → "/a", "/a" → "/", "a" → "", "a/b/" → "a".
    package static func parent(_ path: String) -> String {
        let trimmed = withoutTrailingSlashes(path)
        guard let slash = trimmed.lastIndex(of: "/") else { return "" }
        let head = withoutTrailingSlashes(String(trimmed[..<slash]))
        return head.isEmpty ? "/" : head
    }

    /// The last component: "/a/b" → "b", "a/b/" → "b", "/" → "/".
    package static func lastComponent(_ path: String) -> String {
        let trimmed = withoutTrailingSlashes(path)
        guard let slash = trimmed.lastIndex(of: "/") else { return trimmed }
        let tail = trimmed[trimmed.index(after: slash)...]
        return tail.isEmpty ? trimmed : String(tail)
    }

    /// The last component's extension without its dot ("a/b.json" → "json"); "" when it has none
    /// or the component only starts with a dot (".hidden").
    package static func pathExtension(_ path: String) -> String {
        let name = lastComponent(path)
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return "" }
        return String(name[name.index(after: dot)...])
    }

    private static func withoutTrailingSlashes(_ path: String) -> String {
        var s = Substring(path)
        while s.count > 1, s.hasSuffix("/") { s = s.dropLast() }
        return String(s)
    }
}
