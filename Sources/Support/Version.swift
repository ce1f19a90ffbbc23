/// evalguard's own version: printed by `evalguard --version`, stored in every result, and sent
/// as the HTTP provider's User-Agent.
package enum EvalGuardVersion {
    package static let current = "0.1.0"
}
