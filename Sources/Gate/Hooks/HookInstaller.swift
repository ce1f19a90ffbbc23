import EvalGuardGit
import EvalGuardSupport
import FoundationEssentials

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Puts the pre-push hook where git runs it (respecting `core.hooksPath`) without ever silently
/// overwriting someone else's hook: an existing one is kept and chained (it runs first), or
/// replaced only with `force`.
package enum HookInstaller {
    package enum Result: Equatable {
        case installed(path: String)
        case updated(path: String)
        case chained(path: String, previous: String)
        case replaced(path: String)
    }

    package static func install(in repository: Repository, evalguard: String, force: Bool, sync: Bool = false) throws
        -> Result
    {
        let directory = try repository.hooksDirectory()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/pre-push"
        let script = HookScript.text(evalguard: evalguard, sync: sync)
        var result = Result.installed(path: path)
        if let existing = FileManager.default.contents(atPath: path).map({ String(decoding: $0, as: UTF8.self) }) {
            let chained = directory + "/" + HookScript.chainedName
            if existing.contains(HookScript.marker) {
                result = .updated(path: path)
            } else if force {
                result = .replaced(path: path)
            } else if FileManager.default.fileExists(atPath: chained) {
                throw EvalGuardError(
                    "\(path) is not evalguard's hook, and \(chained) already holds an earlier one",
                    hint: "Merge them by hand, or run 'evalguard install-hook --force' to replace \(path).")
            } else {
                do {
                    try syscall("rename") { rename(path, chained) }
                } catch {
                    throw EvalGuardError("cannot move \(path) to \(chained): \(error.reason)")
                }
                result = .chained(path: path, previous: chained)
            }
        }
        try AtomicFile.write(script, to: path)
        do {
            try syscall("chmod") { chmod(path, 0o755) }
        } catch {
            throw EvalGuardError("cannot make \(path) executable: \(error.reason)", hint: "Run: chmod +x \(path)")
        }
        return result
    }
}
