/// An error a user can act on: what went wrong, where (file, line, column when known),
/// what to do about it, and its category (from which its exit code follows).
package struct EvalGuardError: CategorizedError, CustomStringConvertible, Sendable {
    package var message: String
    package var file: String?
    package var line: Int?
    package var column: Int?
    /// Extra lines printed after the message: usually the commands that fix the problem.
    package var hint: String?
    package var category: ErrorCategory
    package var exitCode: ExitCode { category.exitCode }

    package init(
        _ message: String, file: String? = nil, line: Int? = nil, column: Int? = nil,
        hint: String? = nil, category: ErrorCategory = .input
    ) {
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        self.hint = hint
        self.category = category
    }

    /// `file:line:column: message`, as compilers print it, so editors can jump to it.
    package var location: String? {
        guard let file else { return nil }
        var s = file
        if let line { s += ":\(line)" }
        if let line = line, line > 0, let column { s += ":\(column)" }
        return s
    }

    package var description: String {
        var s = "error: "
        if let location { s += location + ": " }
        s += message
        if let hint { s += "\n" + hint }
        return s
    }

    /// A model or tool failure (exit 3).
    package static func evaluation(_ message: String, hint: String? = nil) -> EvalGuardError {
        EvalGuardError(message, hint: hint, category: .model)
    }
}
