import Hummingbird
import Logging
import NIOCore
import Providers
import SLMCore

/// Where a `switchyard worker` listens and which model it serves under which name.
public struct WorkerConfiguration: Sendable {
    /// The name clients use in `model` and that `/v1/models` lists.
    public var modelName: String
    /// Address to bind.
    public var host: String
    /// Port to bind (0: any free port).
    public var port: Int
    /// USD per CPU-second, reported as the answer's cost.
    public var pricePerCPUSecond: Double
    /// Largest request body accepted, in bytes.
    public var maxBodyBytes: Int

    /// A worker configuration.
    public init(modelName: String, host: String = "127.0.0.1", port: Int = 8081, pricePerCPUSecond: Double = 0,
                maxBodyBytes: Int = 4 << 20) {
        self.modelName = modelName; self.host = host; self.port = port
        self.pricePerCPUSecond = pricePerCPUSecond; self.maxBodyBytes = maxBodyBytes
    }
}

/// The HTTP application of `switchyard worker`: one local model behind the OpenAI-compatible API
/// (`POST /v1/chat/completions` with streaming and logprobs, `GET /v1/models`, `GET /healthz`),
/// with no database. A gateway reaches it as a `kind: worker` model.
///
/// ```swift
/// let runtime = try LocalModelRuntime(path: path, configuration: SchedulerConfiguration(slots: 4))
/// let app = buildWorkerApplication(runtime: runtime, configuration: WorkerConfiguration(modelName: "smollm2", port: 8081))
/// try await app.runService()
/// ```
/// - Parameter onServerRunning: called once the socket listens (its port is the channel's local address).
public func buildWorkerApplication(runtime: LocalModelRuntime, configuration: WorkerConfiguration,
                                   logger: Logger = Logger(label: "switchyard.worker"),
                                   onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }) -> some ApplicationProtocol {
    let provider = LocalSLMProvider(runtime: runtime, modelName: configuration.modelName,
                                    pricePerCPUSecond: configuration.pricePerCPUSecond)
    let router = Router()
    WorkerRoutes(provider: provider, configuration: configuration, logger: logger).register(on: router)
    return Application(router: router,
                       configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "switchyard-worker"),
                       onServerRunning: onServerRunning, logger: logger)
}
