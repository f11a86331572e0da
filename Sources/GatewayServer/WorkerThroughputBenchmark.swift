import AsyncHTTPClient
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Hummingbird
import Logging
import NIOCore
import Providers
import ServiceLifecycle
import SLMCore
import SwitchyardTypes

/// Throughput of concurrent local streams in one run: the scheduler driven directly (the anchor),
/// the same scheduler behind the gateway (`buildApplication`, a `kind: local` model), and behind the
/// worker's HTTP app.
public struct LocalThroughputReport: Sendable, CustomStringConvertible {
    /// Answer tokens and wall seconds of one way of serving, summed over its rounds.
    public struct Leg: Sendable {
        public var tokens = 0
        public var seconds = 0.0
        /// Tokens per second of each round, in order (their spread shows how noisy the machine was).
        public var roundRates: [Double] = []
        /// Tokens per second.
        public var tokensPerSecond: Double { seconds > 0 ? Double(tokens) / seconds : 0 }
    }

    /// Concurrent streams in each round.
    public var streams: Int
    /// The scheduler driven directly (the anchor).
    public var core = Leg()
    /// Streaming chat requests through the gateway's application.
    public var gateway = Leg()
    /// Streaming chat requests to the worker's application.
    public var worker = Leg()
    /// The scheduler driven directly with one forward pass per decoding sequence (no batched decode step),
    /// when asked for.
    public var perSequenceDecode: Leg?

    /// Gateway throughput as a fraction of the scheduler's own.
    public var gatewayRatio: Double { gateway.tokensPerSecond / core.tokensPerSecond }
    /// Worker throughput as a fraction of the scheduler's own.
    public var workerRatio: Double { worker.tokensPerSecond / core.tokensPerSecond }

    public var description: String {
        func leg(_ name: String, _ leg: Leg) -> String {
            String(format: "%@: %d tokens in %.2f s = %.2f tok/s", name, leg.tokens, leg.seconds, leg.tokensPerSecond)
                + " (rounds: " + leg.roundRates.map { String(format: "%.2f", $0) }.joined(separator: ", ") + ")"
        }
        return ([
            "streams=\(streams)",
            leg("core   ", core),
            leg("gateway", gateway) + String(format: "  ratio gateway/core = %.3f", gatewayRatio),
            leg("worker ", worker) + String(format: "  ratio worker/core = %.3f", workerRatio),
        ] + (perSequenceDecode.map { [leg("core, per-sequence decode", $0)
            + String(format: "  ratio batched/per-sequence = %.3f", core.tokensPerSecond / $0.tokensPerSecond)] } ?? [])
        ).joined(separator: "\n")
    }
}

/// Measures `streams` concurrent greedy answers of `maxTokens` tokens, `rounds` times each way, in
/// turn: the scheduler driven directly, the same scheduler behind the gateway (streaming chat requests
/// on a local socket, records discarded) and behind the worker's app, so all see the same machine load.
/// With `comparePerSequenceDecode`, a second scheduler over the same weights that decodes each sequence
/// on its own takes a turn too (the anchor for the batched decode step).
public func runLocalThroughputBenchmark(runtime: LocalModelRuntime, streams: Int, maxTokens: Int, rounds: Int,
                                        comparePerSequenceDecode: Bool = false,
                                        logger: Logger = Logger(label: "switchyard.bench")) async throws -> LocalThroughputReport {
    let questions = (0..<streams).map { "Write a short paragraph about the number \($0 + 1)." }
    var report = LocalThroughputReport(streams: streams)
    var perSequence: ModelScheduler?
    if comparePerSequenceDecode {
        var configuration = runtime.scheduler.configuration
        configuration.batchedDecode = false
        perSequence = ModelScheduler(model: runtime.model, tokenizer: runtime.tokenizer, configuration: configuration)
        report.perSequenceDecode = LocalThroughputReport.Leg()
    }
    let (ports, portSignal) = AsyncStream<Int>.makeStream()
    let worker = buildWorkerApplication(runtime: runtime, configuration: WorkerConfiguration(modelName: "bench", port: 0), logger: logger) { channel in
        portSignal.yield(channel.localAddress?.port ?? 0)
    }
    let gatewayPort = try freeLocalPort()
    let gateway = benchGateway(runtime: runtime, port: gatewayPort, logger: logger)
    try await withThrowingTaskGroup(of: Void.self) { group in
        let services = ServiceGroup(configuration: .init(services: [worker, gateway], gracefulShutdownSignals: [], logger: logger))
        group.addTask { try await services.run() }
        var listening = ports.makeAsyncIterator()
        guard let workerPort = await listening.next() else { return }
        try await waitUntilListening(gatewayPort)
        // One uncounted round through each path warms the pages, caches and connections.
        _ = try await coreRound(runtime.scheduler, runtime, questions, maxTokens)
        _ = try await httpRound(gatewayPort, questions, maxTokens, bearer: benchKey)
        _ = try await httpRound(workerPort, questions, maxTokens, bearer: nil)
        // The legs take turns, and the order rotates each round, so none always runs first.
        var legs: [BenchLeg] = [.core, .gateway, .worker] + (perSequence == nil ? [] : [.perSequence])
        for _ in 0..<rounds {
            for leg in legs {
                switch leg {
                case .core: try await report.core.add { try await coreRound(runtime.scheduler, runtime, questions, maxTokens) }
                case .gateway: try await report.gateway.add { try await httpRound(gatewayPort, questions, maxTokens, bearer: benchKey) }
                case .worker: try await report.worker.add { try await httpRound(workerPort, questions, maxTokens, bearer: nil) }
                case .perSequence:
                    if let perSequence { try await report.perSequenceDecode?.add { try await coreRound(perSequence, runtime, questions, maxTokens) } }
                }
            }
            legs.append(legs.removeFirst())
        }
        group.cancelAll()
    }
    await perSequence?.shutdown()
    return report
}

/// One way of serving the bench's streams.
private enum BenchLeg { case core, gateway, worker, perSequence }

/// The bench gateway's only key.
private let benchKey = "sk-local-bench"

/// The gateway with one `kind: local` model, `bench`, served by `runtime`; requests are not recorded.
private func benchGateway(runtime: LocalModelRuntime, port: Int, logger: Logger) -> some ApplicationProtocol {
    let configuration = GatewayConfiguration(host: "127.0.0.1", port: port, models: [GatewayModel(name: "bench", kind: .local, retries: 0)],
                                             upstreamIdleTimeout: .seconds(600))
    let dependencies = GatewayDependencies(
        authenticator: StaticAPIKeyAuthenticator(keys: [benchKey: AuthenticatedKey(id: UUID(), name: "bench", role: "client")]),
        recordSink: DiscardedRecords(), readiness: AlwaysReady(),
        localProviders: ["bench": LocalSLMProvider(runtime: runtime, modelName: "bench", pricePerCPUSecond: 0)],
        environment: [:], logger: logger)
    return buildApplication(configuration, dependencies: dependencies)
}

/// Polls the gateway's `/healthz` until it answers, for up to a minute.
private func waitUntilListening(_ port: Int) async throws {
    for _ in 0..<600 {
        let request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/healthz")
        if let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(1)), response.status == .ok { return }
        try await Task.sleep(for: .milliseconds(100))
    }
    throw LocalBenchmarkError.notListening(port: port)
}

/// Drops every record (the bench measures serving, not the metrics writer).
private struct DiscardedRecords: RequestRecordSink {
    func record(_ record: RequestRecord) {}
}

/// A port on 127.0.0.1 that was free a moment ago (the kernel's pick for port 0), for a server
/// that cannot report the port it bound.
private func freeLocalPort() throws -> Int {
    let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard socket >= 0 else { throw LocalBenchmarkError.noFreePort }
    defer { close(socket) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) == 0 && getsockname(socket, $0, &length) == 0 }
    }
    guard bound else { throw LocalBenchmarkError.noFreePort }
    return Int(UInt16(bigEndian: address.sin_port))
}

extension LocalThroughputReport.Leg {
    /// Runs one round and adds its tokens and wall time.
    mutating func add(_ round: () async throws -> Int) async throws {
        let start = ContinuousClock.now
        let roundTokens = try await round()
        let roundSeconds = (ContinuousClock.now - start).inSeconds
        tokens += roundTokens
        seconds += roundSeconds
        roundRates.append(Double(roundTokens) / roundSeconds)
    }
}

/// Every question straight to the scheduler; returns the answer tokens.
private func coreRound(_ scheduler: ModelScheduler, _ runtime: LocalModelRuntime, _ questions: [String], _ maxTokens: Int) async throws -> Int {
    var sampling = SamplingParameters.greedy
    sampling.maxTokens = maxTokens
    let streams = try questions.map { question in
        try scheduler.submit(SequenceRequest(promptTokens: runtime.promptTokens([.user(question)]), sampling: sampling))
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
private func httpRound(_ port: Int, _ questions: [String], _ maxTokens: Int, bearer: String?) async throws -> Int {
    try await withThrowingTaskGroup(of: Int.self) { group in
        for question in questions {
            group.addTask {
                let chat = ChatCompletionRequest(model: "bench", messages: [SwitchyardTypes.ChatMessage(role: "user", text: question)],
                                                 stream: true, streamOptions: StreamOptions(includeUsage: true),
                                                 temperature: 0, maxTokens: maxTokens)
                var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/chat/completions")
                request.method = .POST
                request.headers.add(name: "content-type", value: "application/json")
                if let bearer { request.headers.add(name: "authorization", value: "Bearer \(bearer)") }
                request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(chat)))
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(600))
                guard response.status == .ok else { throw LocalBenchmarkError.refused(status: Int(response.status.code)) }
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

/// Why a benchmark round failed.
public enum LocalBenchmarkError: Error, CustomStringConvertible {
    /// A streaming request was not answered with 200 (too few slots or queue places for the streams?).
    case refused(status: Int)
    /// No free local port could be found for the gateway.
    case noFreePort
    /// The gateway did not start answering on its port.
    case notListening(port: Int)

    public var description: String {
        switch self {
        case .refused(let status): "a bench request was answered with HTTP \(status); give the model as many slots as streams"
        case .noFreePort: "no free port on 127.0.0.1 for the bench gateway"
        case .notListening(let port): "the bench gateway did not answer on 127.0.0.1:\(port)"
        }
    }
}

extension Duration {
    /// The duration in seconds.
    fileprivate var inSeconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
