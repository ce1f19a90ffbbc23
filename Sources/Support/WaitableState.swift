import Dispatch
import Synchronization

/// evalguard's one way for a thread to wait for another: state behind a `Mutex` (the package's
/// one lock; plain shared state uses `Mutex` directly), with waiters parked on a semaphore each.
/// A waiter that finds its condition false registers its semaphore while still holding the lock,
/// and every `update` signals all registered semaphores after changing the state, so a wake-up
/// cannot be lost between the check and the wait; a woken waiter checks its condition again.
package final class WaitableState<State: Sendable>: Sendable {
    private struct Guarded: Sendable {
        var state: State
        var waiters: [DispatchSemaphore] = []
    }

    private let guarded: Mutex<Guarded>

    package init(_ state: State) { guarded = Mutex(Guarded(state: state)) }

    /// Waits until `ready` holds for the state, then runs `body` on it with the lock held.
    package func wait<R: Sendable>(until ready: (State) -> Bool, then body: (inout State) -> R) -> R {
        while true {
            let outcome: (result: R?, semaphore: DispatchSemaphore?) = guarded.withLock { g in
                if ready(g.state) { return (body(&g.state), nil) }
                let semaphore = DispatchSemaphore(value: 0)
                g.waiters.append(semaphore)
                return (nil, semaphore)
            }
            if let semaphore = outcome.semaphore {
                semaphore.wait()
            } else if let result = outcome.result {
                return result
            }
        }
    }

    /// Changes the state under the lock and wakes every waiter to look at it again.
    @discardableResult
    package func update<R: Sendable>(_ body: (inout State) -> R) -> R {
        let (result, waiters) = guarded.withLock { g in
            let result = body(&g.state)
            defer { g.waiters.removeAll() }
            return (result, g.waiters)
        }
        for w in waiters { w.signal() }
        return result
    }
}
