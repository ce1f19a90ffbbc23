import FoundationEssentials

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A file's bytes mapped read-only, for a reader that goes through them once from start to end
/// (a stored result of 100,000 cases is 40 MB of JSON): the pages it has passed are let go as
/// it goes (`release(before:)`), so the process never holds the whole file, where reading it
/// into memory first held all of it until the end.
package final class MappedFile {
    package let bytes: UnsafeBufferPointer<UInt8>
    /// Up to where the pages were let go, a multiple of the page size.
    private var released = 0
    private static let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
    /// Pages are let go in steps of this many bytes (1 MB): one `madvise` per step, not per case.
    private static let step = 1 << 20

    /// Nil when `path` cannot be opened or mapped (absent, a directory, unreadable).
    package init?(path: String) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
        let size = Int(info.st_size)
        guard size > 0 else {
            bytes = UnsafeBufferPointer(start: nil, count: 0)
            return
        }
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else { return nil }
        bytes = UnsafeBufferPointer(start: base.assumingMemoryBound(to: UInt8.self), count: size)
    }

    deinit {
        // munmap fails only for a range that is not mapped; this one is, until here.
        if let base = bytes.baseAddress { munmap(UnsafeMutableRawPointer(mutating: base), bytes.count) }
    }

    /// The reader is past `offset`: the pages wholly before it may leave memory. Reading them
    /// again still works (the kernel reads them back from the file), only slower.
    package func release(before offset: Int) {
        guard offset - released >= Self.step, let base = bytes.baseAddress else { return }
        let end = offset / Self.pageSize * Self.pageSize
        // MADV_DONTNEED on a private mapping never written to only drops pages the file holds;
        // a failure leaves them in memory, which is what not calling it would do.
        _ = madvise(UnsafeMutableRawPointer(mutating: base + released), end - released, MADV_DONTNEED)
        released = end
    }

    /// The bytes as `Data`, without a copy; valid while this object lives.
    package var data: Data {
        guard let base = bytes.baseAddress else { return Data() }
        return Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: base), count: bytes.count, deallocator: .none)
    }
}
