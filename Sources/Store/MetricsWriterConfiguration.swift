import Foundation

/// How far a finished request is protected before the metrics writer acknowledges it.
public enum MetricsDurability: String, Sendable, Codable, CaseIterable {
    /// Records wait in memory and are written every flush interval; a hard crash may lose at most
    /// about two flush intervals (≤ 1 s by default) of records. The default.
    case buffered
    /// Each record is appended to the local log and fsynced (group commit) before
    /// ``MetricsWriter/recordDurably(_:)`` returns; a crash loses nothing acknowledged.
    case wal
}

/// Settings of the ``MetricsWriter``.
public struct MetricsWriterConfiguration: Sendable {
    /// Buffered or write-ahead logged.
    public var durability: MetricsDurability
    /// Where spill (and WAL) segments live; must survive restarts (e.g. `.data/spill`).
    public var spillFolder: URL
    /// How often the buffer is written (default 0.5 s). A batch whose write has not finished one more
    /// interval later is also copied to the fsynced spill log, so a hard crash loses at most ~1 s.
    public var flushInterval: Duration = .milliseconds(500)
    /// Most records per database write.
    public var batchSize: Int = 5_000
    /// How many batches are written at once, each in its own transaction on its own connection
    /// (default 2: PostgreSQL works on one batch per backend process, so two keep two cores busy).
    public var writeConnections: Int = 2
    /// Most records held in memory; beyond it `record` appends straight to the spill log.
    public var bufferCapacity: Int = 100_000
    /// How long a batch write may take before the database counts as down and the batch stays spilled.
    public var writeTimeout: Duration = .seconds(5)
    /// How long replaying one spilled batch may take.
    public var replayTimeout: Duration = .seconds(10)
    /// How long to wait after a failed write before replaying the spill log again.
    public var retryInterval: Duration = .seconds(1)
    /// How long the final flush at shutdown may try the database before spilling.
    public var shutdownTimeout: Duration = .seconds(3)

    /// Settings with the given spill folder and durability, defaults otherwise.
    public init(spillFolder: URL, durability: MetricsDurability = .buffered) {
        self.spillFolder = spillFolder
        self.durability = durability
    }
}

/// What the writer reports to `/readyz` and operators.
public struct MetricsWriterHealth: Sendable, Equatable {
    /// False after the spill log failed to take records (disk full...): the gateway should report not ready.
    public var spillWritable: Bool
    /// Whether the last database write succeeded.
    public var databaseWritable: Bool
    /// Records waiting in memory.
    public var bufferedRecords: Int
    /// Whether spilled records wait to be replayed.
    public var hasSpillBacklog: Bool
    /// Records lost because neither the database nor the spill log could take them (should stay 0).
    public var droppedRecords: Int

    /// Ready unless the spill log is failing.
    public var isReady: Bool { spillWritable }
}
