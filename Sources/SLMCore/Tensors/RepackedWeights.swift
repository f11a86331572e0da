import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a model keeps its weights repacked into the panel kernels' order.
public enum PanelCache: Sendable, Equatable {
    /// A cache file in this directory (made if missing), mapped shared, so every process loading
    /// the same model file shares its pages, as they share the model file's.
    case directory(String)
    /// Memory of this process only (when no directory can be written).
    case memory
    /// No repacking: the panel kernels read the model file's rows and transpose them per call.
    case off

    /// `SWITCHYARD_PANEL_CACHE` when set (`off`, `memory`, or a directory), else
    /// `$XDG_CACHE_HOME/switchyard/panels`, else `$HOME/.cache/switchyard/panels`, else memory.
    public static func fromEnvironment(_ environment: [String: String]) -> PanelCache {
        if let value = environment["SWITCHYARD_PANEL_CACHE"], !value.isEmpty {
            switch value {
            case "off": return .off
            case "memory": return .memory
            default: return .directory(value)
            }
        }
        if let cache = environment["XDG_CACHE_HOME"], !cache.isEmpty { return .directory(cache + "/switchyard/panels") }
        if let home = environment["HOME"], !home.isEmpty { return .directory(home + "/.cache/switchyard/panels") }
        return .memory
    }

    /// `fromEnvironment` of this process's environment.
    public static var fromProcessEnvironment: PanelCache {
        var environment: [String: String] = [:]
        for name in ["SWITCHYARD_PANEL_CACHE", "XDG_CACHE_HOME", "HOME"] {
            if let value = getenv(name) { environment[name] = String(cString: value) }
        }
        return fromEnvironment(environment)
    }
}

/// Weight matrices repacked once into the panel kernels' order (`KernelSet.packPanels`), so a
/// product reads each 16-row panel as one stream instead of transposing the file's rows per call.
///
/// The repacked copy lives in a cache file named after the model file and a hash of its identity
/// (device, inode, size, modification time when it was mapped), its absolute path and the
/// matrices, mapped read-only and shared; a later load of the same file maps it again without
/// repacking. It is written to a temporary name and renamed, so a reader never sees half a file,
/// and checked against its header (layout version, source identity, every matrix's shape and
/// place, source path) before use; one that does not match is rebuilt. Each load through a cache
/// directory also removes the files in it no load can use again (`removeStaleFiles`), so copies
/// of replaced or deleted models do not pile up. When the directory cannot be written the copy
/// is kept in this process's memory. While repacking, the source rows are released from this
/// process's resident memory matrix by matrix, so the peak stays near one copy of the weights.
public final class RepackedWeights: @unchecked Sendable {
    // Safe because the mapping is written only before `init` returns and unmapped only in deinit.

    /// Where the repacked copy is.
    public enum Storage: Sendable, Equatable, CustomStringConvertible {
        /// A cache file; `reused` when it was there already.
        case cacheFile(path: String, reused: Bool)
        /// This process's memory.
        case memory

        /// For logs: "cache file PATH (reused)", "cache file PATH (written)" or "memory".
        public var description: String {
            switch self {
            case .cacheFile(let path, let reused): "cache file \(path) (\(reused ? "reused" : "written"))"
            case .memory: "memory"
            }
        }
    }

    /// Where the repacked copy is.
    public let storage: Storage
    /// The repacked copy of each matrix passed to `init`, nil for matrices no panel kernel reads.
    public let panels: [UnsafeRawPointer?]
    /// Names of the stale files this load removed from the cache directory (`removeStaleFiles`).
    public let removedStaleFiles: [String]
    private let mapping: MappedFile?
    private let memory: UnsafeMutableRawPointer?
    private let memoryBytes: Int

    /// Version of the cache file: the layout `KernelSet.packPanels` writes and the header's fields
    /// (2 added the source path). A cache file of another version is rebuilt, and removed as stale.
    static let layoutVersion: UInt64 = 2
    static let magic: UInt64 = 0x314C_4E50_4459_5753  // "SWYDPNL1" little-endian

    /// Repacks `matrices` (views into `source`) for `kernels`, or maps their cached copy.
    /// Returns nil when `cache` is `.off` or `kernels` reads none of them repacked.
    public init?(matrices: [WeightMatrix], source: MappedFile, kernels: KernelSet = .best, cache: PanelCache) {
        let sourcePath = Self.absolutePath(source.path)
        let layout = Layout(matrices: matrices, kernels: kernels, sourcePathBytes: sourcePath.utf8.count)
        guard cache != .off, layout.offsets.contains(where: { $0 != nil }) else { return nil }
        var removed: [String] = []
        if case .directory(let directory) = cache {
            let found = Self.cacheFile(directory: directory, layout: layout, identity: source.identity, matrices: matrices,
                                       source: source, sourcePath: sourcePath, kernels: kernels)
            let kept = found.map { URL(fileURLWithPath: $0.0.path).lastPathComponent }
            removed = Self.removeStaleFiles(in: directory, keeping: kept)
            if let (file, reused) = found {
                mapping = file
                memory = nil
                memoryBytes = 0
                storage = .cacheFile(path: file.path, reused: reused)
                panels = layout.offsets.map { $0.map { file.base + $0 } }
                removedStaleFiles = removed
                return
            }
        }
        removedStaleFiles = removed
        guard let pointer = mmap(nil, layout.totalBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
              pointer != MAP_FAILED else { return nil }
        Self.pack(matrices, layout: layout, source: source, kernels: kernels) { offset, bytes, count in
            (pointer + offset).copyMemory(from: bytes, byteCount: count)
            return true
        }
        mapping = nil
        memory = pointer
        memoryBytes = layout.totalBytes
        storage = .memory
        panels = layout.offsets.map { $0.map { UnsafeRawPointer(pointer) + $0 } }
    }

    deinit {
        if let memory { munmap(memory, memoryBytes) }
    }

    // MARK: Layout

    /// Where each matrix's panels go: after a header of `headerBytes`, each matrix page-aligned.
    struct Layout {
        static let headerWords = 10, matrixWords = 5
        var offsets: [Int?] = []
        var headerBytes = 0
        var totalBytes = 0

        init(matrices: [WeightMatrix], kernels: KernelSet, sourcePathBytes: Int) {
            let page = 4096
            let words = Self.headerWords + Self.matrixWords * matrices.count + (sourcePathBytes + 7) / 8
            headerBytes = (8 * words + page - 1) / page * page
            var offset = headerBytes
            for matrix in matrices {
                guard let bytes = kernels.panelBytes(matrix.type, rows: matrix.rows, columns: matrix.columns) else {
                    offsets.append(nil)
                    continue
                }
                offsets.append(offset)
                offset += (bytes + page - 1) / page * page
            }
            totalBytes = offset
        }
    }

    /// The header a cache file of `layout` starts with: magic, layout version, the source's
    /// identity (size, modification seconds and nanoseconds, device, inode), the total size, the
    /// number of matrices, the source path's length in bytes; then each matrix's type, rows,
    /// columns, place in the source and offset in the cache file; then the source's absolute
    /// path (UTF-8, zero-padded to whole words).
    static func header(layout: Layout, identity: MappedFile.Identity, matrices: [WeightMatrix], source: MappedFile,
                       sourcePath: String) -> [UInt64] {
        let path = Array(sourcePath.utf8)
        var words: [UInt64] = [magic, layoutVersion, identity.size, identity.seconds, identity.nanoseconds, identity.device,
                               identity.inode, UInt64(layout.totalBytes), UInt64(matrices.count), UInt64(path.count)]
        for (matrix, offset) in zip(matrices, layout.offsets) {
            words += [UInt64(matrix.type.rawValue), UInt64(matrix.rows), UInt64(matrix.columns),
                      UInt64(bitPattern: Int64(matrix.base - source.base)), UInt64(offset ?? 0)]
        }
        for start in stride(from: 0, to: path.count, by: 8) {
            var word: UInt64 = 0
            for (i, byte) in path[start..<min(start + 8, path.count)].enumerated() { word |= UInt64(byte) << (8 * UInt64(i)) }
            words.append(word)
        }
        return words
    }

    /// `path` made absolute and free of symbolic links when it exists, else as given.
    static func absolutePath(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// A file name for the cache with `header`: the source's base name and a hash of the header
    /// (the source's identity and the matrices), so other files or other sets of matrices from the
    /// same file get caches of their own.
    static func cacheName(source: MappedFile, header: [UInt64]) -> String {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325  // FNV-1a over the header's bytes
        for word in header {
            for shift in stride(from: 0, to: 64, by: 8) { hash = (hash ^ ((word >> UInt64(shift)) & 0xFF)) &* 0x0000_0100_0000_01B3 }
        }
        let base = source.path.split(separator: "/").last.map(String.init) ?? "model"
        let hex = String(hash, radix: 16)
        return "\(base)-\(String(repeating: "0", count: 16 - hex.count) + hex)-v\(layoutVersion).panels"
    }

    // MARK: Cache file

    /// Maps the valid cache file for `identity` in `directory`, writing it first if needed; nil
    /// when it can be neither read nor written.
    private static func cacheFile(
        directory: String, layout: Layout, identity: MappedFile.Identity, matrices: [WeightMatrix], source: MappedFile,
        sourcePath: String, kernels: KernelSet
    ) -> (MappedFile, Bool)? {
        let expected = header(layout: layout, identity: identity, matrices: matrices, source: source, sourcePath: sourcePath)
        let path = directory + "/" + cacheName(source: source, header: expected)
        if let existing = try? MappedFile(path: path) {
            if isValid(existing, header: expected, totalBytes: layout.totalBytes) { return (existing, true) }
            unlink(path)
        }
        guard makeDirectories(directory) else { return nil }
        let temporary = path + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return nil }
        var written = ftruncate(fd, off_t(layout.totalBytes)) == 0
        if written {
            written = expected.withUnsafeBytes { writeAll(fd, $0.baseAddress!, $0.count, at: 0) }
        }
        if written {
            written = pack(matrices, layout: layout, source: source, kernels: kernels) { offset, bytes, count in
                writeAll(fd, bytes, count, at: offset)
            }
        }
        close(fd)
        guard written, rename(temporary, path) == 0, let file = try? MappedFile(path: path),
              isValid(file, header: expected, totalBytes: layout.totalBytes) else {
            unlink(temporary)
            return nil
        }
        return (file, false)
    }

    // MARK: Stale files

    /// Removes the files in `directory` that no load can use again, except the one named `keep`,
    /// and returns their names:
    /// - cache files of another version (`layoutVersion`), which this build rebuilds anyway;
    /// - cache files whose source is gone, or is no longer the file they were made from (another
    ///   device, inode, size or modification time: the model was replaced);
    /// - temporary files of writes not touched for `abandonedAfterSeconds` (a writer that died).
    ///
    /// Files that are not cache files (another magic number, unreadable) and cache files whose
    /// source cannot be checked (no permission) are left alone. A process still mapping a removed
    /// file keeps its pages; its next load writes a new file.
    static func removeStaleFiles(in directory: String, keeping keep: String?, abandonedAfterSeconds: Int = 3600) -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        var removed: [String] = []
        for name in names.sorted() where name != keep {
            let path = directory + "/" + name
            let stale: Bool
            if name.hasSuffix(".panels") {
                stale = isStaleCacheFile(path)
            } else if name.contains(".panels.tmp-") {
                var info = stat()
                guard stat(path, &info) == 0 else { continue }
                stale = Int(time(nil)) - Int(modificationTime(info).tv_sec) > abandonedAfterSeconds
            } else {
                continue
            }
            if stale, unlink(path) == 0 { removed.append(name) }
        }
        return removed
    }

    /// Whether the cache file at `path` can never be used again (see `removeStaleFiles`).
    static func isStaleCacheFile(_ path: String) -> Bool {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var words = [UInt64](repeating: 0, count: Layout.headerWords)
        let wordBytes = 8 * Layout.headerWords
        guard words.withUnsafeMutableBytes({ pread(fd, $0.baseAddress!, wordBytes, 0) }) == wordBytes, words[0] == magic else {
            return false
        }
        if words[1] != layoutVersion { return true }
        let matrices = Int(clamping: words[8]), pathBytes = Int(clamping: words[9])
        guard matrices < 1 << 20, pathBytes > 0, pathBytes <= 1 << 16 else { return false }
        var pathBuffer = [UInt8](repeating: 0, count: pathBytes)
        let pathOffset = 8 * (Layout.headerWords + Layout.matrixWords * matrices)
        guard pathBuffer.withUnsafeMutableBytes({ pread(fd, $0.baseAddress!, pathBytes, off_t(pathOffset)) }) == pathBytes else {
            return false
        }
        var info = stat()
        guard stat(String(decoding: pathBuffer, as: UTF8.self), &info) == 0 else { return errno == ENOENT || errno == ENOTDIR }
        let modified = modificationTime(info)
        let current: [UInt64] = [UInt64(info.st_size), UInt64(bitPattern: Int64(modified.tv_sec)), UInt64(modified.tv_nsec),
                                 UInt64(info.st_dev), UInt64(info.st_ino)]
        return Array(words[2...6]) != current
    }

    /// `info`'s modification time.
    private static func modificationTime(_ info: stat) -> timespec {
        #if canImport(Darwin)
        info.st_mtimespec
        #else
        info.st_mtim
        #endif
    }

    static func isValid(_ file: MappedFile, header: [UInt64], totalBytes: Int) -> Bool {
        guard file.count == totalBytes, file.count >= header.count * 8 else { return false }
        return header.withUnsafeBytes { memcmp($0.baseAddress!, file.base, $0.count) == 0 }
    }

    private static func makeDirectories(_ path: String) -> Bool {
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            prefix += "/" + component
            if mkdir(prefix, 0o755) != 0 && errno != EEXIST { return false }
        }
        return true
    }

    private static func writeAll(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int, at offset: Int) -> Bool {
        var done = 0
        while done < count {
            let n = pwrite(fd, bytes + done, count - done, off_t(offset + done))
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return false }
            done += n
        }
        return true
    }

    // MARK: Packing

    /// Packs each matrix a slice of whole panels at a time into a small buffer and hands it to
    /// `write(offset, bytes, count)`; after each matrix, releases its source pages from this
    /// process's resident set (they stay in the page cache). Stops at the first failed write.
    @discardableResult
    private static func pack(
        _ matrices: [WeightMatrix], layout: Layout, source: MappedFile, kernels: KernelSet,
        write: (Int, UnsafeRawPointer, Int) -> Bool
    ) -> Bool {
        let bufferBytes = 1 << 20
        var buffer: UnsafeMutableRawPointer?
        defer { buffer?.deallocate() }
        for (matrix, offset) in zip(matrices, layout.offsets) {
            guard let offset else { continue }
            let blocks = matrix.columns / matrix.type.blockSize
            let panelStride = KernelSet.panelStride(matrix.type, blocks: blocks)
            let panelsPerSlice = max(1, bufferBytes / panelStride)
            let chunk = buffer ?? UnsafeMutableRawPointer.allocate(byteCount: max(bufferBytes, panelStride), alignment: 64)
            buffer = chunk
            var row = 0
            while row < matrix.rows {
                let rows = min(matrix.rows - row, panelsPerSlice * 16)
                let slice = WeightMatrix(type: matrix.type, rows: rows, columns: matrix.columns, base: matrix.row(row))
                kernels.packPanels(slice, into: chunk)
                let bytes = (rows + 15) / 16 * panelStride
                guard write(offset + row / 16 * panelStride, chunk, bytes) else { return false }
                row += rows
            }
            release(matrix, in: source)
        }
        return true
    }

    /// Drops the pages of `matrix`'s rows from this process's resident set (a read-only shared
    /// mapping: they are read again from the page cache if touched).
    private static func release(_ matrix: WeightMatrix, in source: MappedFile) {
        let page = Int(getpagesize())
        let start = Int(bitPattern: matrix.base), end = start + matrix.rows * matrix.rowStride
        let low = max((start + page - 1) / page * page, Int(bitPattern: source.base))
        let high = end / page * page
        guard high > low else { return }
        madvise(UnsafeMutableRawPointer(bitPattern: low), high - low, MADV_DONTNEED)
    }
}
