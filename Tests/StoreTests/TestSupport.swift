import Foundation
import GatewayTesting
import Logging
import PostgresNIO
import ServiceLifecycle
import Store
import Synchronization
import SwitchyardTypes

/// Runs one SQL query and returns the first column of the first row as an Int.
func scalarInt(_ client: PostgresClient, _ sql: String) async throws -> Int {
    let rows = try await client.query(PostgresQuery(unsafeSQL: sql))
    for try await value in rows.decode(Int64.self) { return Int(value) }
    return 0
}

/// A request record with `calls` model calls, started `daysAgo` days ago.
func sampleRecord(index: Int = 0, daysAgo: Double = 0, calls: Int = 2, prompt: String? = nil) -> RequestRecord {
    let start = Date().addingTimeInterval(-daysAgo * 86_400)
    let modelCalls = (0..<calls).map { sequence in
        ModelCallRecord(sequence: sequence, purpose: sequence == 0 ? "cascade_step" : "answer", route: "r\(index % 3)",
                        provider: sequence == 0 ? "local" : "openai", model: sequence == 0 ? "smollm2" : "gpt-x",
                        startedAt: start, status: 200, inputTokens: 10 + index, outputTokens: 5, costUSD: sequence == 0 ? 0.00001 : 0.001,
                        latencyMS: Double(100 + index), ttftMS: 12.5, accepted: sequence == calls - 1,
                        confidence: ConfidenceRecord(meanLogprob: -0.4, minLogprob: -2.1, meanEntropy: 0.9))
    }
    return RequestRecord(
        startedAt: start, apiKeyID: nil, endpoint: "chat.completions", requestedModel: "auto",
        requestClass: RequestClassRecord(domain: ["medical", "code", "general"][index % 3], task: "qa", difficulty: "easy", confidence: 0.7),
        decision: DecisionRecord(route: "r\(index % 3)", strategy: "cascade", propensity: 0.5, policyHash: "abc", stateVersion: 3, rule: "rule\(index % 3)"),
        provider: "openai", servedModel: "gpt-x", status: 200, errorCode: nil, stream: index % 2 == 0,
        inputTokens: 10 + index, outputTokens: 5, costUSD: 0.00101, latencyMS: Double(120 + index), ttftMS: 30,
        confidence: ConfidenceRecord(meanLogprob: -0.4, minLogprob: -2.1, meanEntropy: 0.9),
        promptContent: prompt ?? "prompt\twith\ttabs\nand \\ backslash \(index)", answerContent: "answer \(index)",
        modelCalls: modelCalls)
}

/// Runs `writer` in a ServiceGroup for the duration of `body`, then shuts it down gracefully
/// (as SIGTERM would) and waits for its final flush.
func withRunningWriter<T: Sendable>(_ writer: MetricsWriter, _ body: @Sendable () async throws -> T) async throws -> T {
    var logger = Logger(label: "test.service-group")
    logger.logLevel = .warning
    let group = ServiceGroup(services: [writer], gracefulShutdownSignals: [], logger: logger)
    return try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        do {
            let result = try await body()
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return result
        } catch {
            await group.triggerGracefulShutdown()
            try? await tasks.waitForAll()
            throw error
        }
    }
}

/// A writer configuration with a fresh spill folder and quick timings for tests.
func testWriterConfiguration(durability: MetricsDurability = .buffered, spill: URL? = nil) throws -> MetricsWriterConfiguration {
    var configuration = MetricsWriterConfiguration(spillFolder: try spill ?? temporaryFolder(), durability: durability)
    configuration.flushInterval = .milliseconds(100)
    configuration.retryInterval = .milliseconds(200)
    // Generous: the test machine is shared, and a spurious timeout would spill (correct, but not what
    // the happy-path tests check). Outage tests set short timeouts themselves.
    configuration.writeTimeout = .seconds(10)
    configuration.replayTimeout = .seconds(20)
    configuration.shutdownTimeout = .seconds(10)
    return configuration
}

/// A quiet logger for writers under test.
func quietLogger() -> Logger {
    var logger = Logger(label: "test.metrics")
    logger.logLevel = .critical
    return logger
}

/// A value behind a lock that closures and child tasks can share.
final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>
    init(_ value: Value) { mutex = Mutex(value) }
    func withLock<Result: Sendable>(_ body: @Sendable (inout Value) -> Result) -> Result {
        mutex.withLock { value in body(&value) }
    }
}

/// The logger connection-level queries in tests pass to PostgresNIO.
let testLogger: Logger = quietLogger()
