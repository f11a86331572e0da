import Foundation
import GatewayServer
import GatewayTesting
import Logging
import PostgresNIO
import Providers
import Store
import Synchronization
import SwitchyardTypes

/// A `switchyard worker` process serving the test model on a port it picked, stopped with SIGTERM.
final class WorkerProcess: Sendable {
    let port: Int
    private let process: Process
    private let output: ProcessOutput

    /// Starts `switchyard worker` (the binary next to the test bundle, or `SWITCHYARD_BIN`) on any free
    /// port and waits until it listens.
    /// - Throws: `WorkerTestSupport.MissingFile` without a binary or model; `ProcessFailure` when it
    ///   does not come up within `seconds`.
    init(slots: Int, queue: Int, context: Int = 512, pricePerCPUSecond: Double, within seconds: Double = 120) async throws {
        let process = Process()
        process.executableURL = try Self.executable()
        process.arguments = ["worker", "--model", try WorkerTestSupport.modelPath(), "--port", "0", "--name", "smollm2",
                             "--slots", "\(slots)", "--queue", "\(queue)", "--context", "\(context)",
                             "--price-per-cpu-second", "\(pricePerCPUSecond)"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        let output = ProcessOutput(pipe.fileHandleForReading)
        try process.run()
        var port: Int?
        _ = try await WorkerTestSupport.eventually(within: seconds) {
            port = output.listeningPort()
            return port != nil || !process.isRunning
        }
        guard let port else {
            if process.isRunning { process.terminate() }
            throw ProcessFailure(description: "switchyard worker did not start listening; its output: \(output.text)")
        }
        self.port = port
        self.process = process
        self.output = output
    }

    /// The worker's base URL.
    var url: String { "http://127.0.0.1:\(port)" }

    /// Everything the worker printed so far.
    var printed: String { output.text }

    /// Sends SIGTERM and waits for the process to exit; returns its exit status.
    @discardableResult
    func stop() async -> Int32 {
        if process.isRunning { process.terminate() }
        _ = try? await WorkerTestSupport.eventually(within: 30) { !self.process.isRunning }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// The `switchyard` executable built next to this test bundle, or `SWITCHYARD_BIN`.
    static func executable() throws -> URL {
        if let explicit = ProcessInfo.processInfo.environment["SWITCHYARD_BIN"], !explicit.isEmpty {
            return URL(fileURLWithPath: explicit)
        }
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = folder.appendingPathComponent("switchyard")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            folder.deleteLastPathComponent()
        }
        throw WorkerTestSupport.MissingFile(
            description: "no switchyard executable next to the test bundle (\(CommandLine.arguments[0])); run `swift build` first or set SWITCHYARD_BIN")
    }

    /// The worker failed to start.
    struct ProcessFailure: Error, CustomStringConvertible { let description: String }
}

/// A child process's output, read on a thread of its own as it arrives.
final class ProcessOutput: Sendable {
    private let collected = Mutex("")

    init(_ handle: FileHandle) {
        let thread = Thread { [self] in
            while true {
                let data = handle.availableData
                if data.isEmpty { return }
                collected.withLock { $0 += String(decoding: data, as: UTF8.self) }
            }
        }
        thread.start()
    }

    var text: String { collected.withLock { $0 } }

    /// The port of the `switchyard worker listening on HOST:PORT` line, once printed.
    func listeningPort() -> Int? {
        let text = self.text
        guard let range = text.range(of: #"listening on [^\s]+:[0-9]+"#, options: .regularExpression) else { return nil }
        return Int(text[range].split(separator: ":").last ?? "")
    }
}

/// The gateway (`buildApplication`) on a real socket with the real Store: keys from `api_keys`, one
/// `requests` row per request written by the `MetricsWriter`.
enum LocalGatewayHarness {
    /// One gateway over `providers` (`kind: local` or `worker` models by name), with a client key.
    static func run(
        _ database: TestDatabase, providers: [String: any ChatProvider],
        _ body: @Sendable (_ port: Int, _ key: String) async throws -> Void
    ) async throws {
        let keys = APIKeyStore(client: database.client)
        let created = try await keys.create(name: "local-gateway-tests", role: .client)
        let spill = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-spill-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: spill) }
        let writer = try MetricsWriter(client: database.client, configuration: MetricsWriterConfiguration(spillFolder: spill))
        let models = providers.map { name, provider in
            GatewayModel(name: name, kind: provider.kind == "worker" ? .worker : .local, timeout: .seconds(120), retries: 0)
        }
        let configuration = GatewayConfiguration(host: "127.0.0.1", port: 0, models: models.sorted { $0.name < $1.name },
                                                 upstreamIdleTimeout: .seconds(120))
        var logger = Logger(label: "switchyard.tests")
        logger.logLevel = .error
        let dependencies = GatewayDependencies(
            authenticator: StoreAPIKeyAuthenticator(store: keys), recordSink: writer,
            readiness: PostgresReadiness(client: database.client), services: [writer], localProviders: providers,
            environment: [:], logger: logger)
        try await withLiveServer(buildApplication(configuration, dependencies: dependencies)) { port in
            try await body(port, created.secret)
            await writer.flush()
        }
    }

    /// One `requests` row as the tests read it.
    struct Row: Sendable {
        var status: Int
        var provider: String?
        var servedModel: String?
        var stream: Bool
        var inputTokens: Int
        var outputTokens: Int
        var costUSD: Double?
        var latencyMS: Double
        var ttftMS: Double?
        var meanLogprob: Double?
        var minLogprob: Double?
        var meanEntropy: Double?
    }

    /// Every row of `requests`, oldest first.
    static func rows(_ database: TestDatabase) async throws -> [Row] {
        let rows = try await database.client.query("""
            SELECT status, provider, served_model, stream, input_tokens, output_tokens, cost_usd, latency_ms, ttft_ms,
                   conf_mean_logprob, conf_min_logprob, conf_mean_entropy
            FROM requests ORDER BY started_at
            """)
        var all: [Row] = []
        for try await (status, provider, served, stream, input, output, cost, latency, ttft, mean, min, entropy) in rows.decode(
            (Int, String?, String?, Bool, Int, Int, Double?, Double, Double?, Double?, Double?, Double?).self) {
            all.append(Row(status: status, provider: provider, servedModel: served, stream: stream, inputTokens: input,
                           outputTokens: output, costUSD: cost, latencyMS: latency, ttftMS: ttft, meanLogprob: mean,
                           minLogprob: min, meanEntropy: entropy))
        }
        return all
    }
}
