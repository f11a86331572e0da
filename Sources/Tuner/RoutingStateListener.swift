import Foundation
import Logging
import PostgresNIO
import Routing
import ServiceLifecycle
import Store
import Synchronization

/// Keeps a gateway's tuned routing state current: LISTENs on ``RoutingStateChannel/name`` over one
/// dedicated connection and loads the newest `routing_state` row on every notification.
///
/// After (re)connecting it issues `LISTEN` first and then reads the newest row, so a version written
/// while the connection was down (a database restart, a dropped socket) is picked up too. Versions
/// only move forward; a notification for a version already loaded is ignored.
///
/// ```swift
/// let listener = RoutingStateListener(config: config) { loaded in await planner.use(loaded.state) }
/// let group = ServiceGroup(services: [listener, ...], gracefulShutdownSignals: [.sigterm], logger: logger)
/// ```
public final class RoutingStateListener: Service, Sendable {
    /// Every newly loaded version, newest kept when the reader lags (one reader).
    public let updates: AsyncStream<LoadedRoutingState>

    private let config: PostgresConfig
    private let reconnectDelay: Duration
    private let maximumReconnectDelay: Duration
    private let logger: Logger
    private let onUpdate: (@Sendable (LoadedRoutingState) async -> Void)?
    private let latest = Mutex<LoadedRoutingState?>(nil)
    private let continuation: AsyncStream<LoadedRoutingState>.Continuation

    /// A listener on the database `config` names.
    /// - Parameters:
    ///   - reconnectDelay: The first wait before reconnecting; it doubles per failed attempt up to `maximumReconnectDelay`.
    ///   - onUpdate: Called with each newly loaded version, in order, before it appears on ``updates``.
    public init(config: PostgresConfig, reconnectDelay: Duration = .milliseconds(200), maximumReconnectDelay: Duration = .seconds(5),
                logger: Logger = Logger(label: "switchyard.routing-state-listener"),
                onUpdate: (@Sendable (LoadedRoutingState) async -> Void)? = nil) {
        var dedicated = config
        dedicated.maximumConnections = 1
        self.config = dedicated
        self.reconnectDelay = reconnectDelay
        self.maximumReconnectDelay = maximumReconnectDelay
        self.logger = logger
        self.onUpdate = onUpdate
        (updates, continuation) = AsyncStream.makeStream(of: LoadedRoutingState.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// The newest state loaded so far, or nil before the first one.
    public var current: LoadedRoutingState? { latest.withLock { $0 } }

    /// The version of ``current``, or nil before the first one.
    public var currentVersion: Int64? { current?.version }

    /// Listens until cancelled or a graceful shutdown, reconnecting after any connection loss.
    public func run() async throws {
        let client = PostgresClient(config, logger: quietPostgresLogger(label: "switchyard.routing-state-listener.postgres"))
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            await cancelWhenGracefulShutdown { await self.listenUntilCancelled(client) }
            group.cancelAll()
        }
        continuation.finish()
    }

    // MARK: - Listening

    private func listenUntilCancelled(_ client: PostgresClient) async {
        var delay = reconnectDelay
        while !Task.isCancelled {
            do {
                try await client.withConnection { connection in
                    try await connection.listen(on: RoutingStateChannel.name) { notifications in
                        try await self.reload(on: connection)
                        delay = self.reconnectDelay
                        for try await notification in notifications {
                            if let announced = Int64(notification.payload), let known = self.currentVersion, announced <= known { continue }
                            try await self.reload(on: connection)
                        }
                    }
                }
                if !Task.isCancelled { logger.warning("routing-state notifications ended; reconnecting") }
            } catch {
                if Task.isCancelled { break }
                logger.warning("routing-state listener lost its connection; reconnecting",
                               metadata: ["error": "\(TunerInputsReader.message(of: error))", "retry_in": "\(delay)"])
            }
            do { try await Task.sleep(for: delay) } catch { break }
            delay = min(delay * 2, maximumReconnectDelay)
        }
    }

    /// Reads the newest row and publishes it when it is newer than ``current``.
    private func reload(on connection: PostgresConnection) async throws {
        let rows = try await connection.query("""
            SELECT version, created_at, policy_hash, weights::text /* routing-state-listener */
            FROM routing_state ORDER BY version DESC LIMIT 1
            """, logger: logger)
        var newest: (Int64, Date, String, String)?
        for try await row in rows.decode((Int64, Date, String, String).self) { newest = row }
        guard let (version, createdAt, policyHash, weights) = newest else { return }
        guard version > (currentVersion ?? 0) else { return }
        let state: TunedRoutingState
        do {
            state = try TunedRoutingState(version: version, weightsJSON: weights)
        } catch {
            logger.error("routing_state version \(version) cannot be read; keeping the current one", metadata: ["reason": "\(error)"])
            return
        }
        let loaded = LoadedRoutingState(version: version, createdAt: createdAt, policyHash: policyHash, state: state)
        let isNewer = latest.withLock { current in
            guard version > (current?.version ?? 0) else { return false }
            current = loaded
            return true
        }
        guard isNewer else { return }
        logger.info("loaded routing state", metadata: ["version": "\(version)"])
        await onUpdate?(loaded)
        continuation.yield(loaded)
    }
}
