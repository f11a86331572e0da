import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import Synchronization
import SwitchyardTypes

/// A model behind Anthropic's Messages API, spoken to in OpenAI's chat shape (both ways, streams included).
public struct AnthropicProvider: ChatProvider {
    public let kind = "anthropic"
    /// The API version header sent with every call.
    public static let apiVersion = "2023-06-01"
    private let transport: UpstreamTransport

    public init(endpoint: HostedEndpoint, client: HTTPClient, logger: Logger = Logger(label: "switchyard.providers.anthropic")) {
        transport = UpstreamTransport(provider: "anthropic", endpoint: endpoint, client: client, logger: logger)
    }

    public func complete(_ request: ChatCompletionRequest, attempts: ProviderAttemptLog) async throws -> ChatCompletionResponse {
        let body = AnthropicTranslation.messagesRequest(from: request, upstreamModel: transport.endpoint.upstreamModel, stream: false)
        let response = try await transport.send(path: "/messages", headers: headers, body: try encode(body), attempts: attempts)
        let data = try await transport.collect(response)
        guard let answer = try? JSONDecoder().decode(AnthropicMessagesResponse.self, from: data) else {
            throw ProviderError.malformedResponse(provider: kind, detail: "the answer is not a Messages API message")
        }
        return AnthropicTranslation.chatResponse(from: answer, created: Int(Date().timeIntervalSince1970))
    }

    public func stream(_ request: ChatCompletionRequest, attempts: ProviderAttemptLog) async throws -> ChatChunkStream {
        let body = AnthropicTranslation.messagesRequest(from: request, upstreamModel: transport.endpoint.upstreamModel, stream: true)
        let response = try await transport.send(path: "/messages", headers: headers, body: try encode(body), attempts: attempts)
        let state = TranslatorBox(AnthropicStreamTranslator(created: Int(Date().timeIntervalSince1970)))
        let provider = kind
        return transport.events(of: response) { event in
            guard let decoded = try? JSONDecoder().decode(AnthropicStreamEvent.self, from: Data(event.data.utf8)) else {
                throw ProviderError.malformedResponse(provider: provider, detail: "a stream event is not a Messages API event")
            }
            return try state.translator.withLock { translator in
                let step = try translator.translate(decoded)
                if case .end = step { return .endAfter([translator.usageChunk()]) }
                return step
            }
        }
    }

    private var headers: [(String, String)] {
        [("x-api-key", transport.endpoint.apiKey), ("anthropic-version", Self.apiVersion), ("accept", "application/json")]
    }

    private func encode(_ request: AnthropicMessagesRequest) throws -> ByteBuffer {
        do {
            return ByteBuffer(bytes: try JSONEncoder().encode(request))
        } catch {
            throw ProviderError.malformedResponse(provider: kind, detail: "the request could not be encoded")
        }
    }
}

/// Holds a stream's translator across events.
final class TranslatorBox: Sendable {
    let translator: Mutex<AnthropicStreamTranslator>
    init(_ translator: AnthropicStreamTranslator) { self.translator = Mutex(translator) }
}
