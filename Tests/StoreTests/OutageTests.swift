import Foundation
import GatewayTesting
import PostgresNIO
import Store
import Synchronization
import SwitchyardTypes
import Testing

/// The metrics issue's done-when tests: a real outage of the test server, and a SIGKILLed writer.
@Suite struct OutageTests {
    @Test(.timeLimit(.minutes(3)))
    func everyRecordArrivesExactlyOnceAcrossATenSecondDatabaseOutage() async throws {
        try #require(PostgresHarness.canStopAndStartServer, """
            set SWITCHYARD_PG_STOP and SWITCHYARD_PG_START to shell commands that stop and start the server \
            behind DATABASE_URL (the project's test command does)
            """)
        try await PostgresHarness.withFreshDatabase(exclusiveServer: true) { db in
            var configuration = try testWriterConfiguration()
            configuration.writeTimeout = .milliseconds(500)
            configuration.retryInterval = .milliseconds(500)
            let writer = try MetricsWriter(client: db.client, configuration: configuration, logger: quietLogger())
            let sent = Locked<[UUID]>([])
            let outage = Locked<OutageWindow>(OutageWindow())

            try await withRunningWriter(writer) {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    // Traffic: a record every 5 ms for 16 s, each measured for how long record() took.
                    group.addTask {
                        let end = Date().addingTimeInterval(16)
                        var index = 0
                        var slowest = Duration.zero
                        while Date() < end {
                            let record = sampleRecord(index: index, calls: 1)
                            let before = ContinuousClock.now
                            writer.record(record)
                            slowest = max(slowest, ContinuousClock.now - before)
                            sent.withLock { $0.append(record.id) }
                            index += 1
                            try await Task.sleep(for: .milliseconds(5))
                        }
                        #expect(slowest < .milliseconds(200), "record() blocked for \(slowest) during the outage")
                    }
                    // The outage: ≥ 10 s without PostgreSQL, starting 2 s in.
                    group.addTask {
                        try await Task.sleep(for: .seconds(2))
                        try PostgresHarness.stopServer()
                        outage.withLock { $0.stopped = Date() }
                        try await Task.sleep(for: .seconds(10.5))
                        outage.withLock { $0.started = Date() }
                        try PostgresHarness.startServer()
                    }
                    try await group.waitForAll()
                }
                let window = outage.withLock { $0 }
                let stopped = try #require(window.stopped), started = try #require(window.started)
                #expect(started.timeIntervalSince(stopped) >= 10)

                // Back up: wait until the writer has replayed everything (bounded).
                let deadline = Date().addingTimeInterval(60)
                while Date() < deadline {
                    await writer.flush()
                    let health = writer.health
                    if health.bufferedRecords == 0 && !health.hasSpillBacklog { break }
                    try await Task.sleep(for: .milliseconds(200))
                }
            }

            let ids = sent.withLock { $0 }
            #expect(ids.count > 2_000)
            let rows = try await db.client.query("SELECT count(*), count(DISTINCT id) FROM requests WHERE id = ANY(\(ids))")
            for try await (total, distinct) in rows.decode((Int64, Int64).self) {
                #expect(total == Int64(ids.count), "rows for sent records: \(total) of \(ids.count)")
                #expect(distinct == total)
            }
            #expect(try await scalarInt(db.client, "SELECT count(*) FROM requests") == ids.count)
            #expect(try await scalarInt(db.client, "SELECT count(*) FROM model_calls") == ids.count)
            #expect(writer.health.droppedRecords == 0)
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func walModeLosesNoAcknowledgedRecordWhenTheProcessIsKilled() async throws {
        let binary = try switchyardExecutable()
        try await PostgresHarness.withFreshDatabase { db in
            let spill = try temporaryFolder()
            let process = Process()
            process.executableURL = binary
            process.arguments = ["db", "wal-probe", "--database-url", db.config.url, "--spill", spill.path]
            let output = Pipe()
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            try process.run()

            // Read acknowledgements until enough have arrived, then SIGKILL mid-stream.
            let (acknowledged, partialLine) = try await readAcknowledgements(from: output.fileHandleForReading, atLeast: 3_000, within: .seconds(30))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            #expect(process.terminationReason == .uncaughtSignal)
            let rest = partialLine + output.fileHandleForReading.readDataToEndOfFile()
            let ids = acknowledged + String(decoding: rest, as: UTF8.self).split(separator: "\n").compactMap { UUID(uuidString: String($0)) }
            #expect(ids.count >= 3_000)

            // The killed writer left acknowledged records in its log that were not shipped yet.
            let leftBehind = try SpillLog(folder: spill)
            let unshipped = try leftBehind.sealedSegments().reduce(0) { $0 + (try leftBehind.read($1).records.count) }
            #expect(unshipped > 0, "the kill came when everything was already shipped; the test proves nothing")

            // Recovery: a new writer on the same log folder ships whatever the killed one had not.
            let writer = try MetricsWriter(client: db.client, configuration: try testWriterConfiguration(durability: .wal, spill: spill), logger: quietLogger())
            try await withRunningWriter(writer) { await writer.flush() }

            let rows = try await db.client.query("SELECT count(*), count(DISTINCT id) FROM requests WHERE id = ANY(\(ids))")
            for try await (found, distinct) in rows.decode((Int64, Int64).self) {
                #expect(found == Int64(ids.count), "acknowledged records in the database: \(found) of \(ids.count)")
                #expect(distinct == found)
            }
            #expect(try await scalarInt(db.client, "SELECT count(*) - count(DISTINCT id) FROM requests") == 0)
        }
    }
}

/// The `switchyard` executable built next to this test bundle (or `SWITCHYARD_BIN`).
func switchyardExecutable() throws -> URL {
    if let explicit = ProcessInfo.processInfo.environment["SWITCHYARD_BIN"], !explicit.isEmpty {
        return URL(fileURLWithPath: explicit)
    }
    var candidates = [URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()]
    if let bundle = Bundle.main.executableURL { candidates.append(bundle.deletingLastPathComponent()) }
    for folder in candidates {
        var current = folder
        for _ in 0..<4 {
            let candidate = current.appendingPathComponent("switchyard")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            current = current.deletingLastPathComponent()
        }
    }
    let message = "no switchyard executable next to the test bundle (\(candidates.map(\.path))); run `swift build` first or set SWITCHYARD_BIN"
    Issue.record(Comment(rawValue: message))
    throw StoreError.queryFailed(operation: "locate switchyard executable", sqlState: nil, message: message)
}

/// Reads newline-separated UUIDs from `handle` until `atLeast` arrived or `within` elapsed.
/// Also returns the bytes of an unfinished last line.
func readAcknowledgements(from handle: FileHandle, atLeast count: Int, within limit: Duration) async throws -> ([UUID], Data) {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async {
            let deadline = ContinuousClock.now.advanced(by: limit)
            var ids: [UUID] = []
            var pending = Data()
            while ids.count < count && ContinuousClock.now < deadline {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                pending.append(chunk)
                while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = pending[pending.startIndex..<newline]
                    pending = Data(pending[(newline + 1)...])
                    if let id = UUID(uuidString: String(decoding: line, as: UTF8.self)) { ids.append(id) }
                }
            }
            continuation.resume(returning: (ids, pending))
        }
    }
}

/// When the test took the server away and brought it back.
struct OutageWindow: Sendable {
    var stopped: Date?
    var started: Date?
}
