import Foundation
import GatewayTesting
import PostgresNIO
import Synchronization
import SwitchyardTypes
import Testing
@testable import Store

/// `record()` is what every request pays: it returns at once whatever a flush is doing, and loses nothing.
@Suite struct MetricsWriterStallTests {
    @Test(.timeLimit(.minutes(2)))
    func recordReturnsPromptlyWhileAFlushIsStalledAndNothingIsLost() async throws {
        try await PostgresHarness.withFreshDatabase { db in
            let spill = try temporaryFolder()
            // The disk hangs too: opening a spill segment waits until the gate opens (a stuck volume).
            let disk = Gate()
            let log = try SpillLog(folder: spill, openFile: { path in
                disk.waitUntilOpen()
                return open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
            })
            var configuration = try testWriterConfiguration(spill: spill)
            configuration.batchSize = 100
            configuration.bufferCapacity = 400
            configuration.writeTimeout = .seconds(60)  // the stalled write is waited for, not given up on
            let writer = MetricsWriter(inserter: RecordBatchInserter(client: db.client), spill: log,
                                       configuration: configuration, logger: quietLogger())
            let records = (0..<3_000).map { sampleRecord(index: $0, calls: 1) }
            let database = TableLock()

            try await withRunningWriter(writer) {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    // PostgreSQL stalls the writer: another session holds an exclusive lock on `requests`.
                    group.addTask { try await database.hold(table: "requests", on: db.client) }
                    // Whatever happens, the stall ends after 15 s (a writer that blocks record() then fails below, not hangs).
                    group.addTask {
                        let end = ContinuousClock.now.advanced(by: .seconds(15))
                        while ContinuousClock.now < end && !disk.isOpen { try? await Task.sleep(for: .milliseconds(100)) }
                        disk.open()
                        database.release()
                    }
                    try await database.waitUntilHeld()
                    for record in records.prefix(100) { writer.record(record) }  // one full batch: the writer flushes it
                    try await waitUntilAnInsertWaitsForALock(db.client)

                    let slowest = await recordEachTimed(Array(records.dropFirst(100)), into: writer)
                    #expect(slowest < .milliseconds(100), "record() blocked for \(slowest) while the flush was stalled")
                    // 400 wait for the database and the rest, past the capacity, for the stuck spill log (the
                    // records its pending append holds are not counted); none was dropped.
                    #expect(writer.health.bufferedRecords > 2_800, "records waiting in memory: \(writer.health.bufferedRecords)")
                    #expect(writer.health.droppedRecords == 0)

                    disk.open()
                    database.release()
                    try await group.waitForAll()
                }
                // The database is back: wait (bounded) until everything is written or replayed.
                let deadline = ContinuousClock.now.advanced(by: .seconds(60))
                while ContinuousClock.now < deadline {
                    await writer.flush()
                    if writer.health.bufferedRecords == 0 && !writer.health.hasSpillBacklog { break }
                    try await Task.sleep(for: .milliseconds(100))
                }
            }

            let ids = records.map(\.id)
            let rows = try await db.client.query("SELECT count(*), count(DISTINCT id) FROM requests WHERE id = ANY(\(ids))")
            for try await (total, distinct) in rows.decode((Int64, Int64).self) {
                #expect(total == 3_000, "rows for recorded requests: \(total) of 3000")
                #expect(distinct == total)
            }
            #expect(writer.health.droppedRecords == 0)
            #expect(try SpillLog(folder: spill).sealedSegments().isEmpty, "everything spilled was replayed")
        }
    }
}

/// Calls `record` for each record on a thread of its own (as a request handler would) and returns the slowest call.
private func recordEachTimed(_ records: [RequestRecord], into writer: MetricsWriter) async -> Duration {
    await withCheckedContinuation { (done: CheckedContinuation<Duration, Never>) in
        Thread.detachNewThread {
            var slowest = Duration.zero
            for record in records {
                let before = ContinuousClock.now
                writer.record(record)
                slowest = max(slowest, ContinuousClock.now - before)
            }
            done.resume(returning: slowest)
        }
    }
}

/// Returns once a session of this database waits for a lock (the writer's insert behind the held table lock).
private func waitUntilAnInsertWaitsForALock(_ client: PostgresClient) async throws {
    let deadline = ContinuousClock.now.advanced(by: .seconds(20))
    while ContinuousClock.now < deadline {
        let waiting = try await scalarInt(client, """
            SELECT count(*) FROM pg_stat_activity
            WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()
            """)
        if waiting > 0 { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    Issue.record("the writer's insert never waited for the table lock; the test proves nothing")
}

/// A gate threads wait at until it is opened (once; opening again does nothing).
private final class Gate: Sendable {
    private let opened = Mutex(false)
    private let waiters = DispatchGroup()

    init() { waiters.enter() }

    /// Whether ``open()`` was called.
    var isOpen: Bool { opened.withLock { $0 } }

    /// Blocks the calling thread until ``open()``.
    func waitUntilOpen() { waiters.wait() }

    /// Lets every waiter (and every later one) through.
    func open() {
        let first = opened.withLock { opened -> Bool in
            defer { opened = true }
            return !opened
        }
        if first { waiters.leave() }
    }
}

/// An exclusive lock on a table, held by a session of its own until released.
private final class TableLock: Sendable {
    private let held = AsyncStream<Void>.makeStream()
    private let released = AsyncStream<Void>.makeStream()

    /// Takes `ACCESS EXCLUSIVE` on `table` in a transaction and keeps it until ``release()``.
    func hold(table: String, on client: PostgresClient) async throws {
        do {
            try await client.withConnection { connection in
                try await connection.query("BEGIN", logger: testLogger)
                try await connection.query(PostgresQuery(unsafeSQL: "LOCK TABLE \(table) IN ACCESS EXCLUSIVE MODE"), logger: testLogger)
                self.held.continuation.yield()
                for await _ in self.released.stream { break }
                try await connection.query("COMMIT", logger: testLogger)
            }
        } catch {
            held.continuation.finish()
            throw error
        }
    }

    /// Returns once the lock is held.
    /// - Throws: `StoreError.queryFailed` when taking it failed.
    func waitUntilHeld() async throws {
        for await _ in held.stream { return }
        throw StoreError.queryFailed(operation: "lock the table for the test", sqlState: nil, message: "the lock could not be taken")
    }

    /// Ends the holding transaction.
    func release() { released.continuation.finish() }
}
