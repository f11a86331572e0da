import AsyncHTTPClient
import Logging
import Policy
import Providers
import SLMCore

/// Loads the policy's local models and connects its worker pools, for `serve`.
enum LocalModels {
    /// One provider per `kind: local` model (its GGUF mapped once, a scheduler with the policy's
    /// slots and context) and per `kind: worker` model (round robin over its URLs).
    /// - Throws: `LocalModelError` naming the GGUF file that could not be loaded.
    static func providers(for policy: PolicyDocument, logger: Logger) throws -> [String: any ChatProvider] {
        var providers: [String: any ChatProvider] = [:]
        for spec in policy.models {
            switch spec.provider {
            case .local(let local):
                let runtime = try LocalModelRuntime(
                    path: local.resolvedPath,
                    configuration: SchedulerConfiguration(slots: local.slots, contextLength: spec.contextWindow))
                providers[spec.name] = LocalSLMProvider(runtime: runtime, modelName: spec.name, pricePerCPUSecond: local.pricePerCPUSecond)
                logger.notice("local model loaded", metadata: ["model": "\(spec.name)", "path": "\(local.resolvedPath)", "slots": "\(local.slots)"])
            case .worker(let worker):
                providers[spec.name] = WorkerProvider(urls: worker.urls, modelName: spec.name, pricePerCPUSecond: worker.pricePerCPUSecond,
                                                      client: HTTPClient.shared)
            default:
                continue
            }
        }
        return providers
    }
}
