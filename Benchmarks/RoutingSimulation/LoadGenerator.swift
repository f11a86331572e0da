import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Routing

/// One simulated request as the report sees it: what the gateway chose and what that was worth.
public struct SimulatedRequest: Sendable, Equatable {
    /// Position in the run, from 0.
    public var index: Int
    /// The scenario class sent.
    public var domain: String
    /// The class key the gateway reported (`x-switchyard-class`).
    public var classKey: String
    /// The route that answered (`x-switchyard-route`).
    public var route: String
    /// True expected utility of that route for the class.
    public var utility: Double
    /// True expected utility of the oracle's route for the class.
    public var oracleUtility: Double
    /// The score posted as feedback.
    public var feedback: Double
}

/// Sends classed traffic through a running gateway and posts feedback drawn from the true quality.
///
/// Request `i` draws its class, prompt and feedback noise from a generator seeded with (seed, i), so
/// the traffic and the scores are the same on every run whatever the concurrency; the gateway's own
/// bandit draws are its own.
public struct LoadGenerator: Sendable {
    /// The scenario (truth and noise).
    public var scenario: SimulationScenario
    /// The prompts per domain and their class keys.
    public var pool: PromptPool
    /// The gateway, e.g. `http://127.0.0.1:8080`.
    public var gatewayURL: String
    /// The client key (`Authorization: Bearer`).
    public var apiKey: String
    /// The run's seed.
    public var seed: UInt64

    /// Creates a generator.
    public init(scenario: SimulationScenario, pool: PromptPool, gatewayURL: String, apiKey: String, seed: UInt64) {
        self.scenario = scenario; self.pool = pool; self.gatewayURL = gatewayURL; self.apiKey = apiKey; self.seed = seed
    }

    /// Sends requests `range` with at most `concurrency` in flight; returns them in index order.
    /// - Throws: ``SimulationError`` when the gateway refuses a request or its feedback.
    public func send(_ range: Range<Int>, concurrency: Int) async throws -> [SimulatedRequest] {
        try await withThrowingTaskGroup(of: SimulatedRequest.self) { group in
            var results: [SimulatedRequest] = []
            var next = range.lowerBound
            while next < range.upperBound, next < range.lowerBound + max(concurrency, 1) {
                let index = next
                group.addTask { try await self.one(index) }
                next += 1
            }
            while let done = try await group.next() {
                results.append(done)
                if next < range.upperBound {
                    let index = next
                    group.addTask { try await self.one(index) }
                    next += 1
                }
            }
            return results.sorted { $0.index < $1.index }
        }
    }

    /// One request and its feedback.
    func one(_ index: Int) async throws -> SimulatedRequest {
        var random = SeededGenerator(seed: seed &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(index))
        let simulated = scenario.classes[Int(random.next() % UInt64(scenario.classes.count))]
        let prompts = pool.prompts[simulated.domain] ?? simulated.prompts
        let prompt = prompts[Int(random.next() % UInt64(prompts.count))]
        let body = #"{"model":"auto","messages":[{"role":"user","content":\#(Self.jsonString(prompt))}]}"#
        let answer = try await post("/v1/chat/completions", body: body)
        guard answer.status == 200 else { throw SimulationError.requestFailed(index: index, status: answer.status, body: answer.body) }
        guard let route = answer.headers["x-switchyard-route"] else { throw SimulationError.missingHeader(index: index, name: "x-switchyard-route") }
        guard let requestID = answer.headers["x-switchyard-request-id"] else {
            throw SimulationError.missingHeader(index: index, name: "x-switchyard-request-id")
        }
        guard let model = scenario.model(route: route) else { throw SimulationError.unknownRoute(index: index, route: route) }
        let quality = model.quality[simulated.domain] ?? 0
        let score = min(max(quality + scenario.feedbackNoise * Self.gaussian(&random), 0), 1)
        let feedback = try await post("/v1/feedback", body: #"{"request_id":"\#(requestID)","score":\#(score)}"#)
        guard feedback.status == 200 else { throw SimulationError.feedbackRefused(index: index, status: feedback.status, body: feedback.body) }
        return SimulatedRequest(index: index, domain: simulated.domain, classKey: answer.headers["x-switchyard-class"] ?? "",
                                route: route, utility: scenario.utility(domain: simulated.domain, model: model),
                                oracleUtility: scenario.oracleUtility(domain: simulated.domain), feedback: score)
    }

    /// Sends one prompt (no feedback) and returns the route that answered and the class the gateway gave it.
    /// - Throws: ``SimulationError`` when the gateway refuses the request or leaves out the route header.
    public func route(for prompt: String) async throws -> (route: String, classKey: String) {
        let body = #"{"model":"auto","messages":[{"role":"user","content":\#(Self.jsonString(prompt))}]}"#
        let answer = try await post("/v1/chat/completions", body: body)
        guard answer.status == 200 else { throw SimulationError.requestFailed(index: -1, status: answer.status, body: answer.body) }
        guard let route = answer.headers["x-switchyard-route"] else { throw SimulationError.missingHeader(index: -1, name: "x-switchyard-route") }
        return (route, answer.headers["x-switchyard-class"] ?? "")
    }

    private struct Answer { var status: Int; var headers: [String: String]; var body: String }

    private func post(_ path: String, body: String) async throws -> Answer {
        var request = HTTPClientRequest(url: gatewayURL + path)
        request.method = .POST
        request.headers.add(name: "authorization", value: "Bearer \(apiKey)")
        request.headers.add(name: "content-type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        var headers: [String: String] = [:]
        for header in response.headers { headers[header.name.lowercased()] = header.value }
        return Answer(status: Int(response.status.code), headers: headers, body: String(buffer: bytes))
    }

    /// A standard normal draw (Box–Muller).
    static func gaussian(_ random: inout SeededGenerator) -> Double {
        let u1 = max(Double(random.next() >> 11) * 0x1.0p-53, .leastNonzeroMagnitude)
        let u2 = Double(random.next() >> 11) * 0x1.0p-53
        return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }

    static func jsonString(_ text: String) -> String {
        String(decoding: (try? JSONEncoder().encode(text)) ?? Data("\"\"".utf8), as: UTF8.self)
    }
}
