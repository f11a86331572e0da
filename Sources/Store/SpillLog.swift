import Foundation
import Synchronization
import SwitchyardTypes

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An append-only local log of request records, in numbered segment files.
///
/// Each line is `<crc32 hex> <JSON record>`; a line whose checksum does not match (a torn write
/// at a crash) is skipped and counted. Appends go to the open segment; ``seal()`` closes it so a
/// reader can ship sealed segments oldest first and delete each once it is in the database.
/// Used as the spill file of the buffered mode and as the write-ahead log of the `wal` mode.
public final class SpillLog: Sendable {
    /// What reading a segment found.
    public struct SegmentContents: Sendable {
        public var records: [RequestRecord]
        /// Lines skipped because their checksum or JSON was bad.
        public var corruptLines: Int
    }

    private struct State {
        /// Sealed segments not yet removed, oldest first.
        var sealed: [UInt64]
        var nextSequence: UInt64
        var openSequence: UInt64? = nil
        var openDescriptor: Int32? = nil
        var openPath: String? = nil
        var openHasData = false
    }

    /// The folder holding the segments.
    public let folder: URL
    private let state: Mutex<State>
    /// ``hasBacklog`` as of the last change, readable while an append holds the lock (a stuck disk must
    /// not stall `/readyz` or the writer's health).
    private let backlog: Atomic<Bool>
    private let openFile: @Sendable (String) -> Int32

    /// A log in `folder` (created if missing); existing segments are kept for replay.
    /// - Throws: `StoreError.spillFolderUnusable`.
    public convenience init(folder: URL) throws {
        try self.init(folder: folder, openFile: { path in open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600) })
    }

    /// As above, with the function that opens a segment for appending (tests point it at `/dev/full`).
    init(folder: URL, openFile: @escaping @Sendable (String) -> Int32) throws {
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw StoreError.spillFolderUnusable(path: folder.path, reason: "\(error)")
        }
        self.folder = folder
        self.openFile = openFile
        let existing = try Self.segmentSequences(in: folder)
        self.state = Mutex(State(sealed: existing, nextSequence: (existing.last ?? 0) + 1))
        self.backlog = Atomic(!existing.isEmpty)
    }

    // MARK: Writing

    /// Appends `records` to the open segment; with `sync`, returns only after `fsync`.
    /// - Throws: `StoreError.spillWriteFailed` (disk full, permissions...); nothing is half-acknowledged.
    public func append(_ records: [RequestRecord], sync: Bool) throws {
        guard !records.isEmpty else { return }
        let bytes = try Self.encode(records)
        try state.withLock { state in try writeLines(bytes, sync: sync, &state) }
    }

    /// Writes `records` into a segment of their own, fsynced and sealed in one step: no other append can
    /// land in it, so it can be removed once its records are in the database without losing anyone else's.
    /// - Returns: The sealed segment.
    /// - Throws: `StoreError.spillWriteFailed`; the records are then in no sealed segment.
    public func appendSegment(_ records: [RequestRecord]) throws -> URL {
        let bytes = try Self.encode(records)
        let sequence = try state.withLock { state -> UInt64 in
            sealOpenSegment(&state)
            try writeLines(bytes, sync: true, &state)
            guard let sequence = sealOpenSegment(&state) else {
                throw StoreError.spillWriteFailed(path: folder.path, reason: "nothing was written to the new segment")
            }
            return sequence
        }
        return folder.appendingPathComponent(Self.segmentName(sequence))
    }

    /// Appends encoded lines to the open segment (opening one when none is), under the lock.
    private func writeLines(_ bytes: [UInt8], sync: Bool, _ state: inout State) throws {
        let (descriptor, path) = try openSegment(&state)
        let start = lseek(descriptor, 0, SEEK_END)
        try bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    let reason = String(cString: strerror(errno))
                    // Cut a torn tail so the next append starts on a clean line.
                    if start >= 0 { _ = ftruncate(descriptor, start) }
                    throw StoreError.spillWriteFailed(path: path, reason: reason)
                }
                offset += written
            }
        }
        state.openHasData = true
        publishBacklog(state)
        if sync, fsync(descriptor) != 0 {
            throw StoreError.spillWriteFailed(path: path, reason: "fsync: " + String(cString: strerror(errno)))
        }
    }

    /// Forces the open segment to disk.
    public func sync() throws {
        try state.withLock { state in
            guard let descriptor = state.openDescriptor, let path = state.openPath else { return }
            if fsync(descriptor) != 0 {
                throw StoreError.spillWriteFailed(path: path, reason: "fsync: " + String(cString: strerror(errno)))
            }
        }
    }

    /// Closes the open segment (if it holds anything) so it becomes sealed; the next append starts a new one.
    /// - Returns: The segment just sealed, or nil when the open segment was empty.
    @discardableResult
    public func seal() -> URL? {
        let sealed = state.withLock { sealOpenSegment(&$0) }
        return sealed.map { folder.appendingPathComponent(Self.segmentName($0)) }
    }

    /// Seals the open segment if it holds anything (under the lock); returns its sequence number.
    @discardableResult
    private func sealOpenSegment(_ state: inout State) -> UInt64? {
        guard let descriptor = state.openDescriptor, state.openHasData, let sequence = state.openSequence else { return nil }
        _ = fsync(descriptor)
        close(descriptor)
        state.sealed.append(sequence)
        state.openDescriptor = nil
        state.openPath = nil
        state.openSequence = nil
        state.openHasData = false
        return sequence
    }

    // MARK: Reading

    /// Sealed segments, oldest first (the open one is never listed).
    public func sealedSegments() throws -> [URL] {
        state.withLock { $0.sealed }.map { folder.appendingPathComponent(Self.segmentName($0)) }
    }

    /// Whether anything waits to be shipped: a sealed segment, or data in the open one. Never waits for the disk.
    public var hasBacklog: Bool {
        backlog.load(ordering: .acquiring)
    }

    /// The records of a segment, in the order they were appended.
    public func read(_ segment: URL) throws -> SegmentContents {
        guard let data = FileManager.default.contents(atPath: segment.path) else {
            throw StoreError.spillFolderUnusable(path: segment.path, reason: "cannot read segment")
        }
        let decoder = JSONDecoder()
        var records: [RequestRecord] = []
        var corrupt = 0
        for line in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true) {
            guard line.count > 9, line[line.startIndex + 8] == UInt8(ascii: " "),
                  let expected = UInt32(String(decoding: line.prefix(8), as: UTF8.self), radix: 16) else {
                corrupt += 1; continue
            }
            let json = line.dropFirst(9)
            guard CRC32.checksum(json) == expected, let record = try? decoder.decode(RequestRecord.self, from: Data(json)) else {
                corrupt += 1; continue
            }
            records.append(record)
        }
        return SegmentContents(records: records, corruptLines: corrupt)
    }

    /// Deletes a shipped segment.
    public func remove(_ segment: URL) throws {
        do { try FileManager.default.removeItem(at: segment) } catch {
            throw StoreError.spillFolderUnusable(path: segment.path, reason: "cannot delete shipped segment: \(error)")
        }
        let name = segment.lastPathComponent
        state.withLock { state in
            state.sealed.removeAll { Self.segmentName($0) == name }
            publishBacklog(state)
        }
    }

    /// Makes ``hasBacklog`` reflect `state` (called under the lock after each change).
    private func publishBacklog(_ state: State) {
        backlog.store(state.openHasData || !state.sealed.isEmpty, ordering: .releasing)
    }

    // MARK: Files

    static func segmentName(_ sequence: UInt64) -> String {
        let digits = String(sequence)
        return "spill-" + String(repeating: "0", count: max(0, 20 - digits.count)) + digits + ".jsonl"
    }

    private static func segmentSequences(in folder: URL) throws -> [UInt64] {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: folder.path) } catch {
            throw StoreError.spillFolderUnusable(path: folder.path, reason: "\(error)")
        }
        return names.compactMap { name -> UInt64? in
            guard name.hasPrefix("spill-"), name.hasSuffix(".jsonl") else { return nil }
            return UInt64(name.dropFirst(6).dropLast(6))
        }.sorted()
    }

    private func openSegment(_ state: inout State) throws -> (Int32, String) {
        if let descriptor = state.openDescriptor, let path = state.openPath { return (descriptor, path) }
        let path = folder.appendingPathComponent(Self.segmentName(state.nextSequence)).path
        let descriptor = openFile(path)
        guard descriptor >= 0 else {
            throw StoreError.spillWriteFailed(path: path, reason: String(cString: strerror(errno)))
        }
        state.openSequence = state.nextSequence
        state.nextSequence += 1
        state.openDescriptor = descriptor
        state.openPath = path
        state.openHasData = false
        syncFolder()
        return (descriptor, path)
    }

    /// Makes the new file's directory entry durable.
    private func syncFolder() {
        let descriptor = open(folder.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        _ = fsync(descriptor)
        close(descriptor)
    }

    private static func encode(_ records: [RequestRecord]) throws -> [UInt8] {
        var bytes: [UInt8] = []
        for record in records {
            let json: [UInt8]
            do { json = try SpillRecordJSON.encode(record) } catch {
                throw StoreError.spillWriteFailed(path: "", reason: "cannot encode record: \(error)")
            }
            let checksum = String(CRC32.checksum(json), radix: 16)
            bytes.append(contentsOf: Array(String(repeating: "0", count: 8 - checksum.count).utf8))
            bytes.append(contentsOf: Array(checksum.utf8))
            bytes.append(UInt8(ascii: " "))
            bytes.append(contentsOf: json)
            bytes.append(UInt8(ascii: "\n"))
        }
        return bytes
    }

    deinit {
        state.withLock { state in
            if let descriptor = state.openDescriptor { _ = fsync(descriptor); close(descriptor) }
        }
    }
}
