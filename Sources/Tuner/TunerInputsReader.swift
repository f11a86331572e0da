import Foundation
import Logging
import PostgresNIO
import Routing

/// Reads ``TunerInputs`` for a window from the metrics database.
public struct TunerInputsReader: Sendable {
    private let client: PostgresClient
    private let logger: Logger

    /// A reader over the database `client` connects to.
    public init(client: PostgresClient, logger: Logger = Logger(label: "switchyard.tuner")) {
        self.client = client; self.logger = logger
    }

    /// The window's decisions and their per-cell aggregates.
    /// - Throws: ``TunerError/queryFailed(operation:message:)`` when a query fails.
    public func read(window: TuningWindow) async throws(TunerError) -> TunerInputs {
        TunerInputs(window: window, outcomes: try await outcomes(in: window), cells: try await cells(in: window))
    }

    /// One ``LoggedOutcome`` per logged decision of the window.
    public func outcomes(in window: TuningWindow) async throws(TunerError) -> [LoggedOutcome] {
        do {
            let rows = try await client.query(TunerQueries.outcomes(in: window), logger: logger)
            var outcomes: [LoggedOutcome] = []
            for try await (classKey, route, propensity, cost, latency, quality)
                in rows.decode((String, String, Double, Double, Double, Double?).self) {
                outcomes.append(LoggedOutcome(classKey: classKey, route: route, propensity: propensity,
                                              quality: quality, costUSD: cost, latencyMS: latency))
            }
            return outcomes
        } catch {
            throw .queryFailed(operation: "read logged decisions", message: Self.message(of: error))
        }
    }

    /// Per class × route aggregates of the window, computed in SQL.
    public func cells(in window: TuningWindow) async throws(TunerError) -> [CellSummary] {
        do {
            let rows = try await client.query(TunerQueries.cells(in: window), logger: logger)
            var cells: [CellSummary] = []
            typealias Row = (String, String, Int64, Int64, Int64, Int64, Int64, Int64, Double?, Double, Double, Double, Double)
            for try await row in rows.decode(Row.self) {
                let bySource = [
                    QualitySource.user.rawValue: Int(row.4), QualitySource.judge.rawValue: Int(row.5),
                    QualitySource.heuristic.rawValue: Int(row.6), QualitySource.failure.rawValue: Int(row.7),
                ].filter { $0.value > 0 }
                cells.append(CellSummary(classKey: row.0, route: row.1, requests: Int(row.2), scored: Int(row.3),
                                         scoredBySource: bySource, meanQuality: row.8, costUSD: row.9,
                                         meanCostUSD: row.10, p95LatencyMS: row.11, meanPropensity: row.12))
            }
            return cells
        } catch {
            throw .queryFailed(operation: "aggregate logged decisions", message: Self.message(of: error))
        }
    }

    /// The server's message for a query error (never the bindings).
    static func message(of error: any Error) -> String {
        if let psql = error as? PSQLError {
            let state = psql.serverInfo?[.sqlState] ?? "?"
            return "SQLSTATE \(state): \(psql.serverInfo?[.message] ?? "\(psql.code)")"
        }
        return "\(error)"
    }
}
