import Foundation
import Providers
import Routing
import SwitchyardTypes

/// Carries out a ``RoutingPlan``: calls its routes in order, falls back to the next route when a call fails
/// (connection error, 5xx, timeout, 429), and under a cascade checks each cheap answer's confidence with
/// ``Decision/cascadeVerdict(after:confidence:)``, escalating when it is rejected. Every call is logged.
struct RoutingExecutor: Sendable {
    let snapshot: GatewaySnapshot
    let health: RoutingHealthTracker
    let calls: RoutingCallLog
    let plan: RoutingPlan

    /// A whole answer and who gave it.
    struct Served: Sendable {
        var route: PlannedRoute
        var available: ModelCatalog.Available
        var response: ChatCompletionResponse
        var confidence: ConfidenceRecord?
    }

    /// A stream that has delivered its first chunk, and its call, logged when the stream ends.
    struct LiveStream: Sendable {
        var route: PlannedRoute
        var available: ModelCatalog.Available
        var reader: ChunkReader
        var first: ChatCompletionChunk?
        var call: PendingStreamCall
    }

    /// How a streaming request will be answered: an accepted cascade answer replayed as chunks, or a live stream.
    enum StreamStart: Sendable {
        case whole(Served)
        case live(LiveStream)
    }

    /// The whole answer for `request`.
    /// - Throws: the last route's ``ProviderError``, or ``GatewayError/noAvailableModel(requested:hint:)``.
    func complete(_ request: ChatCompletionRequest) async throws -> Served {
        guard case .whole(let served) = try await run(request, streaming: false) else { preconditionFailure("whole answers only") }
        return served
    }

    /// The stream for `request`, started up to its first chunk (failures until then fall back like whole calls).
    func stream(_ request: ChatCompletionRequest) async throws -> StreamStart {
        try await run(request, streaming: true)
    }

    private func run(_ request: ChatCompletionRequest, streaming: Bool) async throws -> StreamStart {
        let decision = plan.decision
        let augment = AugmentRequest(catalog: snapshot.catalog, calls: calls, health: health)
        var current: PlannedRoute? = decision.first
        var purpose = plan.isCascade ? "cascade_step" : "answer"
        var lastError: (any Error)?
        var hints: [String] = []
        while let route = current {
            guard let available = snapshot.catalog.available(route.model) else {
                if let hint = snapshot.catalog.unavailableHint(route.model), !hints.contains(hint) { hints.append(hint) }
                current = decision.nextRoute(after: route.route, failure: .modelUnavailable)
                purpose = "fallback"
                continue
            }
            var prepared = await augment.prepare(request, for: route, task: plan.requestClass?.task)
            let checked = plan.isCascade && isFollowed(route)
            do {
                if checked || !streaming {
                    if checked, available.model.kind == .openai, prepared.extra["logprobs"] == nil {
                        prepared.extra["logprobs"] = .bool(true)
                    }
                    var served = try await callWhole(prepared, route: route, available: available, purpose: purpose, checked: checked)
                    if checked, case .escalate(_, let next) = decision.cascadeVerdict(after: route.route, confidence: served.confidence) {
                        current = next
                        purpose = "cascade_step"
                        continue
                    }
                    if request.extra["logprobs"] == nil {
                        for index in served.response.choices.indices { served.response.choices[index].logprobs = nil }
                    }
                    return .whole(served)
                }
                return .live(try await startStream(prepared, route: route, available: available, purpose: purpose))
            } catch let error as ProviderError {
                lastError = error
                let failure = RoutingProviderCall.routeFailure(error)
                if case .invalidRequest = failure {} else if checked || !streaming { health.recordFailure(model: route.model) }
                current = decision.nextRoute(after: route.route, failure: failure)
                purpose = "fallback"
            }
        }
        if let lastError { throw lastError }
        throw GatewayError.noAvailableModel(
            requested: request.model,
            hint: hints.isEmpty ? "no route of the plan can be called" : hints.joined(separator: "; "))
    }

    /// Whether another route follows `route` in the plan (a cascade step that can still escalate).
    private func isFollowed(_ route: PlannedRoute) -> Bool {
        guard let index = plan.decision.plan.firstIndex(where: { $0.route == route.route }) else { return false }
        return index + 1 < plan.decision.plan.count
    }

    /// One whole call, logged; a cascade step is logged as accepted only when its verdict accepts it.
    private func callWhole(_ request: ChatCompletionRequest, route: PlannedRoute, available: ModelCatalog.Available,
                           purpose: String, checked: Bool) async throws -> Served {
        let attempts = ProviderAttemptLog()
        let started = Date(), clock = ContinuousClock.now
        let model = available.model
        do {
            let (response, confidence, reportedCost) = try await RoutingProviderCall.whole(available.provider, request, attempts: attempts)
            let latency = clock.millisecondsSince
            health.recordSuccess(model: model.name, latencyMS: latency)
            var accepted = true
            if checked, case .escalate = plan.decision.cascadeVerdict(after: route.route, confidence: confidence) { accepted = false }
            let cost = reportedCost ?? model.costUSD(inputTokens: response.usage?.promptTokens ?? 0, outputTokens: response.usage?.completionTokens ?? 0)
            calls.append(.init(purpose: purpose, route: route.route, model: model, provider: available.provider.kind, attempts: attempts.attempts,
                               startedAt: started, latencyMS: latency, usage: response.usage, costUSD: cost, ttftMS: latency,
                               confidence: confidence, accepted: accepted, errorCode: nil))
            return Served(route: route, available: available, response: response, confidence: confidence)
        } catch let error as ProviderError {
            calls.append(.init(purpose: purpose, route: route.route, model: model, provider: available.provider.kind, attempts: attempts.attempts,
                               startedAt: started, latencyMS: clock.millisecondsSince, usage: nil, costUSD: nil, ttftMS: nil,
                               confidence: nil, accepted: false, errorCode: error.code))
            throw error
        }
    }

    /// Starts a stream and reads its first chunk, so failures up to there can still fall back.
    private func startStream(_ request: ChatCompletionRequest, route: PlannedRoute, available: ModelCatalog.Available,
                             purpose: String) async throws -> LiveStream {
        let call = PendingStreamCall(purpose: purpose, route: route.route, model: available.model, provider: available.provider.kind,
                                     calls: calls, health: health)
        do {
            let chunks = try await available.provider.stream(request, attempts: call.attempts)
            let reader = ChunkReader(chunks)
            let first = try await reader.next()
            return LiveStream(route: route, available: available, reader: reader, first: first, call: call)
        } catch let error as ProviderError {
            let invalidRequest = if case .invalidRequest = RoutingProviderCall.routeFailure(error) { true } else { false }
            call.finish(usage: nil, ttftMS: nil, errorCode: error.code, modelFailed: !invalidRequest)
            throw error
        }
    }
}

/// The call behind a live stream; logged (with its tokens, cost and latency) when the stream ends.
struct PendingStreamCall: Sendable {
    let purpose: String
    let route: String
    let model: GatewayModel
    let provider: String
    let calls: RoutingCallLog
    let health: RoutingHealthTracker
    let attempts = ProviderAttemptLog()
    let startedAt = Date()
    let clock = ContinuousClock.now

    /// Logs the call: succeeded when `errorCode` is nil; `modelFailed` counts a failure against the model's health
    /// (not when the client went away). A model we run reports its own cost and confidence (`reported`), which
    /// replace the price-per-token cost (local models have none).
    func finish(usage: Usage?, ttftMS: Double?, errorCode: String?, modelFailed: Bool, reported: SwitchyardExtension? = nil) {
        let latency = clock.millisecondsSince
        if errorCode == nil {
            health.recordSuccess(model: model.name, latencyMS: latency)
        } else if modelFailed {
            health.recordFailure(model: model.name)
        }
        let cost = reported?.costUSD ?? usage.flatMap { model.costUSD(inputTokens: $0.promptTokens, outputTokens: $0.completionTokens) }
        calls.append(.init(purpose: purpose, route: route, model: model, provider: provider, attempts: attempts.attempts,
                           startedAt: startedAt, latencyMS: latency, usage: usage, costUSD: cost, ttftMS: ttftMS,
                           confidence: reported?.confidence, accepted: errorCode == nil, errorCode: errorCode))
    }
}
