import Foundation
import Hummingbird
import Logging
import NIOCore
import Providers
import SLMCore
import SwitchyardTypes

/// The worker's handlers: chat completions over the local provider, the model list and health.
struct WorkerRoutes: Sendable {
    let provider: LocalSLMProvider
    let configuration: WorkerConfiguration
    let logger: Logger

    func register(on router: Router<BasicRequestContext>) {
        router.get("/healthz") { _, _ in health() }
        router.get("/v1/models") { _, _ in models() }
        router.post("/v1/chat/completions") { request, _ in await chatCompletions(request) }
    }

    // MARK: Handlers

    /// `{"status": "ok", "model", "slots", "active", "queued", "queue_capacity"}`.
    func health() -> Response {
        let load = provider.runtime.scheduler.statistics
        return WorkerResponses.json(JSONValue.object([
            "status": .string("ok"), "model": .string(configuration.modelName),
            "slots": .number(Double(load.slots)), "active": .number(Double(load.activeSequences)),
            "queued": .number(Double(load.queuedRequests)), "queue_capacity": .number(Double(load.queueCapacity)),
        ]))
    }

    func models() -> Response {
        WorkerResponses.json(ModelList(data: [ModelInfo(id: configuration.modelName, created: 0, ownedBy: "switchyard")]))
    }

    func chatCompletions(_ request: Request) async -> Response {
        let chat: ChatCompletionRequest
        do {
            let body = try await request.body.collect(upTo: configuration.maxBodyBytes)
            chat = try JSONDecoder().decode(ChatCompletionRequest.self, from: Data(body.readableBytesView))
        } catch {
            return WorkerResponses.error(status: .badRequest, message: "The body is not a chat completion request.", type: "invalid_request_error")
        }
        do { try chat.validate() } catch {
            return WorkerResponses.error(status: .badRequest, message: error.description, type: "invalid_request_error", param: error.param)
        }
        do {
            if chat.isStreaming {
                let chunks = try await provider.stream(chat, attempts: ProviderAttemptLog())
                return WorkerResponses.eventStream(chunks, includeUsage: chat.streamOptions?.includeUsage ?? false, logger: logger)
            }
            return WorkerResponses.json(try await provider.complete(chat, attempts: ProviderAttemptLog()))
        } catch {
            return WorkerResponses.error(error)
        }
    }
}
