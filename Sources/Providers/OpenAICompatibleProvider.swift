import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import SwitchyardTypes

/// A model behind any OpenAI-compatible `/chat/completions` API (OpenAI, vLLM, llama.cpp server, ...).
///
/// Shares the gateway's one long-lived `HTTPClient`; streams are passed through chunk by chunk.
/// ```swift
/// let provider = OpenAICompatibleProvider(endpoint: HostedEndpoint(baseURL: "https://api.openai.com/v1",
///     apiKey: key, upstreamModel: "gpt-4o-mini"), client: client)
/// let answer = try await provider.complete(request, attempts: ProviderAttemptLog())
/// ```
public struct OpenAICompatibleProvider: ChatProvider {
    public let kind = "openai"
    private let transport: UpstreamTransport

    public init(endpoint: HostedEndpoint, client: HTTPClient, logger: Logger = Logger(label: "switchyard.providers.openai")) {
        transport = UpstreamTransport(provider: "openai", endpoint: endpoint, client: client, logger: logger)
    }

    public func complete(_ request: ChatCompletionRequest, attempts: ProviderAttemptLog) async throws -> ChatCompletionResponse {
        var upstream = request
        upstream.model = transport.endpoint.upstreamModel
        upstream.stream = nil
        upstream.streamOptions = nil
        let response = try await transport.send(path: "/chat/completions", headers: headers(streaming: false),
                                                body: try encode(upstream), attempts: attempts)
        let data = try await transport.collect(response)
        do {
            return try JSONDecoder().decode(ChatCompletionResponse.self, from: data)
        } catch {
            throw ProviderError.malformedResponse(provider: kind, detail: "the answer is not a chat completion")
        }
    }

    public func stream(_ request: ChatCompletionRequest, attempts: ProviderAttemptLog) async throws -> ChatChunkStream {
        var upstream = request
        upstream.model = transport.endpoint.upstreamModel
        upstream.stream = true
        upstream.streamOptions = StreamOptions(includeUsage: true)
        let response = try await transport.send(path: "/chat/completions", headers: headers(streaming: true),
                                                body: try encode(upstream), attempts: attempts)
        let provider = kind
        return transport.events(of: response) { event in
            let data = event.data.trimmingCharacters(in: .whitespaces)
            if data == "[DONE]" { return .end }
            let bytes = Data(data.utf8)
            if let chunk = try? JSONDecoder().decode(ChatCompletionChunk.self, from: bytes) { return .chunks([chunk]) }
            if let failure = try? JSONDecoder().decode(OpenAIErrorBody.self, from: bytes) {
                throw ProviderError.streamInterrupted(provider: provider, detail: "the upstream sent an error event: \(failure.error.message.prefix(200))")
            }
            throw ProviderError.malformedResponse(provider: provider, detail: "a stream event is not a chat completion chunk")
        }
    }

    private func headers(streaming: Bool) -> [(String, String)] {
        var headers = [("authorization", "Bearer \(transport.endpoint.apiKey)")]
        headers.append(("accept", streaming ? "text/event-stream" : "application/json"))
        return headers
    }

    private func encode(_ request: ChatCompletionRequest) throws -> ByteBuffer {
        do {
            return ByteBuffer(bytes: try JSONEncoder().encode(request))
        } catch {
            throw ProviderError.malformedResponse(provider: kind, detail: "the request could not be encoded")
        }
    }
}
