import Dispatch
import Foundation
import Logging
import Metrics
import PostgresNIO
import ServiceLifecycle
import Synchronization
import SwitchyardTypes

/// Writes finished requests to PostgreSQL without ever slowing a request, and without losing one.
///
/// - `record(_:)` appends to a bounded in-memory buffer and returns: constant time, no I/O, no awaiting,
///   and no lock held by anything slower than an append, whatever a flush is doing meanwhile. The buffer
///   is a ``ChunkedQueue`` (a growing array would copy every waiting record now and then). Past
///   ``MetricsWriterConfiguration/bufferCapacity`` records queue for the spill log, which a background
///   queue appends them to (the caller never waits for the disk).
/// - Every flush interval, or as soon as a batch is full, the buffer is written in one COPY-based
///   transaction (``RecordBatchInserter``).
/// - When PostgreSQL is down or slower than ``MetricsWriterConfiguration/writeTimeout``, the batch is
///   appended to the fsynced ``SpillLog`` instead; while spilled records wait, new batches follow
///   them into the log so that replay keeps arrival order. Replay is idempotent.
/// - In `wal` mode every record goes through the log first: ``recordDurably(_:)`` returns after the
///   fsync of its group commit.
/// - On graceful shutdown (SIGTERM through the `ServiceGroup`) everything buffered is written or spilled.
///
/// Put it in the `ServiceGroup` *after* the `PostgresClient`, so it shuts down (and flushes) first.
public final class MetricsWriter: Service, RequestRecordSink, Sendable {
    private typealias LogEntry = (record: RequestRecord, done: CheckedContinuation<Void, any Error>?)

    private struct State {
        /// Records waiting for the next database write.
        var buffer = ChunkedQueue<RequestRecord>()
        /// Records that came while the buffer was full, waiting for the log queue to spill them.
        var overflow = ChunkedQueue<RequestRecord>()
        var overflowDrainScheduled = false
        /// Records the log queue took from `overflow` and is appending to the spill log now.
        var overflowBeingSpilled = 0
        var walPending = ChunkedQueue<LogEntry>()
        var walCommitScheduled = false
        var spillWritable = true
        var databaseWritable = true
        var dropped = 0
        var shuttingDown = false
        var flushWaiters: [CheckedContinuation<Void, Never>] = []
        var nextReplay: ContinuousClock.Instant = .now
        var wakeRequested = false
        var tickWaiter: CheckedContinuation<Void, Never>? = nil
    }

    private let configuration: MetricsWriterConfiguration
    private let inserter: RecordBatchInserter
    private let spill: SpillLog
    private let logger: Logger
    private let state = Mutex(State())
    /// Appends to the spill log off the callers' threads: `wal` group commits and records past the buffer's capacity.
    private let logQueue = DispatchQueue(label: "switchyard.metrics.log")

    private let rowsWritten: Counter
    private let recordsSpilled: Counter
    private let spillFailures: Counter
    private let recordsDropped: Counter
    private let spillWritableGauge: Gauge

    /// A writer for the database behind `client`, spilling to `configuration.spillFolder`.
    ///
    /// Its metrics (`switchyard_metrics_records_written_total`, `..._spilled_total`, `..._dropped_total`,
    /// `switchyard_metrics_spill_failures_total`, `switchyard_metrics_spill_writable`) go to `metricsFactory`,
    /// e.g. the gateway's Prometheus registry; by default to the global metrics system.
    /// - Throws: `StoreError.spillFolderUnusable` when the spill folder cannot be created or listed.
    public convenience init(client: PostgresClient, configuration: MetricsWriterConfiguration,
                            logger: Logger = Logger(label: "switchyard.metrics"), metricsFactory: (any MetricsFactory)? = nil) throws {
        try self.init(inserter: RecordBatchInserter(client: client, logger: logger),
                      spill: SpillLog(folder: configuration.spillFolder), configuration: configuration, logger: logger,
                      metricsFactory: metricsFactory)
    }

    init(inserter: RecordBatchInserter, spill: SpillLog, configuration: MetricsWriterConfiguration, logger: Logger,
         metricsFactory: (any MetricsFactory)? = nil) {
        self.configuration = configuration
        self.inserter = inserter
        self.spill = spill
        self.logger = logger
        let factory = metricsFactory ?? MetricsSystem.factory
        rowsWritten = Counter(label: "switchyard_metrics_records_written_total", factory: factory)
        recordsSpilled = Counter(label: "switchyard_metrics_records_spilled_total", factory: factory)
        spillFailures = Counter(label: "switchyard_metrics_spill_failures_total", factory: factory)
        recordsDropped = Counter(label: "switchyard_metrics_records_dropped_total", factory: factory)
        spillWritableGauge = Gauge(label: "switchyard_metrics_spill_writable", factory: factory)
        spillWritableGauge.record(1)
    }

    // MARK: Recording (hot path)

    /// Hands over a finished request; returns at once (constant time, never waits for the database,
    /// the disk or a flush). In `wal` mode the record is queued for the log without waiting for it
    /// (use ``recordDurably(_:)`` to wait).
    public func record(_ record: RequestRecord) {
        if configuration.durability == .wal {
            enqueueForLog(record, done: nil)
            return
        }
        let capacity = configuration.bufferCapacity, batchSize = configuration.batchSize
        let (waiter, spillOverflow) = state.withLock { state -> (CheckedContinuation<Void, Never>?, Bool) in
            guard state.buffer.count < capacity else {
                state.overflow.append(record)
                defer { state.overflowDrainScheduled = true }
                return (nil, !state.overflowDrainScheduled)
            }
            state.buffer.append(record)
            guard state.buffer.count == batchSize else { return (nil, false) }
            return (Self.takeTickWaiter(&state), false)
        }
        waiter?.resume()
        if spillOverflow { logQueue.async { self.drainOverflow() } }
    }

    /// Hands over a finished request and, in `wal` mode, returns once it is fsynced to the local log
    /// (group-committed with concurrent callers). In `buffered` mode it is the same as ``record(_:)``.
    /// - Throws: `StoreError.spillWriteFailed` when the log cannot be written; the record is then
    ///   kept in memory and still written to the database when possible.
    public func recordDurably(_ record: RequestRecord) async throws {
        guard configuration.durability == .wal else { return self.record(record) }
        try await withCheckedThrowingContinuation { (done: CheckedContinuation<Void, any Error>) in
            enqueueForLog(record, done: done)
        }
    }

    /// The writer's state for `/readyz` and operators.
    public var health: MetricsWriterHealth {
        let snapshot = state.withLock { ($0.spillWritable, $0.databaseWritable, $0.buffer.count + $0.overflow.count + $0.overflowBeingSpilled + $0.walPending.count, $0.dropped) }
        return MetricsWriterHealth(spillWritable: snapshot.0, databaseWritable: snapshot.1, bufferedRecords: snapshot.2,
                                   hasSpillBacklog: spill.hasBacklog, droppedRecords: snapshot.3)
    }

    /// Why the gateway should not count as ready because of the writer (for `/readyz`), nil when it may.
    ///
    /// Not ready while the spill log cannot be written (a full or read-only disk): an outage of the
    /// database could then lose records. A database outage alone is not a reason: records spill.
    public func unreadyReason() -> String? {
        guard !health.isReady else { return nil }
        return "the metrics spill log in \(spill.folder.path) cannot be written (disk full?); request records are held in memory only"
    }

    /// Writes everything recorded so far (or spills it) and replays the spill log now; returns when done.
    /// Only meaningful while ``run()`` is running.
    public func flush() async {
        await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
            state.withLock { $0.flushWaiters.append(waiter); $0.nextReplay = .now }
            wakeUp()
        }
    }

    // MARK: Service

    /// Replays what a previous run left in the spill log, then writes batches until graceful shutdown,
    /// then flushes or spills everything left.
    public func run() async throws {
        await replayBacklog(timeout: configuration.replayTimeout)
        await withGracefulShutdownHandler {
            while !Task.isCancelled && !state.withLock({ $0.shuttingDown }) {
                await waitForTick()
                let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
                    defer { state.flushWaiters = [] }
                    return state.flushWaiters
                }
                // Records spilled past the buffer's capacity reach the log before it is replayed.
                await logQueueDrained()
                await flushBuffer(timeout: configuration.writeTimeout)
                await replayBacklog(timeout: configuration.replayTimeout)
                for waiter in waiters { waiter.resume() }
            }
        } onGracefulShutdown: {
            self.state.withLock { $0.shuttingDown = true }
            self.wakeUp()
        }
        await finalFlush()
    }

    // MARK: Steps

    /// Sleeps one flush interval, or less when woken (batch full, flush requested, shutdown, cancellation).
    private func waitForTick() async {
        let interval = configuration.flushInterval
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                do { try await Task.sleep(for: interval); self.wakeUp() } catch {}
            }
            await withTaskCancellationHandler {
                await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
                    let now = state.withLock { state -> Bool in
                        if state.wakeRequested || state.shuttingDown { state.wakeRequested = false; return true }
                        state.tickWaiter = waiter
                        return false
                    }
                    if now { waiter.resume() }
                }
            } onCancel: {
                self.wakeUp()
            }
            group.cancelAll()
        }
    }

    private func wakeUp() {
        state.withLock { Self.takeTickWaiter(&$0) }?.resume()
    }

    /// The sleeping writer's continuation to resume (outside the lock), or a wake-up left for its next tick.
    private static func takeTickWaiter(_ state: inout State) -> CheckedContinuation<Void, Never>? {
        if let waiter = state.tickWaiter { state.tickWaiter = nil; return waiter }
        state.wakeRequested = true
        return nil
    }

    /// Everything in the buffer, oldest first; its emptied chunks go back for `record` to fill again
    /// (memory already touched: no allocation or page fault on the hot path in steady state).
    private func takeBuffered() -> [RequestRecord] {
        var chunks = state.withLock { $0.buffer.takeAll() }
        let records = Array(chunks.joined())
        for index in chunks.indices { chunks[index].removeAll(keepingCapacity: true) }
        state.withLock { $0.buffer.recycle(chunks) }
        return records
    }

    /// Returns once everything queued on the log queue before the call has been appended.
    private func logQueueDrained() async {
        await withCheckedContinuation { (drained: CheckedContinuation<Void, Never>) in logQueue.async { drained.resume() } }
    }

    /// Writes the buffer in batches, up to ``MetricsWriterConfiguration/writeConnections`` at a time on
    /// their own connections; what cannot be written goes to the spill log.
    private func flushBuffer(timeout: Duration) async {
        var pending = takeBuffered()
        while !pending.isEmpty {
            if spill.hasBacklog {
                // Older records wait in the log: queue behind them to keep arrival order.
                spillOrKeep(pending)
                return
            }
            var batches: [[RequestRecord]] = []
            var taken = 0
            while batches.count < max(1, configuration.writeConnections) && taken < pending.count {
                let end = min(taken + configuration.batchSize, pending.count)
                batches.append(Array(pending[taken..<end]))
                taken = end
            }
            let outcomes = await writeInsured(batches, timeout: timeout)
            pending.removeFirst(taken)
            if outcomes.allSatisfy({ $0 == .written }) { continue }
            // Failed batches not already copied to the log go there now, ahead of everything still pending.
            let unsaved = zip(batches, outcomes).filter { $0.1 == .failed(insured: false) }.flatMap(\.0)
            spillOrKeep(unsaved + pending)
            return
        }
    }

    private enum BatchOutcome: Equatable { case written, failed(insured: Bool) }
    private enum WriteEvent: Sendable { case finished(Int, Result<Void, any Error>), insuranceDue }

    /// Writes batches concurrently, one connection each. If writes are still running one flush interval
    /// later, a copy of those batches goes to the spill log in one fsynced append, in arrival order (the
    /// durability bound of `buffered` mode); once every batch of that copy is written it is deleted again.
    private func writeInsured(_ batches: [[RequestRecord]], timeout: Duration) async -> [BatchOutcome] {
        let inserter = self.inserter
        let window = configuration.flushInterval
        return await withTaskGroup(of: WriteEvent.self) { group in
            for (index, batch) in batches.enumerated() {
                group.addTask {
                    do {
                        try await withTimeout(timeout, operation: "metrics batch write") { try await inserter.insert(batch) }
                        return .finished(index, .success(()))
                    } catch {
                        return .finished(index, .failure(error))
                    }
                }
            }
            group.addTask {
                do { try await Task.sleep(for: window); return .insuranceDue } catch { return .insuranceDue }
            }
            var outcomes = [BatchOutcome?](repeating: nil, count: batches.count)
            var insurance: URL? = nil
            var insured: Set<Int> = []
            var running = batches.count
            while running > 0, let event = await group.next() {
                switch event {
                case .insuranceDue:
                    let open = outcomes.indices.filter { outcomes[$0] == nil }
                    guard insured.isEmpty, !open.isEmpty, !Task.isCancelled else { continue }
                    let copy = open.flatMap { batches[$0] }
                    do {
                        // A segment of its own: removing it later must not take other appends (overflow, wal) with it.
                        insurance = try spill.appendSegment(copy)
                        insured = Set(open)
                        markSpill(writable: true)
                    } catch {
                        markSpill(writable: false, error: error, records: copy.count)
                    }
                case .finished(let index, let result):
                    running -= 1
                    switch result {
                    case .success:
                        markDatabase(writable: true, wrote: batches[index].count)
                        outcomes[index] = .written
                    case .failure(let error):
                        markDatabase(writable: false, error: error)
                        if insured.contains(index) { recordsSpilled.increment(by: batches[index].count) }
                        outcomes[index] = .failed(insured: insured.contains(index))
                    }
                }
            }
            group.cancelAll()
            if let insurance, insured.allSatisfy({ outcomes[$0] == .written }) { try? spill.remove(insurance) }
            return outcomes.map { $0 ?? .failed(insured: false) }
        }
    }

    /// Ships sealed spill segments oldest first, deleting each once written; stops at the first failure.
    private func replayBacklog(timeout: Duration) async {
        guard spill.hasBacklog else { return }
        let due = state.withLock { $0.nextReplay <= .now }
        guard due else { return }
        spill.seal()
        let segments: [URL]
        do { segments = try spill.sealedSegments() } catch {
            logger.error("cannot list spill segments", metadata: ["error": "\(error)"])
            return
        }
        for segment in segments {
            let contents: SpillLog.SegmentContents
            do { contents = try spill.read(segment) } catch {
                logger.error("cannot read spill segment", metadata: ["file": "\(segment.path)", "error": "\(error)"])
                return
            }
            if contents.corruptLines > 0 {
                logger.warning("skipped torn lines in spill segment", metadata: [
                    "file": "\(segment.lastPathComponent)", "lines": "\(contents.corruptLines)"])
            }
            var offset = 0
            while offset < contents.records.count {
                let batch = Array(contents.records[offset..<min(offset + configuration.batchSize, contents.records.count)])
                do {
                    let inserter = self.inserter
                    try await withTimeout(timeout, operation: "metrics replay") { try await inserter.insert(batch) }
                    markDatabase(writable: true, wrote: batch.count)
                } catch {
                    markDatabase(writable: false, error: error)
                    return
                }
                offset += batch.count
            }
            do { try spill.remove(segment) } catch {
                logger.error("cannot delete replayed spill segment", metadata: ["error": "\(error)"])
                return
            }
            logger.debug("replayed spill segment", metadata: ["file": "\(segment.lastPathComponent)", "records": "\(contents.records.count)"])
        }
    }

    /// At shutdown: the log's pending appends (group commits, overflow), then the buffer to the database or the spill log.
    private func finalFlush() async {
        await logQueueDrained()
        await flushBuffer(timeout: configuration.shutdownTimeout)
        // Still in memory only if the spill log failed too: one last synchronous try, then it is lost (loudly).
        let left = Array(state.withLock { $0.buffer.takeAll() }.joined())
        if !left.isEmpty {
            do { try spill.append(left, sync: true) } catch { drop(left.count, error: error) }
        }
        await replayBacklog(timeout: configuration.shutdownTimeout)
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in defer { state.flushWaiters = [] }; return state.flushWaiters }
        for waiter in waiters { waiter.resume() }
    }

    // MARK: The log

    private func enqueueForLog(_ record: RequestRecord, done: CheckedContinuation<Void, any Error>?) {
        let schedule = state.withLock { state -> Bool in
            state.walPending.append((record, done))
            if state.walCommitScheduled { return false }
            state.walCommitScheduled = true
            return true
        }
        if schedule { logQueue.async { self.commitLogGroups() } }
    }

    /// Group commit: one write and one fsync for everything queued meanwhile.
    private func commitLogGroups() {
        while true {
            let chunks = state.withLock { state -> [[LogEntry]]? in
                if state.walPending.isEmpty { state.walCommitScheduled = false; return nil }
                return state.walPending.takeAll()
            }
            guard let chunks else { return }
            let group = Array(chunks.joined())
            let records = group.map(\.record)
            do {
                try spill.append(records, sync: true)
                markSpill(writable: true)
                for entry in group { entry.done?.resume() }
            } catch {
                markSpill(writable: false, error: error, records: records.count)
                // Kept for the database (the log could not take them); in `wal` mode nothing else fills the buffer.
                state.withLock { $0.buffer.append(chunks: [records]) }
                for entry in group { entry.done?.resume(throwing: error) }
            }
        }
        if state.withLock({ $0.buffer.count >= configuration.batchSize }) { wakeUp() }
    }

    // MARK: Spilling

    private func spillOrKeep(_ records: [RequestRecord]) {
        do {
            try spill.append(records, sync: true)
            recordsSpilled.increment(by: records.count)
            markSpill(writable: true)
        } catch {
            markSpill(writable: false, error: error, records: records.count)
            keepInMemory(refusedBecause: error) { $0.buffer.prepend(records) }
        }
    }

    /// Puts records the spill log refused back in memory (`put`), to be written when the database or
    /// the disk takes them again; beyond twice the buffer's capacity the oldest are lost (loudly).
    private func keepInMemory(refusedBecause error: any Error, _ put: (inout State) -> Void) {
        let capacity = configuration.bufferCapacity
        let lost = state.withLock { state -> Int in
            put(&state)
            let excess = max(0, state.buffer.count - 2 * capacity)
            state.buffer.removeFirst(excess)
            return excess
        }
        if lost > 0 { drop(lost, error: error) }
    }

    /// On the log queue: appends the records that came while the buffer was full to the spill log
    /// (disk, never the database); replay ships them later. If the disk refuses them they wait in memory.
    private func drainOverflow() {
        while true {
            let chunks = state.withLock { state -> [[RequestRecord]]? in
                state.overflowBeingSpilled = 0
                if state.overflow.isEmpty { state.overflowDrainScheduled = false; return nil }
                state.overflowBeingSpilled = state.overflow.count
                return state.overflow.takeAll()
            }
            guard let chunks else { return }
            let records = Array(chunks.joined())
            do {
                try spill.append(records, sync: false)
                recordsSpilled.increment(by: records.count)
                markSpill(writable: true)
            } catch {
                markSpill(writable: false, error: error, records: records.count)
                keepInMemory(refusedBecause: error) { state in
                    state.buffer.append(chunks: chunks)
                    state.overflowBeingSpilled = 0
                }
            }
        }
    }

    private func drop(_ count: Int, error: any Error) {
        state.withLock { $0.dropped += count }
        recordsDropped.increment(by: count)
        logger.critical("request records lost: neither the database nor the spill log could take them", metadata: [
            "records": "\(count)", "error": "\(error)"])
    }

    private func markSpill(writable: Bool, error: (any Error)? = nil, records: Int = 0) {
        let changed = state.withLock { state -> Bool in
            defer { state.spillWritable = writable }
            return state.spillWritable != writable
        }
        spillWritableGauge.record(writable ? 1 : 0)
        if !writable {
            spillFailures.increment()
            logger.error("spill log write failed: records stay in memory; the gateway is not ready until this is fixed", metadata: [
                "folder": "\(spill.folder.path)", "records": "\(records)", "error": "\(error.map { "\($0)" } ?? "?")"])
        } else if changed {
            logger.notice("spill log writable again", metadata: ["folder": "\(spill.folder.path)"])
        }
    }

    private func markDatabase(writable: Bool, wrote count: Int = 0, error: (any Error)? = nil) {
        let retry = configuration.retryInterval
        let changed = state.withLock { state -> Bool in
            defer { state.databaseWritable = writable }
            if !writable { state.nextReplay = .now.advanced(by: retry) }
            return state.databaseWritable != writable
        }
        if writable {
            rowsWritten.increment(by: count)
            if changed { logger.notice("metrics database writable again; replaying spilled records") }
        } else if changed {
            logger.warning("metrics database write failed; spilling records to the local log", metadata: [
                "error": "\(error.map { "\($0)" } ?? "?")"])
        }
    }
}
