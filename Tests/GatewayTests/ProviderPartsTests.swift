import Foundation
import Testing
@testable import Providers
import SwitchyardTypes

/// The pure parts of the providers: SSE framing, backoff, Anthropic translation.
struct ServerSentEventDecoderTests {
    struct Case: Sendable, CustomStringConvertible {
        let name: String
        let pieces: [String]
        let events: [ServerSentEvent]
        var description: String { name }
    }

    static let cases: [Case] = [
        Case(name: "one event", pieces: ["data: a\n\n"], events: [ServerSentEvent(data: "a")]),
        Case(name: "split everywhere", pieces: ["da", "ta: he", "llo\n", "\n", "data: x\n\n"],
             events: [ServerSentEvent(data: "hello"), ServerSentEvent(data: "x")]),
        Case(name: "crlf", pieces: ["data: a\r\n\r\n"], events: [ServerSentEvent(data: "a")]),
        Case(name: "multi-line data", pieces: ["data: a\ndata: b\n\n"], events: [ServerSentEvent(data: "a\nb")]),
        Case(name: "comments and names", pieces: [": ping\n\nevent: message_start\ndata: {}\n\n"],
             events: [ServerSentEvent(event: "message_start", data: "{}")]),
        Case(name: "no space after colon", pieces: ["data:[DONE]\n\n"], events: [ServerSentEvent(data: "[DONE]")]),
        Case(name: "unterminated last event", pieces: ["data: tail"], events: [ServerSentEvent(data: "tail")]),
    ]

    @Test(arguments: cases)
    func splitsEventsWhateverTheChunkBoundaries(_ testCase: Case) throws {
        var decoder = ServerSentEventDecoder()
        var events: [ServerSentEvent] = []
        for piece in testCase.pieces { events += try decoder.feed(Array(piece.utf8)) }
        if let last = decoder.finish() { events.append(last) }
        #expect(events == testCase.events)
    }
}

struct RetryPolicyTests {
    @Test(arguments: [
        (0, 0.0, 50), (0, 1.0, 100), (1, 1.0, 200), (2, 0.5, 300), (3, 1.0, 800), (5, 1.0, 1000), (40, 0.0, 500),
    ])
    func backsOffExponentiallyWithinJitterAndCap(retry: Int, jitter: Double, expectedMS: Int) {
        let policy = RetryPolicy(maxRetries: 3, baseDelay: .milliseconds(100), maxDelay: .seconds(1))
        #expect(policy.delay(beforeRetry: retry, jitter: jitter) == .milliseconds(expectedMS))
    }

    @Test func retriesConnectionFailuresAndServerErrorsOnly() {
        #expect(ProviderError.connectionFailed(provider: "p", host: "h", detail: "d").isRetryable)
        #expect(ProviderError.upstreamStatus(provider: "p", status: 503, message: nil, retryAfter: nil).isRetryable)
        #expect(!ProviderError.upstreamStatus(provider: "p", status: 429, message: nil, retryAfter: nil).isRetryable)
        #expect(!ProviderError.upstreamStatus(provider: "p", status: 400, message: nil, retryAfter: nil).isRetryable)
        #expect(!ProviderError.timedOut(provider: "p", host: "h", phase: "x").isRetryable)
    }
}

struct AnthropicTranslationTests {
    @Test func movesSystemMessagesAndDefaultsMaxTokens() {
        let chat = ChatCompletionRequest(model: "claude", messages: [
            ChatMessage(role: "system", text: "be brief"), ChatMessage(role: "developer", text: "no lists"),
            ChatMessage(role: "user", text: "hi"), ChatMessage(role: "assistant", text: "hello"), ChatMessage(role: "user", text: "bye"),
        ], temperature: 1.5, stop: .one("END"))
        let request = AnthropicTranslation.messagesRequest(from: chat, upstreamModel: "claude-3", stream: true)
        #expect(request.system == "be brief\n\nno lists")
        #expect(request.messages.map(\.role) == ["user", "assistant", "user"])
        #expect(request.maxTokens == AnthropicTranslation.defaultMaxTokens)
        #expect(request.temperature == 1)
        #expect(request.stopSequences == ["END"])
        #expect(request.stream == true)
        #expect(request.model == "claude-3")
    }

    @Test(arguments: [("end_turn", "stop"), ("max_tokens", "length"), ("tool_use", "tool_calls"), ("stop_sequence", "stop")])
    func mapsStopReasons(stop: String, finish: String) {
        #expect(AnthropicTranslation.finishReason(stop) == finish)
    }

    @Test func translatesAStreamIntoChunksAndUsage() throws {
        var translator = AnthropicStreamTranslator(created: 1)
        let events: [AnthropicStreamEvent] = [
            AnthropicStreamEvent(type: "message_start", message: .init(id: "msg_1", model: "c", usage: AnthropicUsage(inputTokens: 9, outputTokens: 1))),
            AnthropicStreamEvent(type: "content_block_delta", delta: .init(type: "text_delta", text: "Hel")),
            AnthropicStreamEvent(type: "ping"),
            AnthropicStreamEvent(type: "content_block_delta", delta: .init(type: "text_delta", text: "lo")),
            AnthropicStreamEvent(type: "message_delta", delta: .init(stopReason: "max_tokens"), usage: AnthropicUsage(outputTokens: 2)),
        ]
        var chunks: [ChatCompletionChunk] = []
        for event in events {
            if case .chunks(let produced) = try translator.translate(event) { chunks += produced }
        }
        #expect(chunks.compactMap { $0.choices.first?.delta.content }.joined() == "Hello")
        #expect(chunks.first?.choices.first?.delta.role == "assistant")
        #expect(chunks.last?.choices.first?.finishReason == "length")
        #expect(chunks.allSatisfy { $0.id == "msg_1" })
        guard case .end = try translator.translate(AnthropicStreamEvent(type: "message_stop")) else {
            Issue.record("message_stop must end the stream"); return
        }
        #expect(translator.usageChunk().usage == Usage(promptTokens: 9, completionTokens: 2))
        #expect(throws: ProviderError.self) { try translator.translate(AnthropicStreamEvent(type: "error", error: .init(type: "overloaded_error", message: "busy"))) }
    }
}
