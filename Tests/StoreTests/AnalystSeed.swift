import Foundation
import PostgresNIO
import Store
import SwitchyardTypes

/// Two weeks of varied traffic: every analyst question in docs/sql.md has something to find.
enum AnalystSeed {
    static let domains = ["medical", "code", "general"]
    static let routes = ["local-smol", "hosted-mini", "hosted-large"]

    static func seed(_ client: PostgresClient) async throws {
        let keys = APIKeyStore(client: client)
        let teamKey = try await keys.create(name: "team-a", role: .client).record.id
        let opsKey = try await keys.create(name: "ops", role: .admin).record.id
        let states = RoutingStateStore(client: client)
        let firstState = try await states.publish(policyHash: "p1", weightsJSON: #"{"medical":{"hosted-large":1}}"#)
        let secondState = try await states.publish(policyHash: "p1", weightsJSON: #"{"medical":{"local-smol":0.3}}"#)

        var records: [RequestRecord] = []
        let now = Date()
        for day in 0..<14 {
            for i in 0..<12 {
                let start = now.addingTimeInterval(-Double(day) * 86_400 - Double(i) * 60 - 30)
                let domain = domains[i % 3]
                let route = routes[(i / 3) % 3]
                let local = route == "local-smol"
                let failed = (day * 12 + i) % 11 == 0
                let escalated = local && i % 2 == 0
                var calls: [ModelCallRecord] = []
                if escalated {
                    calls.append(ModelCallRecord(sequence: 0, purpose: "cascade_step", route: route, provider: "local", model: "smollm2-135m",
                                                 startedAt: start, status: 200, inputTokens: 40, outputTokens: 30, costUSD: 0.000002,
                                                 latencyMS: 180, ttftMS: 20, accepted: false))
                }
                let served = local && !escalated ? "smollm2-135m" : (route == "hosted-large" ? "gpt-large" : "gpt-mini")
                let provider = local && !escalated ? "local" : "openai"
                calls.append(ModelCallRecord(sequence: calls.count, purpose: "answer", route: route, provider: provider, model: served,
                                             startedAt: start, status: failed ? 502 : 200, errorCode: failed ? "upstream_error" : nil,
                                             inputTokens: 40, outputTokens: failed ? 0 : 60, costUSD: provider == "local" ? 0.000003 : 0.0004 * Double(1 + i % 3),
                                             latencyMS: Double(200 + 37 * i), ttftMS: Double(30 + i), accepted: !failed))
                records.append(RequestRecord(
                    startedAt: start, apiKeyID: i % 4 == 0 ? opsKey : teamKey, requestedModel: "auto",
                    requestClass: RequestClassRecord(domain: domain, task: i % 2 == 0 ? "qa" : "summarize", difficulty: "medium", confidence: 0.8),
                    decision: DecisionRecord(route: route, strategy: local ? "cascade" : "bandit", propensity: i % 5 == 0 ? 1 : 0.7,
                                             policyHash: "p1", stateVersion: day < 7 ? secondState : firstState, rule: domain),
                    provider: provider, servedModel: served, status: failed ? 502 : 200, errorCode: failed ? "upstream_error" : nil,
                    stream: i % 2 == 1, inputTokens: 40, outputTokens: failed ? 0 : 60,
                    costUSD: calls.compactMap(\.costUSD).reduce(0, +), latencyMS: Double(220 + 41 * i), ttftMS: Double(35 + i),
                    promptContent: "secret prompt \(day)-\(i)", answerContent: "secret answer \(day)-\(i)", modelCalls: calls))
            }
        }
        try await RecordBatchInserter(client: client).insert(records)

        let feedback = FeedbackStore(client: client)
        for (n, record) in records.enumerated() where record.status == 200 {
            if n % 2 == 0 { try await feedback.record(requestID: record.id, source: .judge, sourceID: "gpt-large", score: Double(n % 5) / 4) }
            if n % 3 == 0 { try await feedback.record(requestID: record.id, source: .user, score: Double((n + 1) % 5) / 4, comment: "secret comment") }
        }
    }
}
