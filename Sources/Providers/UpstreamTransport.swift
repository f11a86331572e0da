import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import SwitchyardTypes

/// The HTTP plumbing every hosted provider shares: send with retries, read errors, map failures.
struct UpstreamTransport: Sendable {
    let provider: String
    let endpoint: HostedEndpoint
    let client: HTTPClient
    let logger: Logger
    /// Largest non-streaming answer read from an upstream.
    static let maxResponseBytes = 32 << 20

    /// Sends `body` to `path`, retrying connection failures and 5xx answers; returns the first 2xx response.
    /// - Throws: ``ProviderError`` for the last failure.
    func send(path: String, headers: [(String, String)], body: ByteBuffer, attempts: ProviderAttemptLog) async throws -> HTTPClientResponse {
        var retry = 0
        while true {
            let started = Date()
            let clock = ContinuousClock.now
            do {
                var request = HTTPClientRequest(url: endpoint.url(path: path))
                request.method = .POST
                for (name, value) in headers { request.headers.add(name: name, value: value) }
                request.headers.add(name: "content-type", value: "application/json")
                request.body = .bytes(body)
                let response: HTTPClientResponse
                do {
                    response = try await client.execute(request, deadline: .now() + .nanoseconds(Int64(endpoint.timeout.nanoseconds)))
                } catch {
                    throw map(error, phase: "before answering")
                }
                if (200..<300).contains(response.status.code) {
                    attempts.append(ProviderAttempt(startedAt: started, latencyMS: clock.millisecondsSince, status: Int(response.status.code), errorCode: nil))
                    return response
                }
                let failure = await statusError(response)
                attempts.append(ProviderAttempt(startedAt: started, latencyMS: clock.millisecondsSince, status: Int(response.status.code), errorCode: failure.code))
                throw failure
            } catch let error as ProviderError {
                if case .connectionFailed = error {
                    attempts.append(ProviderAttempt(startedAt: started, latencyMS: clock.millisecondsSince, status: nil, errorCode: error.code))
                } else if case .timedOut = error {
                    attempts.append(ProviderAttempt(startedAt: started, latencyMS: clock.millisecondsSince, status: nil, errorCode: error.code))
                }
                guard error.isRetryable, retry < endpoint.retry.maxRetries, !Task.isCancelled else { throw error }
                let wait = endpoint.retry.delay(beforeRetry: retry, jitter: Double.random(in: 0...1))
                logger.debug("retrying upstream", metadata: ["provider": "\(provider)", "host": "\(endpoint.host)", "error": "\(error.code)", "retry": "\(retry + 1)"])
                retry += 1
                try? await Task.sleep(for: wait)
            }
        }
    }

    /// Reads an error answer into ``ProviderError/upstreamStatus(provider:status:message:retryAfter:)``.
    func statusError(_ response: HTTPClientResponse) async -> ProviderError {
        let body = try? await response.body.collect(upTo: 64 << 10)
        var message: String?
        if let body, let decoded = try? JSONDecoder().decode(OpenAIErrorBody.self, from: Data(body.readableBytesView)) {
            message = decoded.error.message
        } else if let body, let anthropic = try? JSONDecoder().decode(AnthropicErrorBody.self, from: Data(body.readableBytesView)) {
            message = anthropic.error.message
        }
        if let text = message, text.count > 300 { message = String(text.prefix(300)) + "…" }
        return .upstreamStatus(provider: provider, status: Int(response.status.code), message: message,
                               retryAfter: response.headers.first(name: "retry-after"))
    }

    /// Maps a transport error from AsyncHTTPClient or NIO to a ``ProviderError``.
    func map(_ error: any Error, phase: String) -> ProviderError {
        if let error = error as? ProviderError { return error }
        if let error = error as? HTTPClientError {
            switch error {
            case .readTimeout, .deadlineExceeded, .connectTimeout, .writeTimeout, .getConnectionFromPoolTimeout:
                return .timedOut(provider: provider, host: endpoint.host, phase: phase)
            case .remoteConnectionClosed:
                return .connectionFailed(provider: provider, host: endpoint.host, detail: "the connection was closed")
            default:
                return .connectionFailed(provider: provider, host: endpoint.host, detail: "\(error)")
            }
        }
        if error is CancellationError {
            return .connectionFailed(provider: provider, host: endpoint.host, detail: "the call was cancelled")
        }
        return .connectionFailed(provider: provider, host: endpoint.host, detail: String(describing: type(of: error)))
    }

    /// Reads a whole non-streaming answer.
    func collect(_ response: HTTPClientResponse) async throws(ProviderError) -> Data {
        do {
            return Data(try await response.body.collect(upTo: Self.maxResponseBytes).readableBytesView)
        } catch {
            if error is NIOTooManyBytesError { throw .malformedResponse(provider: provider, detail: "the answer is larger than \(Self.maxResponseBytes) bytes") }
            let mapped = map(error, phase: "while sending its answer")
            if case .connectionFailed(let provider, _, let detail) = mapped { throw .streamInterrupted(provider: provider, detail: detail) }
            throw mapped
        }
    }

    /// Reads the events of an SSE answer lazily, handing each to `parse`, which returns chunks or nil at the end marker.
    func events(
        of response: HTTPClientResponse,
        parse: @escaping @Sendable (ServerSentEvent) throws -> SSEParseStep
    ) -> ChatChunkStream {
        let reader = SSEStreamReader(body: response.body, transport: self, parse: parse)
        return ChatChunkStream(unfolding: { try await reader.next() })
    }
}

/// What one server-sent event means to a provider's stream.
enum SSEParseStep: Sendable {
    /// Chunks to pass on (possibly none).
    case chunks([ChatCompletionChunk])
    /// The end marker: the stream is complete.
    case end
    /// Last chunks, then the end.
    case endAfter([ChatCompletionChunk])
}

/// Reads one SSE body, event by event.
// Safe because `AsyncThrowingStream(unfolding:)` calls `next()` from one consumer, one call at a time.
final class SSEStreamReader: @unchecked Sendable {
    private var iterator: HTTPClientResponse.Body.AsyncIterator
    private var decoder = ServerSentEventDecoder()
    private var pending: [ChatCompletionChunk] = []
    private var finished = false
    private let transport: UpstreamTransport
    private let parse: @Sendable (ServerSentEvent) throws -> SSEParseStep

    init(body: HTTPClientResponse.Body, transport: UpstreamTransport, parse: @escaping @Sendable (ServerSentEvent) throws -> SSEParseStep) {
        self.iterator = body.makeAsyncIterator(); self.transport = transport; self.parse = parse
    }

    func next() async throws -> ChatCompletionChunk? {
        while true {
            if !pending.isEmpty { return pending.removeFirst() }
            if finished { return nil }
            let buffer: ByteBuffer?
            do {
                buffer = try await iterator.next()
            } catch {
                finished = true
                let mapped = transport.map(error, phase: "in the middle of its stream")
                if case .connectionFailed(let provider, _, let detail) = mapped {
                    throw ProviderError.streamInterrupted(provider: provider, detail: detail)
                }
                throw mapped
            }
            guard let buffer else {
                finished = true
                if let last = decoder.finish(), try handle(last) { return pending.isEmpty ? nil : pending.removeFirst() }
                throw ProviderError.streamInterrupted(provider: transport.provider, detail: "the stream ended before its end marker")
            }
            let events: [ServerSentEvent]
            do {
                events = try decoder.feed(buffer.readableBytesView)
            } catch {
                finished = true
                throw ProviderError.malformedResponse(provider: transport.provider, detail: "a stream line is longer than \(ServerSentEventDecoder.maxLineBytes) bytes")
            }
            for event in events where !finished {
                if try handle(event) { finished = true }
            }
        }
    }

    /// Parses one event into `pending`; returns true at the end marker.
    private func handle(_ event: ServerSentEvent) throws -> Bool {
        do {
            switch try parse(event) {
            case .chunks(let chunks): pending.append(contentsOf: chunks); return false
            case .end: return true
            case .endAfter(let chunks): pending.append(contentsOf: chunks); return true
            }
        } catch {
            finished = true
            throw error
        }
    }
}

extension ContinuousClock.Instant {
    /// Milliseconds from this instant to now.
    var millisecondsSince: Double {
        let elapsed = ContinuousClock.now - self
        return Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
    }
}

extension Duration {
    /// The duration in whole nanoseconds.
    var nanoseconds: Int64 {
        components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000
    }
}
