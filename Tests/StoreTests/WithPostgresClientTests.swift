import Foundation
import GatewayTesting
import Logging
import PostgresNIO
import Store
import Synchronization
import Testing

/// `serve` applies migrations through `withPostgresClient` before anything else: the client must be
/// running before the first query, or PostgresNIO logs a warning into every start-up log.
@Suite struct WithPostgresClientTests {
    @Test func theClientRunsBeforeTheBodyQueriesSoPostgresNIOWarnsNothing() async throws {
        let config = try PostgresHarness.adminConfig()
        let captured = CapturedLog()
        let logger = Logger(label: "test.postgres") { _ in captured }
        for _ in 0..<20 {
            let answer = try await withPostgresClient(config, logger: logger) { client in
                try await scalarInt(client, "SELECT 1")
            }
            #expect(answer == 1)
        }
        #expect(captured.messages.isEmpty, "logged while querying: \(captured.messages)")
    }
}

/// A log handler that keeps every message at warning level or above.
final class CapturedLog: LogHandler, Sendable {
    private let lines = Mutex<[String]>([])

    /// The messages logged so far.
    var messages: [String] { lines.withLock { $0 } }

    var logLevel: Logger.Level {
        get { .trace }
        set {}
    }
    var metadata: Logger.Metadata {
        get { [:] }
        set {}
    }
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { nil }
        set {}
    }

    func log(event: LogEvent) {
        guard event.level >= .warning else { return }
        lines.withLock { $0.append("\(event.level): \(event.message)") }
    }
}
