import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOCore
import Providers
import ServiceLifecycle
import SLMCore
import SwitchyardTypes

/// Throughput of concurrent local streams, served over HTTP and by the scheduler directly, in one run.
public struct LocalThroughputReport: Sendable, CustomStringConvertible {
    /// Concurrent streams in each round.
    public var streams: Int
    /// Answer tokens and wall seconds with the scheduler driven directly (the anchor).
    public var coreTokens: Int, coreSeconds: Double
    /// Answer tokens and wall seconds over HTTP (server-sent events through the local provider).
    public var httpTokens: Int, httpSeconds: Double

    /// Tokens per second of the scheduler alone.
    public var coreTokensPerSecond: Double { Double(coreTokens) / coreSeconds }
    /// Tokens per second over HTTP.
    public var httpTokensPerSecond: Double { Double(httpTokens) / httpSeconds }
    /// HTTP throughput as a fraction of the scheduler's own.
    public var ratio: Double { httpTokensPerSecond / coreTokensPerSecond }

    public var description: String {
        String(format: "streams=%d  core: %d tokens in %.2f s = %.1f tok/s  http: %d tokens in %.2f s = %.1f tok/s  ratio http/core = %.3f",
               streams, coreTokens, coreSeconds, coreTokensPerSecond, httpTokens, httpSeconds, httpTokensPerSecond, ratio)
    }
}

/// Measures `streams` concurrent greedy answers of `maxTokens` tokens, `rounds` times each way,
/// alternating the scheduler driven directly and the same scheduler behind the worker's HTTP app
/// on a local socket (streaming), so both see the same machine load.
public func runLocalThroughputBenchmark(runtime: LocalModelRuntime, streams: Int, maxTokens: Int, rounds: Int,
                                        logger: Logger = Logger(label: "switchyard.bench")) async throws -> LocalThroughputReport {
    let questions = (0..<streams).map { "Write a short paragraph about the number \($0 + 1)." }
    var report = LocalThroughputReport(streams: streams, coreTokens: 0, coreSeconds: 0, httpTokens: 0, httpSeconds: 0)
    let (portStream, portSignal) = AsyncStream<Int>.makeStream()
    let app = buildWorkerApplication(runtime: runtime, configuration: WorkerConfiguration(modelName: "bench", port: 0), logger: logger) { channel in
        portSignal.yield(channel.localAddress?.port ?? 0)
    }
    try await withThrowingTaskGroup(of: Void.self) { group in
        let services = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: logger))
        group.addTask { try await services.run() }
        var ports = portStream.makeAsyncIterator()
        guard let port = await ports.next() else { return }
        for _ in 0..<rounds {
            let (coreTokens, coreSeconds) = try await timed { try await coreRound(runtime, questions, maxTokens) }
            report.coreTokens += coreTokens; report.coreSeconds += coreSeconds
            let (httpTokens, httpSeconds) = try await timed { try await httpRound(port, questions, maxTokens) }
            report.httpTokens += httpTokens; report.httpSeconds += httpSeconds
        }
        group.cancelAll()
    }
    return report
}

private func timed(_ body: () async throws -> Int) async throws -> (Int, Double) {
    let start = ContinuousClock.now
    let tokens = try await body()
    let (seconds, attoseconds) = (ContinuousClock.now - start).components
    return (tokens, Double(seconds) + Double(attoseconds) / 1e18)
}

/// Every question straight to the scheduler; returns the answer tokens.
private func coreRound(_ runtime: LocalModelRuntime, _ questions: [String], _ maxTokens: Int) async throws -> Int {
    var sampling = SamplingParameters.greedy
    sampling.maxTokens = maxTokens
    let streams = try questions.map { question in
        try runtime.scheduler.submit(SequenceRequest(promptTokens: runtime.promptTokens([.user(question)]), sampling: sampling))
    }
    return try await withThrowingTaskGroup(of: Int.self) { group in
        for stream in streams {
            group.addTask {
                var tokens = 0
                for try await event in stream { if case .token = event { tokens += 1 } }
                return tokens
            }
        }
        return try await group.reduce(0, +)
    }
}

/// Every question as a streaming chat request over HTTP; returns the answer tokens from `usage`.
private func httpRound(_ port: Int, _ questions: [String], _ maxTokens: Int) async throws -> Int {
    try await withThrowingTaskGroup(of: Int.self) { group in
        for question in questions {
            group.addTask {
                let chat = ChatCompletionRequest(model: "bench", messages: [SwitchyardTypes.ChatMessage(role: "user", text: question)],
                                                 stream: true, streamOptions: StreamOptions(includeUsage: true),
                                                 temperature: 0, maxTokens: maxTokens)
                var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/chat/completions")
                request.method = .POST
                request.headers.add(name: "content-type", value: "application/json")
                request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(chat)))
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(600))
                var text = ""
                for try await buffer in response.body { text += String(buffer: buffer) }
                let usage = text.components(separatedBy: "\n\n").compactMap { event -> Usage? in
                    guard event.hasPrefix("data: {") else { return nil }
                    return try? JSONDecoder().decode(ChatCompletionChunk.self, from: Data(event.dropFirst(6).utf8)).usage
                }.last
                return usage?.completionTokens ?? 0
            }
        }
        return try await group.reduce(0, +)
    }
}
