import FoundationEssentials

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reading a file of the repository by its path from the root, as evalguard reads its inputs
/// (case files, prompt, rubric, template and schema files named by `{"file": ...}`).
///
/// No input is read through a symbolic link. One that points outside the repository would send
/// text from elsewhere on the machine to the model or judge. One that stays inside is refused
/// too: the evaluation key hashes what git stores for the link (its target's path), not the
/// file it points to, so an edit to that file would be served the stale stored result. Both are
/// an input error naming the link and where it points; the fix is to name the file itself.
package enum RepositoryFile {
    /// The bytes at `path` under `root` (a working tree, or a commit's checkout); nil when there
    /// is no such file. Throws when `path`, or a directory on the way to it, is a symbolic link.
    package static func contents(_ path: String, root: String) throws -> [UInt8]? {
        var walked = ""
        for component in path.split(separator: "/") {
            walked += (walked.isEmpty ? "" : "/") + component
            var info = stat()
            guard lstat(root + "/" + walked, &info) == 0 else { return nil }
            if info.st_mode & S_IFMT == S_IFLNK {
                let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: root + "/" + walked)) ?? "?"
                throw linkError(path, link: walked, target: target)
            }
        }
        return FileManager.default.contents(atPath: root + "/" + path).map(Array.init)
    }

    /// The refusal of `path`, read through the link at `link` (the path itself or a directory
    /// above it) to `target`, as git or the file system stores it.
    package static func linkError(_ path: String, link: String, target: String) -> EvalGuardError {
        let through = link == path ? "\(path) is a symbolic link" : "\(path) lies under \(link), a symbolic link"
        guard let inside = resolved(target, from: link) else {
            return EvalGuardError(
                "\(through) to \(target), outside the repository: evalguard does not read inputs from outside it",
                hint: "Commit the file itself at \(path), or remove the link.")
        }
        return EvalGuardError(
            "\(through) to \(inside): evalguard follows no links, since the evaluation key hashes the link, not the file it points to",
            hint: "Name \(inside) itself in the configuration, or commit the file at \(path) instead of the link.")
    }

    /// `target` of a link at `link`, as a path from the repository root; nil when it leaves the
    /// repository (absolute, or climbing above the root).
    static func resolved(_ target: String, from link: String) -> String? {
        guard !target.hasPrefix("/") else { return nil }
        var parts = link.split(separator: "/").dropLast().map(String.init)
        for part in target.split(separator: "/") {
            switch part {
            case ".": continue
            case "..":
                guard !parts.isEmpty else { return nil }
                parts.removeLast()
            default: parts.append(String(part))
            }
        }
        return parts.isEmpty ? nil : parts.joined(separator: "/")
    }
}
