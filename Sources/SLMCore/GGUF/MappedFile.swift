#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A whole file mapped read-only and shared, so processes reading the same model share its pages.
public final class MappedFile: @unchecked Sendable {
    // Safe because the mapping is read-only, never remapped, and unmapped only in deinit.
    /// The first byte of the mapping.
    public let base: UnsafeRawPointer
    /// The file's size in bytes.
    public let count: Int
    /// The path the file was opened from.
    public let path: String

    /// Maps `path` read-only with `MAP_SHARED`.
    /// - Throws: `GGUFError.cannotOpen` when the file cannot be opened, sized or mapped, or is empty.
    public init(path: String) throws(GGUFError) {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw .cannotOpen(path: path, errno: errno) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .cannotOpen(path: path, errno: errno) }
        let size = Int(info.st_size)
        guard size > 0 else { throw .truncated(context: "header", offset: 0) }
        guard let pointer = mmap(nil, size, PROT_READ, MAP_SHARED, fd, 0), pointer != MAP_FAILED else {
            throw .cannotOpen(path: path, errno: errno)
        }
        self.base = UnsafeRawPointer(pointer)
        self.count = size
        self.path = path
    }

    deinit {
        munmap(UnsafeMutableRawPointer(mutating: base), count)
    }

    /// The mapped bytes.
    public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }
}
