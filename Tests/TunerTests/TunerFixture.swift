import Foundation
import GatewayTesting
import Policy
import PostgresNIO
import Routing
import Store
@testable import Tuner

/// A small policy: a bandit rule for `general`, a fixed rule for `code`, and one local and one hosted route.
enum TunerFixture {
    static let local = ModelSpec(name: "smol", provider: .local(LocalModel(declaredPath: "m.gguf", resolvedPath: "m.gguf", slots: 2, pricePerCPUSecond: 0.0001)), contextWindow: 2048)
    static let mini = ModelSpec(name: "mini", provider: .hosted(HostedModel(api: .openai, baseURL: "http://x", apiKeyEnv: "K", upstreamModel: "mini", pricePerMillionInput: 1, pricePerMillionOutput: 2)), contextWindow: 128_000)

    /// The class every bandit test logs.
    static let generalClass = "general/chat/easy"
    /// A class under the fixed rule.
    static let codeClass = "code/chat/easy"

    static func policy(banditConstraints: RuleConstraints = RuleConstraints(), exploration: Double = 0.1,
                       objective: Objective = Objective(costWeight: 10, latencyWeight: 0.01)) -> PolicyDocument {
        PolicyDocument(
            models: [local, mini],
            classes: ClassCatalog(domains: [ClassDefinition(name: "general"), ClassDefinition(name: "code")], tasks: [ClassDefinition(name: "chat")]),
            routes: [RouteSpec(name: "smol-direct", model: "smol"), RouteSpec(name: "mini-direct", model: "mini")],
            rules: [
                RuleSpec(name: "general-bandit", match: RuleMatch(domains: ["general"]), candidates: ["smol-direct", "mini-direct"],
                         strategy: .bandit(BanditSettings(exploration: exploration)), constraints: banditConstraints),
                RuleSpec(name: "code-fixed", match: RuleMatch(domains: ["code"]), candidates: ["mini-direct"]),
            ],
            objective: objective, hash: "tuner-fixture")
    }

    /// Logged decisions of a bandit that chose each route half the time: the local route answers
    /// worse (quality around `smolQuality`) but cheaper than the hosted one (around `miniQuality`).
    static func outcomes(classKey: String = generalClass, perRoute: Int = 60, smolQuality: Double = 0.4, miniQuality: Double = 0.9,
                         scoredEvery: Int = 1) -> [LoggedOutcome] {
        (0..<perRoute).flatMap { index -> [LoggedOutcome] in
            let wobble = Double(index % 5 - 2) * 0.02
            let scored = index % scoredEvery == 0
            return [
                LoggedOutcome(classKey: classKey, route: "smol-direct", propensity: 0.5, quality: scored ? smolQuality + wobble : nil,
                              costUSD: 0.0001, latencyMS: 200 + Double(index)),
                LoggedOutcome(classKey: classKey, route: "mini-direct", propensity: 0.5, quality: scored ? miniQuality - wobble : nil,
                              costUSD: 0.001, latencyMS: 500 + Double(index)),
            ]
        }
    }
}

/// One row for `requests`, as the gateway would log it.
struct SeedRequest: Sendable {
    var id = UUID()
    var startedAt = Date().addingTimeInterval(-60)
    var domain: String? = "general"
    var task = "chat"
    var difficulty = "easy"
    var route: String? = "smol-direct"
    var propensity: Double? = 0.5
    var status = 200
    var costUSD: Double? = 0.0001
    var latencyMS: Double = 100
    /// (source, source id, score) rows for `feedback`.
    var feedback: [(String, String, Double)] = []
}

enum Seeder {
    /// Inserts the requests and their feedback.
    static func insert(_ requests: [SeedRequest], into client: PostgresClient) async throws {
        // The migrations create partitions from yesterday on; some tests log older requests.
        try await client.query("SELECT switchyard_ensure_partitions(current_date - 10, current_date + 1)")
        for request in requests {
            try await client.query("""
                INSERT INTO requests (id, started_at, endpoint, requested_model, class_domain, class_task, class_difficulty,
                                      route, strategy, propensity, policy_hash, status, stream, input_tokens, output_tokens,
                                      cost_usd, latency_ms)
                VALUES (\(request.id), \(request.startedAt), 'chat.completions', 'auto', \(request.domain), \(request.task),
                        \(request.difficulty), \(request.route), 'bandit', \(request.propensity), 'tuner-fixture', \(request.status),
                        false, 10, 20, \(request.costUSD), \(request.latencyMS))
                """)
            for (source, sourceID, score) in request.feedback {
                try await client.query("""
                    INSERT INTO feedback (request_id, source, source_id, score) VALUES (\(request.id), \(source), \(sourceID), \(score))
                    """)
            }
        }
    }

    /// A bandit's log over two routes, half each, every request rated by its user.
    static func banditLog(perRoute: Int, smolQuality: Double = 0.4, miniQuality: Double = 0.9) -> [SeedRequest] {
        TunerFixture.outcomes(perRoute: perRoute, smolQuality: smolQuality, miniQuality: miniQuality).map { outcome in
            SeedRequest(route: outcome.route, propensity: outcome.propensity, costUSD: outcome.costUSD, latencyMS: outcome.latencyMS,
                        feedback: [("user", "", outcome.quality ?? 0)])
        }
    }

    /// Counts rows of a query returning one bigint.
    static func count(_ client: PostgresClient, _ sql: String) async throws -> Int {
        let rows = try await client.query(PostgresQuery(unsafeSQL: sql))
        for try await value in rows.decode(Int64.self) { return Int(value) }
        return 0
    }
}
