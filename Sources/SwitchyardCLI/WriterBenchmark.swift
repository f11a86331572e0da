import Foundation
import Logging
import PostgresNIO
import Store
import Synchronization
import SwitchyardTypes

/// Settings of `switchyard db bench-writer`.
struct BenchOptions: Sendable {
    var records: Int
    var callsPerRequest: Int
    var batchSize: Int
    var writeConnections: Int
    var flushInterval: Duration
    var migrations: URL
}

/// Measures the MetricsWriter end to end (record → rows committed) against an anchor measured in
/// the same run: the batch inserter alone writing the same number of rows in the same batch size,
/// one batch after another on one connection.
///
/// It also times every `record()` call (what a request pays) against a second anchor of the same run:
/// the same loop handing each record to a lock-guarded array with room reserved for all of them, the
/// least a hand-over can cost. On a shared machine both loops are sometimes descheduled; a slowest
/// call far above the anchor's is the writer's own doing.
struct WriterBenchmark {
    let config: PostgresConfig
    let options: BenchOptions

    func run() async throws {
        let options = self.options
        try await withPostgresClient(config) { client in
            try await MigrationRunner(client: client, folder: options.migrations).migrate()
            try await PartitionMaintainer(client: client).createAhead(days: 2)
            let rowsPerRecord = 1 + options.callsPerRequest

            // Anchor: the inserter alone, batches written back to back.
            let anchorRecords = (0..<options.records).map { SyntheticRecords.make(index: $0, callsPerRequest: options.callsPerRequest) }
            let inserter = RecordBatchInserter(client: client)
            let anchorStart = ContinuousClock.now
            var offset = 0
            while offset < anchorRecords.count {
                let end = min(offset + options.batchSize, anchorRecords.count)
                try await inserter.insert(Array(anchorRecords[offset..<end]))
                offset = end
            }
            let anchorSeconds = seconds(ContinuousClock.now - anchorStart)

            // The writer: records handed over as fast as a gateway could, until every row is committed.
            let spill = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-bench-\(UUID().uuidString)")
            var settings = MetricsWriterConfiguration(spillFolder: spill)
            settings.batchSize = options.batchSize
            settings.writeConnections = options.writeConnections
            settings.flushInterval = options.flushInterval
            let writer = try MetricsWriter(client: client, configuration: settings)
            let records = (0..<options.records).map { SyntheticRecords.make(index: options.records + $0, callsPerRequest: options.callsPerRequest) }

            // Anchor of the hand-over: the same loop, each record appended under a lock to a preallocated array.
            let handOver = Mutex([RequestRecord]())
            handOver.withLock { $0.reserveCapacity(records.count) }
            let anchorCalls = await Self.timeEachCall(records) { record in handOver.withLock { $0.append(record) } }
            handOver.withLock { $0 = [] }

            let (writerSeconds, recordCalls, health) = await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await writer.run() }
                let start = ContinuousClock.now
                let calls = await Self.timeEachCall(records) { writer.record($0) }
                await writer.flush()
                while writer.health.bufferedRecords > 0 || writer.health.hasSpillBacklog { await writer.flush() }
                let elapsed = seconds(ContinuousClock.now - start)
                group.cancelAll()
                return (elapsed, calls, writer.health)
            }
            try? FileManager.default.removeItem(at: spill)

            let rows = Double(options.records * rowsPerRecord)
            let anchorRate = rows / anchorSeconds
            let writerRate = rows / writerSeconds
            print("records: \(options.records) requests + \(options.records * options.callsPerRequest) model_calls = \(Int(rows)) rows per run, batch \(options.batchSize), writer connections \(options.writeConnections), flush interval \(options.flushInterval)")
            print(String(format: "anchor  RecordBatchInserter alone, 1 connection: %.2f s  %8.0f rows/s", anchorSeconds, anchorRate))
            print(String(format: "writer  MetricsWriter end to end:                %.2f s  %8.0f rows/s  (%.2fx anchor)", writerSeconds, writerRate, writerRate / anchorRate))
            print(String(format: "record() calls   MetricsWriter.record:        mean %5.2f µs  p99.9 %6.1f µs  slowest %8.1f µs  over 1 ms: %d",
                         recordCalls.meanMicros, recordCalls.p999Micros, recordCalls.slowestMicros, recordCalls.overOneMillisecond))
            print(String(format: "anchor           append under a lock:         mean %5.2f µs  p99.9 %6.1f µs  slowest %8.1f µs  over 1 ms: %d",
                         anchorCalls.meanMicros, anchorCalls.p999Micros, anchorCalls.slowestMicros, anchorCalls.overOneMillisecond))
            print(String(format: "slowest record() call: %.1f µs (%.1fx the anchor's); dropped: %d; spill writable: %@",
                         recordCalls.slowestMicros, recordCalls.slowestMicros / max(anchorCalls.slowestMicros, 0.001),
                         health.droppedRecords, health.spillWritable ? "yes" : "no"))
        }
    }

    /// How long single calls took.
    struct CallTimes {
        var meanMicros: Double
        var slowestMicros: Double
        var p999Micros: Double
        var overOneMillisecond: Int
    }

    /// Calls `handOver` once per record, as fast as a gateway could, timing each call.
    private static func timeEachCall(_ records: [RequestRecord], _ handOver: (RequestRecord) -> Void) async -> CallTimes {
        var micros = [Double](repeating: 0, count: records.count)
        for (index, record) in records.enumerated() {
            let before = ContinuousClock.now
            handOver(record)
            let took = ContinuousClock.now - before
            micros[index] = Double(took.components.seconds) * 1e6 + Double(took.components.attoseconds) / 1e12
            // A gateway produces records from many tasks; let the writer's task run too.
            if index % 1_024 == 0 { await Task.yield() }
        }
        let sorted = micros.sorted()
        guard let slowest = sorted.last else { return CallTimes(meanMicros: 0, slowestMicros: 0, p999Micros: 0, overOneMillisecond: 0) }
        return CallTimes(meanMicros: sorted.reduce(0, +) / Double(sorted.count), slowestMicros: slowest, p999Micros: sorted[min(sorted.count - 1, sorted.count * 999 / 1_000)],
                         overOneMillisecond: sorted.count - (sorted.firstIndex { $0 > 1_000 } ?? sorted.count))
    }

    private func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}

/// Deterministic, realistic-looking request records for benchmarks and probes.
enum SyntheticRecords {
    static let domains = ["medical", "legal", "code", "general", "finance"]
    static let routes = ["local-smol", "hosted-mini", "hosted-large"]

    static func make(index: Int, callsPerRequest: Int) -> RequestRecord {
        let domain = domains[index % domains.count]
        let route = routes[index % routes.count]
        let start = Date()
        let calls = (0..<callsPerRequest).map { sequence in
            ModelCallRecord(sequence: sequence, purpose: sequence == 0 ? "answer" : "fallback", route: route, provider: "openai",
                            model: "model-\(route)", startedAt: start, status: 200, inputTokens: 120, outputTokens: 80,
                            costUSD: 0.00012, latencyMS: 210.5, ttftMS: 40.2, accepted: sequence == callsPerRequest - 1)
        }
        return RequestRecord(
            startedAt: start, endpoint: "chat.completions", requestedModel: "auto",
            requestClass: RequestClassRecord(domain: domain, task: "qa", difficulty: "easy", confidence: 0.83),
            decision: DecisionRecord(route: route, strategy: "fixed", propensity: 1, policyHash: "bench", stateVersion: 1, rule: domain),
            provider: "openai", servedModel: "model-\(route)", status: 200, inputTokens: 120, outputTokens: 80,
            costUSD: 0.00012, latencyMS: 230.1, ttftMS: 41.0, modelCalls: calls)
    }
}
