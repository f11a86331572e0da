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
    /// Which file was mapped, as it was then: a copy derived from it (a cache) is valid only for
    /// the same identity.
    let identity: Identity

    /// Device, inode, size and modification time of a file.
    struct Identity: Sendable {
        let device: UInt64, inode: UInt64, size: UInt64, seconds: UInt64, nanoseconds: UInt64
    }

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
        #if canImport(Darwin)
        let modified = info.st_mtimespec
        #else
        let modified = info.st_mtim
        #endif
        identity = Identity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino), size: UInt64(size),
                            seconds: UInt64(bitPattern: Int64(modified.tv_sec)), nanoseconds: UInt64(modified.tv_nsec))
    }

    deinit {
        munmap(UnsafeMutableRawPointer(mutating: base), count)
    }

    /// The mapped bytes.
    public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }
}
