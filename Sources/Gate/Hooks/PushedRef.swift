import EvalGuardSupport

/// One line of git's pre-push protocol on stdin: `<local ref> <local sha> <remote ref> <remote sha>`.
package struct PushedRef: Sendable, Equatable {
    package var localRef: String
    package var localSHA: String
    package var remoteRef: String
    package var remoteSHA: String

    static let zero = String(repeating: "0", count: 40)

    /// Deleting a remote ref: nothing is pushed, so there is nothing to check.
    package var isDeletion: Bool { localSHA == Self.zero }
    /// The remote does not have this ref yet.
    package var isNewRef: Bool { remoteSHA == Self.zero }
    package var isTag: Bool { remoteRef.hasPrefix("refs/tags/") }
    /// `main` for `refs/heads/main`.
    package var remoteBranch: String {
        remoteRef.hasPrefix("refs/heads/") ? String(remoteRef.dropFirst("refs/heads/".count)) : remoteRef
    }

    /// Parses what git writes to the hook's stdin; blank lines are ignored.
    package static func parse(_ text: String) throws -> [PushedRef] {
        try text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ").map(String.init)
            if fields.isEmpty { return nil }
            guard fields.count == 4, fields[1].count == 40, fields[3].count == 40 else {
                throw EvalGuardError(
                    "unexpected pre-push input line: '\(line)'",
                    hint:
                        "evalguard hook pre-push reads what git gives a pre-push hook on stdin; install it with 'evalguard install-hook'."
                )
            }
            return PushedRef(localRef: fields[0], localSHA: fields[1], remoteRef: fields[2], remoteSHA: fields[3])
        }
    }
}
