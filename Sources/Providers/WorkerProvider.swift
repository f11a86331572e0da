import AsyncHTTPClient
import Foundation
import Logging
import Synchronization
import SwitchyardTypes

/// A model served by several `switchyard worker` processes (`kind: worker`): requests go round
/// robin over the workers' URLs, skipping a worker for `coolDown` after it failed to connect
/// or said it was full (429), and trying the next one instead. The workers' `switchyard` figures
/// (confidence, CPU time) pass through, with the cost recomputed at the policy's price.
///
/// ```swift
/// let provider = WorkerProvider(urls: ["http://10.0.0.5:8081", "http://10.0.0.6:8081"],
///                               modelName: "smollm2", pricePerCPUSecond: 0.00001, client: client)
/// ```
public struct WorkerProvider: ChatProvider {
    public let kind = "worker"
    /// USD per CPU-second on the workers: the cost of an answer is its reported CPU time at this price.
    public let pricePerCPUSecond: Double
    private let workers: [OpenAICompatibleProvider]
    private let hosts: [String]
    private let health: WorkerHealth

    /// A provider over workers at `urls` (base URLs; `/v1` is appended), all serving `modelName`.
    /// - Parameters:
    ///   - timeout: time allowed until a worker's answer starts.
    ///   - coolDown: how long a failed worker is skipped.
    public init(urls: [String], modelName: String, pricePerCPUSecond: Double = 0, client: HTTPClient, timeout: Duration = .seconds(60),
                coolDown: Duration = .seconds(5), logger: Logger = Logger(label: "switchyard.providers.worker")) {
        workers = urls.map { url in
            var base = url
            while base.hasSuffix("/") { base.removeLast() }
            if !base.hasSuffix("/v1") { base += "/v1" }
            return OpenAICompatibleProvider(endpoint: HostedEndpoint(baseURL: base, apiKey: "", upstreamModel: modelName, timeout: timeout,
                                                                     retry: RetryPolicy(maxRetries: 0)),
                                            client: client, logger: logger)
        }
        hosts = urls
        self.pricePerCPUSecond = pricePerCPUSecond
        health = WorkerHealth(count: urls.count, coolDown: coolDown)
    }

    public func complete(_ request: ChatCompletionRequest, attempts: ProviderAttemptLog) async throws -> ChatCompletionResponse {
        var response = try await onSomeWorker { try await $0.complete(request, attempts: attempts) }
        response.switchyard = response.switchyard?.repriced(at: pricePerCPUSecond)
        return response
    }

    public func stream(_ request: ChatCompletionRequest, attempts: ProviderAttemptLog) async throws -> ChatChunkStream {
        let chunks = try await onSomeWorker { try await $0.stream(request, attempts: attempts) }
        let source = RepricedChunks(chunks.makeAsyncIterator(), pricePerCPUSecond: pricePerCPUSecond)
        return ChatChunkStream(unfolding: { try await source.next() })
    }

    /// Runs `call` on the next healthy worker, moving on to the others when one cannot take it.
    private func onSomeWorker<T>(_ call: (OpenAICompatibleProvider) async throws -> T) async throws -> T {
        guard !workers.isEmpty else {
            throw ProviderError.connectionFailed(provider: kind, host: "-", detail: "no worker URLs are configured")
        }
        var lastError: (any Error)?
        for index in health.order() {
            do {
                return try await call(workers[index])
            } catch let error as ProviderError where Self.movesOn(error) {
                health.markFailed(index)
                lastError = error
            }
        }
        throw lastError ?? ProviderError.connectionFailed(provider: kind, host: hosts.joined(separator: ","), detail: "no worker answered")
    }

    /// Whether another worker may take a request this one refused: it was unreachable, full or down.
    static func movesOn(_ error: ProviderError) -> Bool {
        switch error {
        case .connectionFailed, .timedOut: return true
        case .upstreamStatus(_, let status, _, _): return status == 429 || status == 503
        case .malformedResponse, .streamInterrupted: return false
        }
    }
}

/// A worker's chunks with the cost of their `switchyard` figures recomputed at the gateway's price.
final class RepricedChunks: @unchecked Sendable {
    // Safe because `AsyncThrowingStream(unfolding:)` calls `next()` once at a time, never concurrently.
    private var chunks: ChatChunkStream.AsyncIterator
    private let pricePerCPUSecond: Double

    init(_ chunks: ChatChunkStream.AsyncIterator, pricePerCPUSecond: Double) {
        self.chunks = chunks
        self.pricePerCPUSecond = pricePerCPUSecond
    }

    func next() async throws -> ChatCompletionChunk? {
        guard var chunk = try await chunks.next() else { return nil }
        chunk.switchyard = chunk.switchyard?.repriced(at: pricePerCPUSecond)
        return chunk
    }
}

/// Which workers are skipped, and whose turn is next.
final class WorkerHealth: Sendable {
    private struct State {
        var next = 0
        var skipUntil: [ContinuousClock.Instant?]
    }
    private let state: Mutex<State>
    private let coolDown: Duration

    init(count: Int, coolDown: Duration) {
        state = Mutex(State(skipUntil: Array(repeating: nil, count: count)))
        self.coolDown = coolDown
    }

    /// Every worker index, starting at the next in turn, healthy ones first.
    func order() -> [Int] {
        state.withLock { state in
            let count = state.skipUntil.count
            guard count > 0 else { return [] }
            let start = state.next
            state.next = (state.next + 1) % count
            let now = ContinuousClock.now
            let rotation = (0..<count).map { (start + $0) % count }
            let healthy = rotation.filter { state.skipUntil[$0].map { $0 <= now } ?? true }
            return healthy + rotation.filter { !healthy.contains($0) }
        }
    }

    /// Skips worker `index` for the cool-down.
    func markFailed(_ index: Int) {
        let until = ContinuousClock.now + coolDown
        state.withLock { $0.skipUntil[index] = until }
    }
}
