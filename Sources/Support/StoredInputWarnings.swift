import Synchronization

/// Where warnings about stored input that was set aside go: a stored result, note or index entry
/// that failed its checks on read is treated as absent, and the command that read it says so on
/// stderr. Readers sit deep below the commands (a result found through the key index in the
/// middle of an evaluation, a note read while blame probes), so the command binds a sink for
/// the length of its run instead of every reader carrying one; outside such a scope (a test
/// calling the store directly) the warning is dropped and the input still set aside.
package final class StoredInputWarnings: Sendable {
    @TaskLocal package static var current: StoredInputWarnings?

    private let said = Mutex<Set<String>>([])
    private let emit: @Sendable (String) -> Void

    package init(_ emit: @escaping @Sendable (String) -> Void) { self.emit = emit }

    /// Says `message` once per command, however often the same input is read.
    package static func warn(_ message: String) {
        guard let sink = current, sink.said.withLock({ $0.insert(message).inserted }) else { return }
        sink.emit(message)
    }
}
