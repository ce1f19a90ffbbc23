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

/// Seconds since the epoch of an HTTP date (RFC 9110's IMF-fixdate, `Sun, 06 Nov 1994 08:49:37
/// GMT`, as a `Retry-After` carries it); nil for any other text.
package func parseHTTPDate(_ text: String) -> Double? {
    let parts = text.split(separator: " ")
    guard parts.count == 6, parts[0].hasSuffix(","), ["GMT", "UTC"].contains(parts[5]),
        let day = Int32(parts[1]), (1...31).contains(day),
        let month = monthNames.firstIndex(of: parts[2].lowercased()),
        let year = Int32(parts[3]), parts[3].count == 4
    else { return nil }
    let clock = parts[4].split(separator: ":", omittingEmptySubsequences: false)
    guard clock.count == 3, let hour = Int32(clock[0]), let minute = Int32(clock[1]), let second = Int32(clock[2]),
        (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second)
    else { return nil }
    var fields = tm()
    (fields.tm_year, fields.tm_mon, fields.tm_mday) = (year - 1900, Int32(month), day)
    (fields.tm_hour, fields.tm_min, fields.tm_sec) = (hour, minute, second)
    return Double(timegm(&fields))
}

private let monthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
