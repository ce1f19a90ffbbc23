extension CLI {
    /// Printed by `evalguard --version`.
    public static let version = "0.1.0"
}
