#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Starts `body` on a new detached thread with `stackSize` bytes of stack (pthreads directly:
/// Foundation's `Thread` is the only other way, and evalguard links no Foundation).
package func startThread(stackSize: Int, _ body: @escaping @Sendable () -> Void) throws(SystemCallError) {
    final class Box {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }
    var attributes = pthread_attr_t()
    try syscallReturningError("pthread_attr_init") { pthread_attr_init(&attributes) }
    defer { _ = pthread_attr_destroy(&attributes) } // may be ignored: fails only for an uninitialised object
    try syscallReturningError("pthread_attr_setstacksize") { pthread_attr_setstacksize(&attributes, stackSize) }
    try syscallReturningError("pthread_attr_setdetachstate") {
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
    }
    let box = Unmanaged.passRetained(Box(body)).toOpaque()
    var thread = pthread_t()
    do {
        try syscallReturningError("pthread_create") {
            pthread_create(
                &thread, &attributes,
                { raw in
                    Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue().body()
                    return nil
                }, box)
        }
    } catch {
        Unmanaged<Box>.fromOpaque(box).release()
        throw error
    }
}
