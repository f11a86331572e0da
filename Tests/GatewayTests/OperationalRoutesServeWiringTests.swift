import Foundation
import GatewayServer
import GatewayTesting
import Logging
import PostgresNIO
import Store
import Testing

/// `serve` builds its gateway from `GatewayDependencies.serving`: one Prometheus registry for the gateway
/// and the metrics writer, so the writer's series appear on `/metrics` beside the gateway's.
@Suite(.timeLimit(.minutes(2)))
struct OperationalRoutesServeWiringTests {
    @Test func theWritersSeriesAppearOnMetricsBesideTheGateways() async throws {
        try await PostgresHarness.withFreshDatabase { db in
            try await FakeUpstream().run { baseURL in
                var logger = Logger(label: "switchyard.tests")
                logger.logLevel = .error
                let spill = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-wiring-\(UUID().uuidString)")
                defer { try? FileManager.default.removeItem(at: spill) }
                var writerConfiguration = MetricsWriterConfiguration(spillFolder: spill)
                writerConfiguration.flushInterval = .milliseconds(50)
                // A client of its own, not yet running: the gateway's service group runs it, as in `serve`.
                let client = PostgresClient(db.config, logger: quietPostgresLogger())
                var (dependencies, writer) = try GatewayDependencies.serving(
                    client: client, writerConfiguration: writerConfiguration, environment: GatewayHarness.environment, logger: logger)
                dependencies.authenticator = StaticAPIKeyAuthenticator(keys: [GatewayClient.apiKey: GatewayHarness.clientKey])
                let configuration = GatewayConfiguration(
                    host: "127.0.0.1", port: 0, models: GatewayHarness.models(upstream: baseURL), defaultModels: ["fake-gpt"],
                    upstreamIdleTimeout: .seconds(1), policyHash: "wiring-test", policySource: "policies/test.yaml")
                let app = buildApplication(configuration, dependencies: dependencies)
                try await withLiveServer(app) { port in
                    let gateway = GatewayClient(port: port)
                    #expect(try await gateway.chat(GatewayHarness.chatBody()).status == 200)
                    // The request's record reaches PostgreSQL through the writer...
                    let deadline = ContinuousClock.now.advanced(by: .seconds(20))
                    var rows = 0
                    while rows == 0, ContinuousClock.now < deadline {
                        await writer.flush()
                        rows = try await Self.count(db.client, "SELECT count(*) FROM requests")
                    }
                    #expect(rows == 1)
                    // ...and /metrics shows the writer's series, with that write counted, beside the gateway's own.
                    let metrics = try await gateway.get("/metrics", key: nil)
                    #expect(metrics.status == 200)
                    let lines = metrics.body.split(separator: "\n").map(String.init)
                    #expect(lines.contains("switchyard_metrics_records_written_total 1"), "writer series: \(lines.filter { $0.hasPrefix("switchyard_metrics") })")
                    #expect(lines.contains { $0.hasPrefix("switchyard_metrics_spill_writable ") && Double($0.split(separator: " ").last ?? "") == 1 })
                    #expect(lines.contains { $0.hasPrefix("switchyard_requests_total") }, "the gateway's own series are there too")
                }
            }
        }
    }

    static func count(_ client: PostgresClient, _ sql: String) async throws -> Int {
        let rows = try await client.query(PostgresQuery(unsafeSQL: sql))
        for try await value in rows.decode(Int64.self) { return Int(value) }
        return 0
    }
}
