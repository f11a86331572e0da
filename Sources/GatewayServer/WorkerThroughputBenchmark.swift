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

// MARK: The report

/// Throughput of concurrent local streams in one run: the scheduler driven directly (the anchor),
/// the same scheduler behind the gateway (`buildApplication`, a `kind: local` model), and behind the
/// worker's HTTP app, each measured over several rounds taken in turns.
public struct LocalThroughputReport: Sendable, CustomStringConvertible {
    /// One timed round of one side: every stream from submission to its last byte.
    public struct Round: Sendable, Equatable {
        /// Answer tokens of every stream together.
        public var tokens: Int
        /// Wall seconds of the round.
        public var seconds: Double
        /// CPU seconds the whole process used during the round (every thread, the model's included).
        public var cpuSeconds: Double
        /// CPU seconds of the round by thread group (``LocalThroughputReport/threadGroups``).
        public var cpuByThread: [String: Double]
        /// Context switches of the process during the round (voluntary and forced).
        public var contextSwitches: Int
        /// When the round started, in seconds since the first counted round started.
        public var startedAt: Double

        /// A measured round.
        public init(tokens: Int, seconds: Double, cpuSeconds: Double, cpuByThread: [String: Double] = [:], contextSwitches: Int = 0,
                    startedAt: Double = 0) {
            self.tokens = tokens; self.seconds = seconds; self.cpuSeconds = cpuSeconds
            self.cpuByThread = cpuByThread; self.contextSwitches = contextSwitches; self.startedAt = startedAt
        }

        /// Tokens per second.
        public var tokensPerSecond: Double { seconds > 0 ? Double(tokens) / seconds : 0 }
    }

    /// The rounds of one way of serving.
    public struct Leg: Sendable {
        /// Every counted round, in the order run.
        public var rounds: [Round] = []

        /// An empty leg.
        public init(rounds: [Round] = []) { self.rounds = rounds }

        /// Answer tokens over every round.
        public var tokens: Int { rounds.reduce(0) { $0 + $1.tokens } }
        /// Wall seconds over every round.
        public var seconds: Double { rounds.reduce(0) { $0 + $1.seconds } }
        /// Tokens per second over every round together.
        public var tokensPerSecond: Double { seconds > 0 ? Double(tokens) / seconds : 0 }
        /// Tokens per second of each round, in order.
        public var roundRates: [Double] { rounds.map(\.tokensPerSecond) }
        /// Median, lowest and highest round rate.
        public var rateSpread: Spread { Spread(roundRates) }
        /// Process CPU milliseconds per answer token over every round.
        public var cpuMillisecondsPerToken: Double { tokens > 0 ? rounds.reduce(0) { $0 + $1.cpuSeconds } * 1000 / Double(tokens) : 0 }
        /// CPU milliseconds per answer token of one thread group over every round.
        public func cpuMillisecondsPerToken(of group: String) -> Double {
            tokens > 0 ? rounds.reduce(0) { $0 + ($1.cpuByThread[group] ?? 0) } * 1000 / Double(tokens) : 0
        }
        /// Context switches per answer token over every round.
        public var contextSwitchesPerToken: Double { tokens > 0 ? Double(rounds.reduce(0) { $0 + $1.contextSwitches }) / Double(tokens) : 0 }
    }

    /// Median, lowest and highest of some figures.
    public struct Spread: Sendable, Equatable {
        /// The middle value.
        public var median: Double
        /// The lowest value.
        public var low: Double
        /// The highest value.
        public var high: Double

        /// A spread of given figures.
        public init(median: Double, low: Double, high: Double) {
            self.median = median; self.low = low; self.high = high
        }

        /// The spread of `values` (zeros when there are none); the median of an even count is the mean of the middle two.
        public init(_ values: [Double]) {
            let sorted = values.sorted()
            guard let first = sorted.first, let last = sorted.last else { median = 0; low = 0; high = 0; return }
            let middle = sorted.count / 2
            median = sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
            low = first
            high = last
        }
    }

    /// Concurrent streams in each round.
    public var streams: Int
    /// Answer tokens asked of each stream.
    public var maxTokens: Int
    /// The scheduler driven directly (the anchor).
    public var core = Leg()
    /// Streaming chat requests through the gateway's application.
    public var gateway = Leg()
    /// Streaming chat requests to the worker's application.
    public var worker = Leg()
    /// The scheduler driven directly with one forward pass per decoding sequence (no batched decode step),
    /// when asked for.
    public var perSequenceDecode: Leg?
    /// Streams (over every counted round) whose answer text differs from the core's warm-up answer, by side;
    /// their token counts are checked to be equal before any round counts.
    public var differingAnswers: [String: Int] = [:]

    /// A report of `streams` streams of `maxTokens` tokens with no rounds yet.
    public init(streams: Int, maxTokens: Int) {
        self.streams = streams
        self.maxTokens = maxTokens
    }

    /// Gateway throughput as a fraction of the scheduler's own, over every round together.
    public var gatewayRatio: Double { gateway.tokensPerSecond / core.tokensPerSecond }
    /// Worker throughput as a fraction of the scheduler's own, over every round together.
    public var workerRatio: Double { worker.tokensPerSecond / core.tokensPerSecond }
    /// Gateway/core of each gateway round, against the core rounds just before and after it.
    public var gatewayRoundRatios: [Double] { Self.pairedRatios(gateway, core) }
    /// Worker/core of each worker round, against the core rounds just before and after it.
    public var workerRoundRatios: [Double] { Self.pairedRatios(worker, core) }

    /// The rate of each round of `leg` divided by the mean rate of the anchor's rounds that bracket it in
    /// time (the last one started before it and the first one started after it; one of them at either end),
    /// so a load that drifts during the run shifts both sides of each ratio alike.
    static func pairedRatios(_ leg: Leg, _ anchor: Leg) -> [Double] {
        leg.rounds.compactMap { round in
            let before = anchor.rounds.last { $0.startedAt < round.startedAt }
            let after = anchor.rounds.first { $0.startedAt > round.startedAt }
            let bracket = [before, after].compactMap { $0?.tokensPerSecond }
            guard !bracket.isEmpty else { return nil }
            let anchorRate = bracket.reduce(0, +) / Double(bracket.count)
            return anchorRate > 0 ? round.tokensPerSecond / anchorRate : nil
        }
    }

    /// The thread groups CPU time is reported for, in print order: the model's threads (the scheduler's and
    /// the matrix pool's, which inherit its name), the NIO event loops (server and bench client), and the
    /// rest (Swift concurrency's pool, where handlers, the relay and the bench's tasks run; the main thread).
    public static let threadGroups = ["model", "event loops", "other"]

    public var description: String {
        func number(_ value: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", value) }
        func spread(_ spread: Spread, _ digits: Int = 2) -> String {
            "\(number(spread.median, digits)) [\(number(spread.low, digits))–\(number(spread.high, digits))]"
        }
        func leg(_ name: String, _ leg: Leg) -> String {
            let groups = Self.threadGroups.map { number(leg.cpuMillisecondsPerToken(of: $0)) }.joined(separator: " / ")
            return name.padding(toLength: 8, withPad: " ", startingAt: 0)
                + "median \(spread(leg.rateSpread)) tok/s; all rounds \(leg.tokens) tokens in \(number(leg.seconds)) s = \(number(leg.tokensPerSecond)) tok/s;"
                + " CPU \(number(leg.cpuMillisecondsPerToken)) ms/token (\(groups)), \(number(leg.contextSwitchesPerToken, 1)) switches/token"
                + "\n          rounds: " + leg.roundRates.map { number($0) }.joined(separator: ", ")
        }
        func ratios(_ name: String, _ paired: [Double], _ aggregate: Double) -> String {
            "ratio \(name): median of rounds \(spread(Spread(paired), 3)) (each against the anchor's rounds before and after it),"
                + " all rounds together \(number(aggregate, 3)); rounds: " + paired.map { number($0, 3) }.joined(separator: ", ")
        }
        let answers = differingAnswers.values.reduce(0, +) == 0
            ? "every stream's answer equals the core's warm-up answer (same token counts, same text)"
            : "token counts equal the core's; answers with other text: "
                + differingAnswers.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        var lines = [
            "streams=\(streams) max_tokens=\(maxTokens) rounds=\(core.rounds.count) per side after one uncounted warm-up round; \(answers)",
            "CPU per token by thread: " + Self.threadGroups.joined(separator: " / "),
            leg("core", core),
            leg("gateway", gateway),
            leg("worker", worker),
        ]
        if let perSequenceDecode {
            lines.append(leg("core, per-sequence decode", perSequenceDecode))
            lines.append(ratios("batched/per-sequence", Self.pairedRatios(core, perSequenceDecode),
                                core.tokensPerSecond / perSequenceDecode.tokensPerSecond))
        }
        lines.append(ratios("gateway/core", gatewayRoundRatios, gatewayRatio))
        lines.append(ratios("worker/core", workerRoundRatios, workerRatio))
        lines.append("CPU per token against the core's: gateway \(number(gateway.cpuMillisecondsPerToken / core.cpuMillisecondsPerToken, 3)),"
                     + " worker \(number(worker.cpuMillisecondsPerToken / core.cpuMillisecondsPerToken, 3))")
        return lines.joined(separator: "\n")
    }
}

// MARK: Running it

/// Measures `streams` concurrent greedy answers of `maxTokens` tokens, `rounds` times each way, in
/// turns: the scheduler driven directly (the anchor), the same scheduler behind the gateway (streaming
/// chat requests on a local socket, records discarded) and behind the worker's app, so all see the same
/// machine load. Each turn runs every side once, and the order rotates from turn to turn. One uncounted
/// round per side comes first; every stream of every round must produce the same number of tokens as
/// in the core's warm-up round (greedy, same prompts, same scheduler), or the run stops.
/// With `comparePerSequenceDecode`, a second scheduler over the same weights that decodes each sequence
/// on its own takes a turn too (the anchor for the batched decode step).
/// - Throws: ``LocalBenchmarkError`` when a request is refused or a side's answers differ in length.
public func runLocalThroughputBenchmark(runtime: LocalModelRuntime, streams: Int, maxTokens: Int, rounds: Int,
                                        comparePerSequenceDecode: Bool = false,
                                        logger: Logger = Logger(label: "switchyard.bench")) async throws -> LocalThroughputReport {
    let questions = (0..<streams).map { "Write a short paragraph about the number \($0 + 1)." }
    var report = LocalThroughputReport(streams: streams, maxTokens: maxTokens)
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
        let sides: [BenchSide] = [
            BenchSide(name: "core") { try await coreRound(runtime.scheduler, runtime, questions, maxTokens) },
            BenchSide(name: "gateway") { try await httpRound(gatewayPort, questions, maxTokens, bearer: benchKey) },
            BenchSide(name: "worker") { try await httpRound(workerPort, questions, maxTokens, bearer: nil) },
        ] + (perSequence.map { scheduler in
            [BenchSide(name: "per-sequence") { try await coreRound(scheduler, runtime, questions, maxTokens) }]
        } ?? [])
        // One uncounted round of each side warms the pages, caches and connections; the core's answers are the reference.
        let reference = try await sides[0].run().answers()
        for side in sides.dropFirst() { try side.check(try await side.run().answers(), against: reference) }
        var order = sides
        let origin = ContinuousClock.now
        for _ in 0..<rounds {
            for side in order {
                let (round, answers) = try await side.measure(since: origin)
                let differing = try side.check(answers, against: reference)
                report.differingAnswers[side.name, default: 0] += differing
                switch side.name {
                case "core": report.core.rounds.append(round)
                case "gateway": report.gateway.rounds.append(round)
                case "worker": report.worker.rounds.append(round)
                default: report.perSequenceDecode?.rounds.append(round)
                }
            }
            order.append(order.removeFirst())
        }
        group.cancelAll()
    }
    await perSequence?.shutdown()
    return report
}

/// What one stream of a round answered.
struct BenchAnswer: Sendable, Equatable {
    var tokens: Int
    var text: String
}

/// What a round brought back before it is decoded: the core's answers as they are, an HTTP side's
/// response bodies (decoded only after the round's clock stops, so parsing is not timed).
enum BenchRoundOutput: Sendable {
    case answers([BenchAnswer])
    case eventStreams([ByteBuffer])

    /// The answers, decoding the server-sent events of an HTTP side.
    func answers() throws -> [BenchAnswer] {
        switch self {
        case .answers(let answers): answers
        case .eventStreams(let bodies): try bodies.map(decodeEventStream)
        }
    }
}

/// One way of serving the bench's streams, and how to run one round of it.
private struct BenchSide: Sendable {
    let name: String
    let run: @Sendable () async throws -> BenchRoundOutput

    /// One timed round: wall and CPU time, context switches, and the answers; `origin` is the run's first counted round's start.
    func measure(since origin: ContinuousClock.Instant) async throws -> (LocalThroughputReport.Round, [BenchAnswer]) {
        let threadsBefore = ThreadCPUTimes.read()
        let usageBefore = ProcessUsage.read()
        let start = ContinuousClock.now
        let output = try await run()
        let seconds = (ContinuousClock.now - start).inSeconds
        let usage = ProcessUsage.read() - usageBefore
        let byThread = ThreadCPUTimes.read().secondsByGroup(since: threadsBefore)
        let answers = try output.answers()
        let round = LocalThroughputReport.Round(tokens: answers.reduce(0) { $0 + $1.tokens }, seconds: seconds, cpuSeconds: usage.cpuSeconds,
                                                cpuByThread: byThread, contextSwitches: usage.contextSwitches,
                                                startedAt: (start - origin).inSeconds)
        return (round, answers)
    }

    /// How many answers differ in text from the reference.
    /// - Throws: ``LocalBenchmarkError/differentTokenCounts(side:stream:tokens:expected:)`` when a length differs.
    @discardableResult
    func check(_ answers: [BenchAnswer], against reference: [BenchAnswer]) throws -> Int {
        var differing = 0
        for (stream, (answer, expected)) in zip(answers, reference).enumerated() {
            guard answer.tokens == expected.tokens else {
                throw LocalBenchmarkError.differentTokenCounts(side: name, stream: stream, tokens: answer.tokens, expected: expected.tokens)
            }
            if answer.text != expected.text { differing += 1 }
        }
        return differing
    }
}

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

// MARK: The rounds

/// Every question straight to the scheduler; returns each stream's token count and text.
private func coreRound(_ scheduler: ModelScheduler, _ runtime: LocalModelRuntime, _ questions: [String], _ maxTokens: Int) async throws -> BenchRoundOutput {
    var sampling = SamplingParameters.greedy
    sampling.maxTokens = maxTokens
    let streams = try questions.map { question in
        try scheduler.submit(SequenceRequest(promptTokens: runtime.promptTokens([.user(question)]), sampling: sampling))
    }
    let answers = try await withThrowingTaskGroup(of: (Int, BenchAnswer).self) { group in
        for (index, stream) in streams.enumerated() {
            group.addTask {
                var answer = BenchAnswer(tokens: 0, text: "")
                for try await event in stream {
                    switch event {
                    case .token(let token):
                        answer.tokens += 1
                        answer.text += token.text
                    case .finished(let summary):
                        answer.text += summary.trailingText
                    }
                }
                return (index, answer)
            }
        }
        return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
    }
    return .answers(questions.indices.map { answers[$0] ?? BenchAnswer(tokens: 0, text: "") })
}

/// Every question as a streaming chat request over HTTP; returns each response body, undecoded.
///
/// The bodies are gathered on the client's event loop (`HTTPClient`'s accumulating `execute`), not handed
/// part by part to a task: the client shares the model's two cores here, and a remote client would not.
private func httpRound(_ port: Int, _ questions: [String], _ maxTokens: Int, bearer: String?) async throws -> BenchRoundOutput {
    let requests = try questions.map { question in
        let chat = ChatCompletionRequest(model: "bench", messages: [SwitchyardTypes.ChatMessage(role: "user", text: question)],
                                         stream: true, streamOptions: StreamOptions(includeUsage: true),
                                         temperature: 0, maxTokens: maxTokens)
        var request = try HTTPClient.Request(url: "http://127.0.0.1:\(port)/v1/chat/completions", method: .POST)
        request.headers.add(name: "content-type", value: "application/json")
        if let bearer { request.headers.add(name: "authorization", value: "Bearer \(bearer)") }
        request.body = .byteBuffer(ByteBuffer(bytes: try JSONEncoder().encode(chat)))
        return request
    }
    let responses = requests.map { HTTPClient.shared.execute(request: $0, deadline: .now() + .seconds(600)) }
    var bodies: [ByteBuffer] = []
    for response in responses {
        let response = try await response.get()
        guard response.status.code == 200 else { throw LocalBenchmarkError.refused(status: Int(response.status.code)) }
        bodies.append(response.body ?? ByteBuffer())
    }
    return .eventStreams(bodies)
}

/// The answer carried by a streaming chat response body: the text of its deltas and the completion
/// tokens of its usage chunk.
/// - Throws: ``LocalBenchmarkError/malformedStream(detail:)`` for an event that is not a chunk, or no usage.
func decodeEventStream(_ body: ByteBuffer) throws -> BenchAnswer {
    var text = ""
    var tokens: Int?
    let decoder = JSONDecoder()
    for event in String(buffer: body).components(separatedBy: "\n\n") where !event.isEmpty {
        guard event.hasPrefix("data: ") else { throw LocalBenchmarkError.malformedStream(detail: "an event without data: \(event.prefix(80))") }
        let payload = event.dropFirst(6)
        if payload == "[DONE]" { continue }
        guard let chunk = try? decoder.decode(ChatCompletionChunk.self, from: Data(payload.utf8)) else {
            throw LocalBenchmarkError.malformedStream(detail: "not a chat completion chunk: \(payload.prefix(80))")
        }
        for choice in chunk.choices { text += choice.delta.content ?? "" }
        if let usage = chunk.usage { tokens = usage.completionTokens }
    }
    guard let tokens else { throw LocalBenchmarkError.malformedStream(detail: "no usage chunk") }
    return BenchAnswer(tokens: tokens, text: text)
}

// MARK: CPU time

/// The process's CPU time and context switches so far (`getrusage`).
private struct ProcessUsage {
    var cpuSeconds: Double
    var contextSwitches: Int

    static func read() -> ProcessUsage {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return ProcessUsage(cpuSeconds: seconds(usage.ru_utime) + seconds(usage.ru_stime),
                            contextSwitches: usage.ru_nvcsw + usage.ru_nivcsw)
    }

    static func - (after: ProcessUsage, before: ProcessUsage) -> ProcessUsage {
        ProcessUsage(cpuSeconds: after.cpuSeconds - before.cpuSeconds, contextSwitches: after.contextSwitches - before.contextSwitches)
    }
}

/// Nanoseconds on the CPU of each thread of this process, with its name (`/proc/self/task/*/schedstat` and `comm`).
private struct ThreadCPUTimes {
    var threads: [String: (name: String, nanoseconds: UInt64)] = [:]

    static func read() -> ThreadCPUTimes {
        var times = ThreadCPUTimes()
        guard let tasks = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task") else { return times }
        for task in tasks {
            guard let schedstat = try? String(contentsOfFile: "/proc/self/task/\(task)/schedstat", encoding: .utf8),
                  let running = schedstat.split(separator: " ").first.flatMap({ UInt64($0) }) else { continue }
            let name = (try? String(contentsOfFile: "/proc/self/task/\(task)/comm", encoding: .utf8)) ?? ""
            times.threads[task] = (name.trimmingCharacters(in: .whitespacesAndNewlines), running)
        }
        return times
    }

    /// CPU seconds each thread group used since `earlier` (threads started since count from zero).
    func secondsByGroup(since earlier: ThreadCPUTimes) -> [String: Double] {
        var seconds: [String: Double] = [:]
        for (task, thread) in threads {
            let before = earlier.threads[task]?.nanoseconds ?? 0
            seconds[Self.group(of: thread.name), default: 0] += Double(thread.nanoseconds &- min(before, thread.nanoseconds)) / 1e9
        }
        return seconds
    }

    /// The report's group of a thread, by its name.
    static func group(of name: String) -> String {
        if name.hasPrefix("slm-") { return "model" }
        if name.hasPrefix("NIO-") { return "event loops" }
        return "other"
    }
}

// MARK: Errors

/// Why a benchmark round failed.
public enum LocalBenchmarkError: Error, CustomStringConvertible {
    /// A streaming request was not answered with 200 (too few slots or queue places for the streams?).
    case refused(status: Int)
    /// No free local port could be found for the gateway.
    case noFreePort
    /// The gateway did not start answering on its port.
    case notListening(port: Int)
    /// A side's stream answered with another number of tokens than the core's warm-up round, so the sides did not do the same work.
    case differentTokenCounts(side: String, stream: Int, tokens: Int, expected: Int)
    /// A response body was not a stream of chat completion chunks ending with usage.
    case malformedStream(detail: String)

    public var description: String {
        switch self {
        case .refused(let status): "a bench request was answered with HTTP \(status); give the model as many slots as streams"
        case .noFreePort: "no free port on 127.0.0.1 for the bench gateway"
        case .notListening(let port): "the bench gateway did not answer on 127.0.0.1:\(port)"
        case let .differentTokenCounts(side, stream, tokens, expected):
            "stream \(stream) through the \(side) answered \(tokens) tokens where the core's warm-up round answered \(expected); the sides did not do the same work"
        case .malformedStream(let detail): "a bench response was not a valid chunk stream: \(detail)"
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
