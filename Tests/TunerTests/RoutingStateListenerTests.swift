import Foundation
import GatewayTesting
import PostgresNIO
import Routing
import Store
import Synchronization
import Testing
@testable import Tuner

/// When each listener loaded each version.
final class ArrivalLog: Sendable {
    private let arrivals = Mutex<[String: [Int64: ContinuousClock.Instant]]>([:])

    func record(_ listener: String, _ version: Int64) {
        let now = ContinuousClock.now
        arrivals.withLock { $0[listener, default: [:]][version] = now }
    }

    func arrival(_ listener: String, _ version: Int64) -> ContinuousClock.Instant? {
        arrivals.withLock { $0[listener]?[version] }
    }

    /// Waits until `listener` has loaded `version`, up to `limit`; returns the arrival time.
    func wait(for listener: String, version: Int64, limit: Duration = .seconds(10)) async throws -> ContinuousClock.Instant? {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if let instant = arrival(listener, version) { return instant }
            try await Task.sleep(for: .milliseconds(5))
        }
        return nil
    }
}

@Suite struct RoutingStateListenerTests {
    static let weights = #"{"classes":{"general/chat/easy":{"mini-direct":0.9,"smol-direct":0.1}}}"#

    /// Runs `body` with one listener per name on `config`, cancelling them afterwards.
    func withListeners<T: Sendable>(_ names: [String], config: PostgresConfig, log: ArrivalLog,
                                    _ body: @Sendable ([String: RoutingStateListener]) async throws -> T) async throws -> T {
        let listeners = Dictionary(uniqueKeysWithValues: names.map { name in
            (name, RoutingStateListener(config: config, reconnectDelay: .milliseconds(100)) { loaded in log.record(name, loaded.version) })
        })
        return try await withThrowingTaskGroup(of: Void.self) { group in
            for listener in listeners.values { group.addTask { try await listener.run() } }
            defer { group.cancelAll() }
            return try await body(listeners)
        }
    }

    @Test func aStateWrittenThroughOneClientReachesTwoRunningListenersWithinTwoSeconds() async throws {
        try await PostgresHarness.withFreshDatabase { database in
            let log = ArrivalLog()
            try await withListeners(["gateway-a", "gateway-b"], config: database.config, log: log) { listeners in
                let store = RoutingStateStore(client: database.client)
                // Version 1 tells us both listeners are connected and LISTENing (they load it on connect or on NOTIFY).
                #expect(try await store.publish(policyHash: "p", weightsJSON: Self.weights) == 1)
                for name in listeners.keys { #expect(try await log.wait(for: name, version: 1) != nil, "\(name) never loaded version 1") }

                for version in Int64(2)...4 {
                    let written = ContinuousClock.now
                    #expect(try await store.publish(policyHash: "p", weightsJSON: Self.weights) == version)
                    for name in listeners.keys.sorted() {
                        let arrived = try #require(try await log.wait(for: name, version: version), "\(name) never loaded version \(version)")
                        let delay = arrived - written
                        print("routing state version \(version) reached \(name) after \(delay)")
                        #expect(delay < .seconds(2))
                    }
                }
                for listener in listeners.values {
                    #expect(listener.currentVersion == 4)
                    #expect(listener.current?.state.weights(forClass: "general/chat/easy") == ["mini-direct": 0.9, "smol-direct": 0.1])
                    #expect(listener.current?.policyHash == "p")
                }
            }
        }
    }

    @Test func aRowInsertedWithPlainSQLIsAnnouncedByTheTrigger() async throws {
        try await PostgresHarness.withFreshDatabase { database in
            let log = ArrivalLog()
            try await withListeners(["gateway"], config: database.config, log: log) { _ in
                try await waitUntilListening(database.client)
                try await database.client.query("INSERT INTO routing_state (policy_hash, weights) VALUES ('manual', \(Self.weights)::jsonb)")
                #expect(try await log.wait(for: "gateway", version: 1, limit: .seconds(2)) != nil)
            }
        }
    }

    @Test func aListenerThatLostItsConnectionReconnectsAndLoadsWhatItMissed() async throws {
        try await PostgresHarness.withFreshDatabase { database in
            let log = ArrivalLog()
            try await withListeners(["gateway"], config: database.config, log: log) { listeners in
                let store = RoutingStateStore(client: database.client)
                _ = try await store.publish(policyHash: "p", weightsJSON: Self.weights)
                #expect(try await log.wait(for: "gateway", version: 1) != nil)

                // Drop the listener's connection, as a database restart would, and write while it is away.
                let terminated = try await Seeder.count(database.client, """
                    SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                    WHERE datname = current_database() AND pid <> pg_backend_pid() AND query LIKE '%routing-state-' || 'listener%') t
                    """)
                #expect(terminated == 1)
                _ = try await store.publish(policyHash: "p", weightsJSON: Self.weights)
                #expect(try await log.wait(for: "gateway", version: 2) != nil, "the listener did not reload after reconnecting")

                // And it listens again afterwards.
                try await waitUntilListening(database.client)
                _ = try await store.publish(policyHash: "p", weightsJSON: Self.weights)
                #expect(try await log.wait(for: "gateway", version: 3, limit: .seconds(2)) != nil)
                #expect(listeners["gateway"]?.currentVersion == 3)
            }
        }
    }

    @Test func versionsNeverGoBackwards() async throws {
        try await PostgresHarness.withFreshDatabase { database in
            let log = ArrivalLog()
            try await withListeners(["gateway"], config: database.config, log: log) { listeners in
                let store = RoutingStateStore(client: database.client)
                for _ in 0..<3 { _ = try await store.publish(policyHash: "p", weightsJSON: Self.weights) }
                #expect(try await log.wait(for: "gateway", version: 3) != nil)
                // A stale or duplicate announcement must not reload an older row.
                try await database.client.query("SELECT pg_notify('switchyard_routing_state', '1')")
                try await database.client.query("DELETE FROM routing_state WHERE version = 3")
                try await database.client.query("SELECT pg_notify('switchyard_routing_state', '2')")
                try await Task.sleep(for: .milliseconds(300))
                #expect(listeners["gateway"]?.currentVersion == 3)
            }
        }
    }
}

/// Waits until some session of the database has LISTENed on the routing-state channel.
func waitUntilListening(_ client: PostgresClient, limit: Duration = .seconds(10)) async throws {
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline {
        let listening = try await Seeder.count(client, """
            SELECT count(*) FROM pg_stat_activity
            WHERE datname = current_database() AND pid <> pg_backend_pid() AND query LIKE '%routing-state-' || 'listener%'
            """)
        if listening > 0 { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    Issue.record("no listener connected within \(limit)")
}
