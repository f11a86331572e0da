import Foundation
import Providers
import Routing
import SwitchyardTypes

/// Prepares the request one route receives: the reasoning instruction, BLADE background knowledge and
/// bridge passages the route names, added as system messages after the client's own.
///
/// The `switchyard` extension member is removed, so it never reaches an upstream.
struct AugmentRequest: Sendable {
    let catalog: ModelCatalog
    let calls: RoutingCallLog
    let health: RoutingHealthTracker
    /// Longest background text asked of a BLADE knowledge model.
    static let knowledgeTokens = 256

    /// The request `route` is called with.
    func prepare(_ request: ChatCompletionRequest, for route: PlannedRoute, task: String?) async -> ChatCompletionRequest {
        var prepared = request
        prepared.extra.removeValue(forKey: AugmentPassages.extensionMember)
        let question = RoutingPrompt(request).lastUser
        var added: [ChatMessage] = []
        if let instruction = AugmentReasoning.instruction(route.augmentations.reasoning, task: task) {
            added.append(ChatMessage(role: "system", text: instruction))
        }
        if let bladeModel = route.augmentations.bladeModel, !question.isEmpty,
           let knowledge = await knowledge(for: question, from: bladeModel, route: route.route) {
            added.append(ChatMessage(role: "system", text: "Background knowledge from a domain model (may be incomplete):\n" + knowledge))
        }
        let passages = AugmentPassages.read(request)
        if !passages.isEmpty {
            let chosen = route.augmentations.bridge ? AugmentPassages.rank(passages, question: question) : passages
            added.append(AugmentPassages.systemMessage(chosen))
        }
        guard !added.isEmpty else { return prepared }
        let insertAt = prepared.messages.firstIndex { $0.role != "system" && $0.role != "developer" } ?? prepared.messages.count
        prepared.messages.insert(contentsOf: added, at: insertAt)
        return prepared
    }

    /// BLADE: asks the route's knowledge model for background on `question`; nil when it is unavailable or fails
    /// (the answer is then made without it). The call is logged with purpose `knowledge`.
    func knowledge(for question: String, from modelName: String, route: String) async -> String? {
        guard let available = catalog.available(modelName) else { return nil }
        let request = ChatCompletionRequest(
            model: available.model.upstreamModel,
            messages: [
                ChatMessage(role: "system", text: "You are a domain expert. Write the background knowledge (facts, definitions, rules) needed to answer the question below, in a few sentences. Do not answer the question itself."),
                ChatMessage(role: "user", text: question),
            ],
            maxTokens: Self.knowledgeTokens)
        let attempts = ProviderAttemptLog()
        let started = Date(), clock = ContinuousClock.now
        do {
            let (response, confidence, cost) = try await RoutingProviderCall.whole(available.provider, request, attempts: attempts)
            let latency = clock.millisecondsSince
            health.recordSuccess(model: modelName, latencyMS: latency)
            calls.append(.init(purpose: "knowledge", route: route, model: available.model, provider: available.provider.kind,
                               attempts: attempts.attempts, startedAt: started, latencyMS: latency, usage: response.usage,
                               costUSD: cost ?? available.model.costUSD(inputTokens: response.usage?.promptTokens ?? 0, outputTokens: response.usage?.completionTokens ?? 0),
                               ttftMS: latency, confidence: confidence, accepted: true, errorCode: nil))
            let text = response.choices.first?.message.content?.text.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            return text.isEmpty ? nil : text
        } catch {
            health.recordFailure(model: modelName)
            calls.append(.init(purpose: "knowledge", route: route, model: available.model, provider: available.provider.kind,
                               attempts: attempts.attempts, startedAt: started, latencyMS: clock.millisecondsSince, usage: nil, costUSD: nil,
                               ttftMS: nil, confidence: nil, accepted: false, errorCode: (error as? ProviderError)?.code ?? "internal_error"))
            return nil
        }
    }
}
