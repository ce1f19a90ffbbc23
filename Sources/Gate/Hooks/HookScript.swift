import EvalGuardSupport

/// The pre-push hook script. `hooks/pre-push` in the repository is this text with the default
/// `evalguard`; `install-hook` writes it with the absolute path of the evalguard that installed it,
/// falling back to `evalguard` on PATH. It runs a hook that was there before evalguard first,
/// with the same arguments and input, and stops the push if that one fails.
package enum HookScript {
    package static let marker = "# evalguard pre-push hook"
    package static let chainedName = "pre-push.before-evalguard"

    package static func text(evalguard: String = "evalguard", sync: Bool = false) -> String {
        // With sync, the results are pushed after a passing check, before git pushes the refs:
        // git has no post-push hook, and notes on commits the remote does not have yet are harmless.
        // A failed sync does not stop the push.
        let last =
            sync
            ? """
            printf '%s\\n' "$input" | "$evalguard" hook pre-push "$@" || exit $?
            "$evalguard" sync "$1" || echo "evalguard pre-push hook: could not sync results with $1; the push goes on (retry: evalguard sync $1)" >&2

            """
            : """
            printf '%s\\n' "$input" | "$evalguard" hook pre-push "$@"

            """
        return """
            #!/bin/sh
            \(marker): blocks a push that makes the AI feature worse.
            # Installed by 'evalguard install-hook'. To push anyway, once: git push --no-verify
            evalguard="${EVALGUARD:-\(evalguard)}"
            command -v "$evalguard" >/dev/null 2>&1 || evalguard=evalguard
            if ! command -v "$evalguard" >/dev/null 2>&1; then
                echo "evalguard pre-push hook: evalguard is not installed or not on PATH." >&2
                echo "Install it, or set EVALGUARD=/path/to/evalguard; to push anyway, once: git push --no-verify" >&2
                exit 1
            fi
            input=$(cat)
            hooks=$(dirname "$0")
            if [ -x "$hooks/\(chainedName)" ]; then
                printf '%s\\n' "$input" | "$hooks/\(chainedName)" "$@" || exit $?
            fi
            \(last)
            """
    }
}
