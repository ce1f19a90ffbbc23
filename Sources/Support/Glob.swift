/// Path patterns for `model.inputs`, matched against paths from the repository root:
/// `*` matches within one path segment, `?` one character, `**` any number of segments, and a
/// pattern naming a directory (`model` or `model/`) matches everything below it.
package struct Glob: Sendable, Equatable {
    package let pattern: String
    private let segments: [Substring]

    package init(_ pattern: String) {
        var p = pattern
        while p.hasPrefix("./") { p.removeFirst(2) }
        while p.hasPrefix("/") { p.removeFirst() }
        if p.hasSuffix("/") { p += "**" }
        self.pattern = pattern
        segments = p.split(separator: "/", omittingEmptySubsequences: true)
    }

    /// Whether some path below the directory `parts` can match: each directory segment must match
    /// the pattern's segment at its place, until the pattern ends (it names an ancestor directory,
    /// which matches everything below) or reaches `**`. Errs towards true; lets a walk over many
    /// trees skip the directories that cannot hold inputs.
    package func mayMatch(below parts: [Substring]) -> Bool {
        for (i, part) in parts.enumerated() {
            guard i < segments.count, segments[i] != "**" else { return true }
            if !Self.matchSegment(Array(segments[i].utf8)[...], Array(part.utf8)[...]) { return false }
        }
        return true
    }

    /// The pattern's leading segments that hold no wildcard, joined with "/": every path it
    /// matches is that path or lies below it ("" when the first segment has a wildcard: any path
    /// may match). Lets a scan of the working tree look under that path alone.
    package var literalPrefix: String {
        segments.prefix { $0 != "**" && !$0.contains("*") && !$0.contains("?") }.joined(separator: "/")
    }

    package func matches(_ path: String) -> Bool {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        // A pattern naming a directory matches what is below it.
        if Self.match(segments[...], parts[...]) { return true }
        return segments.last != "**" && Self.match(segments[...] + ["**"], parts[...])
    }

    private static func match(_ pattern: ArraySlice<Substring>, _ path: ArraySlice<Substring>) -> Bool {
        guard let first = pattern.first else { return path.isEmpty }
        if first == "**" {
            let rest = pattern.dropFirst()
            for i in path.startIndex...path.endIndex where match(rest, path[i...]) { return true }
            return false
        }
        guard let segment = path.first, matchSegment(Array(first.utf8)[...], Array(segment.utf8)[...]) else {
            return false
        }
        return match(pattern.dropFirst(), path.dropFirst())
    }

    private static func matchSegment(_ p: ArraySlice<UInt8>, _ s: ArraySlice<UInt8>) -> Bool {
        guard let c = p.first else { return s.isEmpty }
        switch c {
        case UInt8(ascii: "*"):
            for i in s.startIndex...s.endIndex where matchSegment(p.dropFirst(), s[i...]) { return true }
            return false
        case UInt8(ascii: "?"):
            return !s.isEmpty && matchSegment(p.dropFirst(), s.dropFirst())
        default:
            return s.first == c && matchSegment(p.dropFirst(), s.dropFirst())
        }
    }
}
