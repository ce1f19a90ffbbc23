#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Monotonic time in nanoseconds: immune to wall-clock changes, which latency must be.
@inline(__always)
package func monotonicNanoseconds() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

/// The current UTC time as ISO 8601 (`2026-11-30T21:45:31Z`), what `ISO8601DateFormatter` writes
/// by default, through strftime(3): the formatter loads ICU's data, megabytes a run can spare.
package func utcTimestamp(_ seconds: time_t = time(nil)) -> String {
    var t = seconds
    var parts = tm()
    gmtime_r(&t, &parts)
    var text = [CChar](repeating: 0, count: 32)
    let length = strftime(&text, text.count, "%Y-%m-%dT%H:%M:%SZ", &parts)
    return String(decoding: text.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
