import Foundation
import GatewayTesting
import Logging
import PostgresNIO
import Routing
import Testing
@testable import Tuner

@Suite struct TunerInputsTests {
    /// Each request is told apart by its latency.
    static let requests: [SeedRequest] = [
        SeedRequest(latencyMS: 101, feedback: [("user", "", 0.9), ("judge", "gpt", 0.2), ("heuristic", "", 0.1)]),
        SeedRequest(latencyMS: 102, feedback: [("judge", "a", 0.6), ("judge", "b", 0.8), ("heuristic", "", 0.1)]),
        SeedRequest(latencyMS: 103, feedback: [("heuristic", "", 0.3)]),
        SeedRequest(latencyMS: 104),
        SeedRequest(status: 502, latencyMS: 105),
        SeedRequest(status: 502, latencyMS: 106, feedback: [("user", "", 0.5)]),
        SeedRequest(route: "mini-direct", propensity: 0.25, costUSD: nil, latencyMS: 107, feedback: [("user", "u1", 1), ("user", "u2", 0.5)]),
        // Left out: outside the window, no route, no propensity, no class.
        SeedRequest(startedAt: Date().addingTimeInterval(-3 * 86_400), latencyMS: 201, feedback: [("user", "", 1)]),
        SeedRequest(route: nil, latencyMS: 202),
        SeedRequest(propensity: nil, latencyMS: 203),
        SeedRequest(domain: nil, latencyMS: 204),
    ]

    @Test func readsEachDecisionWithQualityByUserThenJudgeThenHeuristicAndFailuresAsZero() async throws {
        try await PostgresHarness.withFreshDatabase { database in
            try await Seeder.insert(Self.requests, into: database.client)
            let window = TuningWindow(lasting: 86_400)
            let outcomes = try await TunerInputsReader(client: database.client).outcomes(in: window)
            let byLatency = Dictionary(uniqueKeysWithValues: outcomes.map { (Int($0.latencyMS), $0) })
            #expect(byLatency.keys.sorted() == [101, 102, 103, 104, 105, 106, 107])
            let expected: [Int: Double?] = [101: 0.9, 102: 0.7, 103: 0.3, 104: nil, 105: 0, 106: 0.5, 107: 0.75]
            for (latency, quality) in expected {
                let actual = try #require(byLatency[latency]).quality
                if let quality { #expect(abs((actual ?? -1) - quality) < 1e-12, "latency \(latency)") } else { #expect(actual == nil) }
            }
            let hosted = try #require(byLatency[107])
            #expect(hosted.classKey == "general/chat/easy")
            #expect(hosted.route == "mini-direct")
            #expect(hosted.propensity == 0.25)
            #expect(hosted.costUSD == 0)
        }
    }

    @Test func aggregatesEachClassAndRouteInSQLWithAContinuousP95() async throws {
        try await PostgresHarness.withFreshDatabase { database in
            try await Seeder.insert(Self.requests, into: database.client)
            let cells = try await TunerInputsReader(client: database.client).cells(in: TuningWindow(lasting: 86_400))
            #expect(cells.map(\.route) == ["mini-direct", "smol-direct"])
            let smol = try #require(cells.last)
            #expect(smol.classKey == "general/chat/easy")
            #expect(smol.requests == 6)
            #expect(smol.scored == 5)
            #expect(smol.scoredBySource == ["user": 2, "judge": 1, "heuristic": 1, "failure": 1])
            #expect(abs((smol.meanQuality ?? 0) - (0.9 + 0.7 + 0.3 + 0 + 0.5) / 5) < 1e-12)
            #expect(abs(smol.costUSD - 0.0006) < 1e-12)
            // percentile_cont over 101...106: rank 0.95 · 5 = 4.75 → 105 + 0.75 · (106 − 105).
            #expect(abs(smol.p95LatencyMS - 105.75) < 1e-9)
            #expect(smol.meanPropensity == 0.5)
            let hosted = try #require(cells.first)
            #expect(hosted.requests == 1)
            #expect(hosted.meanQuality == 0.75)
        }
    }

    @Test(arguments: [("outcomes", TunerQueries.outcomesSQL), ("cells", TunerQueries.cellsSQL)])
    func windowQueriesUseIndexesRatherThanScanningTables(name: String, sql: String) async throws {
        try await PostgresHarness.withFreshDatabase { database in
            try await Seeder.insert(Self.requests, into: database.client)
            let logger = Logger(label: "tuner-tests")
            let plan = try await database.client.withConnection { connection in
                // With sequential scans priced out, the planner still picks one when no index fits.
                try await connection.query("SET enable_seqscan = off", logger: logger)
                var bindings = PostgresBindings()
                bindings.append(Date().addingTimeInterval(-86_400))
                bindings.append(Date())
                let rows = try await connection.query(PostgresQuery(unsafeSQL: "EXPLAIN " + sql, binds: bindings), logger: logger)
                var lines: [String] = []
                for try await line in rows.decode(String.self) { lines.append(line) }
                return lines.joined(separator: "\n")
            }
            #expect(!plan.contains("Seq Scan"), "\(name) plan:\n\(plan)")
            #expect(plan.contains("_started_at_idx"), "\(name) plan:\n\(plan)")
            #expect(plan.contains("feedback_request_id_source_source_id_key"), "\(name) plan:\n\(plan)")
        }
    }
}
