import EvalGuardSupport
import FoundationEssentials

/// URI references as JSON Schema uses them for `$id`, `$ref` and `$dynamicRef`: resolved against
/// a base by RFC 3986 section 5.2 (with its dot-segment removal), split at the fragment. Only
/// strings: a schema's identifiers are names, never fetched.
struct SchemaURI: Equatable {
    var scheme: String?
    var authority: String?
    var path: String
    var query: String?
    var fragment: String?

    /// Splits by RFC 3986 appendix B's grammar (`scheme:` `//authority` path `?query` `#fragment`).
    init(_ text: String) {
        var rest = Substring(text)
        if let hash = rest.firstIndex(of: "#") {
            fragment = String(rest[rest.index(after: hash)...])
            rest = rest[..<hash]
        }
        if let q = rest.firstIndex(of: "?") {
            query = String(rest[rest.index(after: q)...])
            rest = rest[..<q]
        }
        if let colon = rest.firstIndex(of: ":"), let first = rest.first, first.isLetter,
            rest[..<colon].allSatisfy({ $0.isLetter || $0.isNumber || "+-.".contains($0) })
        {
            scheme = String(rest[..<colon])
            rest = rest[rest.index(after: colon)...]
        }
        if rest.hasPrefix("//") {
            rest = rest.dropFirst(2)
            let end = rest.firstIndex(of: "/") ?? rest.endIndex
            authority = String(rest[..<end])
            rest = rest[end...]
        }
        path = String(rest)
    }

    var text: String {
        var s = ""
        if let scheme { s += scheme + ":" }
        if let authority { s += "//" + authority }
        s += path
        if let query { s += "?" + query }
        if let fragment { s += "#" + fragment }
        return s
    }

    /// The URI without its fragment: the resource it names.
    var withoutFragment: String {
        var copy = self
        copy.fragment = nil
        return copy.text
    }

    /// `reference` resolved against `base` (RFC 3986 section 5.2.2).
    static func resolve(_ reference: String, against base: String) -> SchemaURI {
        let r = SchemaURI(reference)
        let b = SchemaURI(base)
        var t = SchemaURI("")
        if r.scheme != nil {
            t = r
            t.path = removeDotSegments(r.path)
        } else {
            t.scheme = b.scheme
            if r.authority != nil {
                t.authority = r.authority
                t.path = removeDotSegments(r.path)
                t.query = r.query
            } else {
                t.authority = b.authority
                if r.path.isEmpty {
                    t.path = b.path
                    t.query = r.query ?? b.query
                } else {
                    t.path = removeDotSegments(r.path.hasPrefix("/") ? r.path : merge(base: b, r.path))
                    t.query = r.query
                }
            }
        }
        t.fragment = r.fragment
        return t
    }

    private static func merge(base: SchemaURI, _ path: String) -> String {
        if base.authority != nil && base.path.isEmpty { return "/" + path }
        guard let slash = base.path.lastIndex(of: "/") else { return path }
        return String(base.path[...slash]) + path
    }

    private static func removeDotSegments(_ path: String) -> String {
        guard path.contains(".") else { return path }
        var input = Substring(path)
        var output: [Substring] = []
        while !input.isEmpty {
            if input.hasPrefix("../") {
                input = input.dropFirst(3)
            } else if input.hasPrefix("./") {
                input = input.dropFirst(2)
            } else if input.hasPrefix("/./") {
                input = input.dropFirst(2)
            } else if input == "/." {
                input = "/"
            } else if input.hasPrefix("/../") {
                input = input.dropFirst(3)
                if !output.isEmpty { output.removeLast() }
            } else if input == "/.." {
                input = "/"
                if !output.isEmpty { output.removeLast() }
            } else if input == "." || input == ".." {
                input = ""
            } else {
                let start = input.hasPrefix("/") ? input.index(after: input.startIndex) : input.startIndex
                let end = input[start...].firstIndex(of: "/") ?? input.endIndex
                output.append(input[..<end])
                input = input[end...]
            }
        }
        return output.joined()
    }
}

/// JSON Pointer (RFC 6901) tokens of a fragment such as `/$defs/a~1b`, percent-decoded first as
/// a URI fragment is; nil when it is not a pointer.
func pointerTokens(_ fragment: String) -> [String]? {
    let decoded = PercentEncoding.decode(fragment) ?? fragment
    if decoded.isEmpty { return [] }
    guard decoded.hasPrefix("/") else { return nil }
    return decoded.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map {
        $0.replacingText("~1", with: "/").replacingText("~0", with: "~")
    }
}

/// `tokens` as a JSON Pointer (RFC 6901), for the instance paths in error messages.
func jsonPointer(_ tokens: [String]) -> String {
    tokens.map { "/" + $0.replacingText("~", with: "~0").replacingText("/", with: "~1") }.joined()
}
