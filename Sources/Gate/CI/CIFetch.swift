import EvalGuardGit
import EvalGuardSupport

/// What `ci` fetches before it compares, through the git CLI (see NotesSync), all best effort:
/// the stored results of other machines, and in a shallow clone the history down to the
/// merge-base. Each returns what it did, in words for stderr, instead of failing.
package enum CIFetch {
    /// Fetches and merges the remote's `refs/notes/evalguard`, so results stored elsewhere are reused.
    package static func notes(directory: String, environment: [String: String]) -> String {
        let remote: String
        do throws(NotesSync.Failure) {
            guard let found = try NotesSync.defaultRemote(directory: directory, environment: environment) else {
                return "note: no git remote: comparing with the results stored in this clone only"
            }
            remote = found
        } catch {
            return "warning: could not fetch the stored results: \(error.message); going on without them"
        }
        do throws(NotesSync.Failure) {
            switch try NotesSync(directory: directory, remote: remote, environment: environment).fetch() {
            case .merged: return "note: fetched the stored results (\(Repository.notesRef)) from \(remote)"
            case .noNotes: return "note: \(remote) has no stored results (\(Repository.notesRef)) yet"
            }
        } catch {
            return "warning: could not fetch the stored results from \(remote): \(error.message); going on without them"
        }
    }

    /// How much history each attempt adds below the shallow boundary, before fetching all of it.
    static let steps = ["--deepen=50", "--deepen=450", "--unshallow"]

    /// In a shallow clone whose history does not reach the merge-base of HEAD and `reference`:
    /// fetches the base branch and deepens step by step until `git merge-base` finds it. Returns
    /// the commands run and whether the merge-base is now there.
    package static func deepen(
        directory: String, reference: String,
        environment: [String: String]
    ) -> (found: Bool, commands: [String]) {
        guard let remote = (try? NotesSync.defaultRemote(directory: directory, environment: environment)) ?? nil else {
            return (false, [])
        }
        let branch = branchName(reference, remote: remote)
        let refspec = branch.map { ["+refs/heads/\($0):refs/remotes/\(remote)/\($0)"] } ?? []
        let target = branch.map { "refs/remotes/\(remote)/\($0)" } ?? reference
        var commands: [String] = []
        for step in steps {
            let arguments = ["fetch", "--quiet", "--no-tags", step, remote] + refspec
            commands.append((["git"] + arguments.filter { $0 != "--quiet" }).joined(separator: " "))
            guard let fetched = try? NotesSync.git(arguments, directory: directory, environment: environment),
                fetched.status == 0
            else { return (false, commands) }
            if let r = try? NotesSync.git(
                ["merge-base", "HEAD", target], directory: directory, environment: environment), r.status == 0
            {
                return (true, commands)
            }
        }
        return (false, commands)
    }

    /// The branch on the remote that `reference` names, nil for a commit id.
    static func branchName(_ reference: String, remote: String) -> String? {
        if reference.count == 40, reference.allSatisfy(\.isHexDigit) { return nil }
        for prefix in ["refs/remotes/\(remote)/", "\(remote)/", "refs/heads/"] where reference.hasPrefix(prefix) {
            return String(reference.dropFirst(prefix.count))
        }
        return reference
    }
}
