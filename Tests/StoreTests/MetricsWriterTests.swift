import Foundation
import GatewayTesting
import PostgresNIO
import Store
import SwitchyardTypes
import Testing
@testable import Store

@Suite struct MetricsWriterTests {
    @Test func writesRequestsAndModelCallsInBatchesWithEveryField() async throws {
        try await PostgresHarness.withFreshDatabase { db in
            let writer = try MetricsWriter(client: db.client, configuration: try testWriterConfiguration(), logger: quietLogger())
            let records = (0..<1_200).map { sampleRecord(index: $0) }
            try await withRunningWriter(writer) {
                for record in records { writer.record(record) }
                await writer.flush()
            }
            #expect(try await scalarInt(db.client, "SELECT count(*) FROM requests") == 1_200)
            #expect(try await scalarInt(db.client, "SELECT count(*) FROM model_calls") == 2_400)
            // One row read back field by field, including text that needs COPY escaping.
            let probe = records[7]
            let rows = try await db.client.query("""
                SELECT prompt_content, answer_content, class_domain, route, propensity, state_version, stream,
                       input_tokens, latency_ms, conf_min_logprob, extract(epoch FROM started_at)::float8
                FROM requests WHERE id = \(probe.id)
                """)
            var seen = false
            for try await (prompt, answer, domain, route, propensity, version, stream, tokens, latency, minLogprob, epoch)
                in rows.decode((String?, String?, String?, String?, Double?, Int64?, Bool, Int, Double, Double?, Double).self) {
                #expect(prompt == probe.promptContent)
                #expect(answer == probe.answerContent)
                #expect(domain == probe.requestClass?.domain)
                #expect(route == probe.decision?.route)
                #expect(propensity == probe.decision?.propensity)
                #expect(version == probe.decision?.stateVersion)
                #expect(stream == probe.stream)
                #expect(tokens == probe.inputTokens)
                #expect(latency == probe.latencyMS)
                #expect(minLogprob == probe.confidence?.minLogprob)
                #expect(abs(epoch - probe.startedAt.timeIntervalSince1970) < 0.000_001)
                seen = true
            }
            #expect(seen)
            #expect(writer.health == MetricsWriterHealth(spillWritable: true, databaseWritable: true, bufferedRecords: 0, hasSpillBacklog: false, droppedRecords: 0))
        }
    }

    @Test func writingTheSameBatchTwiceKeepsOneCopy() async throws {
        try await PostgresHarness.withFreshDatabase { db in
            let inserter = RecordBatchInserter(client: db.client)
            let records = (0..<50).map { sampleRecord(index: $0, daysAgo: Double($0 % 3)) }
            try await inserter.insert(records)
            try await inserter.insert(records + records)
            #expect(try await scalarInt(db.client, "SELECT count(*) FROM requests") == 50)
            #expect(try await scalarInt(db.client, "SELECT count(*) FROM model_calls") == 100)
        }
    }

    @Test func spillsWhileTheDatabaseIsUnreachableAndReplaysInOrderExactlyOnce() async throws {
        try await PostgresHarness.withFreshDatabase { db in
            let spill = try temporaryFolder()
            let records = (0..<300).map { sampleRecord(index: $0) }

            // A writer whose database does not answer: everything must land in the spill log.
            var unreachable = PostgresConfig(endpoint: .tcp(host: "127.0.0.1", port: 1), username: "nobody", database: "none")
            unreachable.connectTimeout = .milliseconds(200)
            try await withPostgresClient(unreachable) { deadClient in
                var configuration = try testWriterConfiguration(spill: spill)
                configuration.writeTimeout = .milliseconds(300)
                configuration.shutdownTimeout = .milliseconds(300)
                let writer = try MetricsWriter(client: deadClient, configuration: configuration, logger: quietLogger())
                try await withRunningWriter(writer) {
                    for record in records.prefix(150) { writer.record(record) }
                    await writer.flush()
                    #expect(writer.health.databaseWritable == false)
                    #expect(writer.health.hasSpillBacklog)
                    for record in records.dropFirst(150) { writer.record(record) }
                }
                #expect(writer.health.droppedRecords == 0)
            }
            let spilled = try SpillLog(folder: spill)
            let onDisk = try spilled.sealedSegments().flatMap { try spilled.read($0).records }
            #expect(onDisk.map(\.id) == records.map(\.id))

            // The database is back (a writer that reaches it): the log is replayed, once.
            let writer = try MetricsWriter(client: db.client, configuration: try testWriterConfiguration(spill: spill), logger: quietLogger())
            try await withRunningWriter(writer) { await writer.flush() }
            #expect(try await scalarInt(db.client, "SELECT count(*) FROM requests") == 300)
            #expect(try await scalarInt(db.client, "SELECT count(DISTINCT id) FROM requests") == 300)
            #expect(try SpillLog(folder: spill).sealedSegments().isEmpty)
        }
    }

    @Test func replayAfterACrashInsertsNoDuplicates() async throws {
        try await PostgresHarness.withFreshDatabase { db in
            // A crash between "batch committed" and "segment deleted": the rows are in the database
            // and still in the log. Replaying must not duplicate them.
            let spill = try temporaryFolder()
            let records = (0..<80).map { sampleRecord(index: $0) }
            try await RecordBatchInserter(client: db.client).insert(Array(records.prefix(60)))
            let log = try SpillLog(folder: spill)
            try log.append(records, sync: true)
            log.seal()
            let writer = try MetricsWriter(client: db.client, configuration: try testWriterConfiguration(spill: spill), logger: quietLogger())
            try await withRunningWriter(writer) { await writer.flush() }
            #expect(try await scalarInt(db.client, "SELECT count(*) FROM requests") == 80)
            #expect(try await scalarInt(db.client, "SELECT count(*) FROM model_calls") == 160)
        }
    }

    @Test func gracefulShutdownFlushesEverythingStillBuffered() async throws {
        try await PostgresHarness.withFreshDatabase { db in
            var configuration = try testWriterConfiguration()
            configuration.flushInterval = .seconds(60)  // nothing is written before shutdown
            configuration.batchSize = 100_000
            let writer = try MetricsWriter(client: db.client, configuration: configuration, logger: quietLogger())
            try await withRunningWriter(writer) {
                for index in 0..<500 { writer.record(sampleRecord(index: index)) }
                #expect(writer.health.bufferedRecords == 500)
            }
            #expect(try await scalarInt(db.client, "SELECT count(*) FROM requests") == 500)
        }
    }

    @Test func walModeAcknowledgesOnlyAfterTheRecordIsOnDisk() async throws {
        try await PostgresHarness.withFreshDatabase { db in
            let spill = try temporaryFolder()
            var configuration = try testWriterConfiguration(durability: .wal, spill: spill)
            configuration.flushInterval = .seconds(60)
            let writer = try MetricsWriter(client: db.client, configuration: configuration, logger: quietLogger())
            let records = (0..<64).map { sampleRecord(index: $0) }
            try await withRunningWriter(writer) {
                // Past the start-up replay of the log: from here on nothing ships before flush().
                await writer.flush()
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for record in records { group.addTask { try await writer.recordDurably(record) } }
                    try await group.waitForAll()
                }
                // Acknowledged: every record is in the log on disk although none was shipped yet.
                let log = try SpillLog(folder: spill)
                let files = try FileManager.default.contentsOfDirectory(atPath: spill.path).sorted()
                let logged = try files.flatMap { try log.read(spill.appendingPathComponent($0)).records.map(\.id) }
                #expect(Set(logged) == Set(records.map(\.id)))
                #expect(try await scalarInt(db.client, "SELECT count(*) FROM requests") == 0)
                await writer.flush()
                #expect(try await scalarInt(db.client, "SELECT count(*) FROM requests") == 64)
            }
        }
    }

    @Test func aFullSpillDiskIsReportedAndNothingIsLostWhileMemoryLasts() async throws {
        let spill = try temporaryFolder()
        // Every segment opens onto /dev/full: writes fail with ENOSPC, like a full disk.
        let log = try SpillLog(folder: spill, openFile: { _ in open("/dev/full", O_WRONLY | O_CLOEXEC) })
        var unreachable = PostgresConfig(endpoint: .tcp(host: "127.0.0.1", port: 1), username: "nobody", database: "none")
        unreachable.connectTimeout = .milliseconds(200)
        try await withPostgresClient(unreachable) { deadClient in
            var configuration = try testWriterConfiguration(spill: spill)
            configuration.writeTimeout = .milliseconds(200)
            configuration.shutdownTimeout = .milliseconds(200)
            let metrics = RecordingMetrics()
            let writer = MetricsWriter(inserter: RecordBatchInserter(client: deadClient), spill: log,
                                       configuration: configuration, logger: quietLogger(), metricsFactory: metrics)
            #expect(writer.unreadyReason() == nil)
            #expect(metrics.value("switchyard_metrics_spill_writable") == 1)
            try await withRunningWriter(writer) {
                for index in 0..<20 { writer.record(sampleRecord(index: index)) }
                await writer.flush()
                let health = writer.health
                #expect(health.spillWritable == false)
                #expect(health.isReady == false)
                #expect(health.bufferedRecords == 20)  // kept in memory, not dropped
                #expect(health.droppedRecords == 0)
                // Loud: /readyz has a reason naming the folder, the gauge drops to 0, failures are counted.
                #expect(writer.unreadyReason()?.contains(spill.path) == true)
                #expect(metrics.value("switchyard_metrics_spill_writable") == 0)
                #expect((metrics.value("switchyard_metrics_spill_failures_total") ?? 0) >= 1)
            }
            // At shutdown neither the database nor the disk could take them: reported as dropped.
            #expect(writer.health.droppedRecords == 20)
            #expect(metrics.value("switchyard_metrics_records_dropped_total") == 20)
        }
    }
}
