import AsyncHTTPClient
import Foundation
import Logging
import Policy
import Providers
import SLMCore
import Synchronization

/// Loads the models a policy says the gateway runs itself (`kind: local` GGUF files, `kind: worker`
/// pools), at start and again on every policy reload, so a reload that adds a local model serves it.
///
/// A model whose declaration did not change keeps its loaded runtime (weights mapped once, the same
/// scheduler). A model a reload removes or changes stays loaded until the gateway stops: requests that
/// began under the old policy finish on it, and nothing is unloaded under them.
/// ```swift
/// let localModels = LocalModelRegistry(logger: logger)
/// let providers = try localModels.providers(for: document)   // at start; reloads call it again
/// ```
public final class LocalModelRegistry: LocalModelLoader {
    /// What a loaded model was loaded from; a reload whose declaration differs loads it anew.
    private struct Declaration: Equatable, Sendable {
        var path: String
        var slots: Int
        var contextWindow: Int
        var pricePerCPUSecond: Double
    }

    private struct Loaded: Sendable {
        var declaration: Declaration
        var provider: LocalSLMProvider
    }

    private let loaded = Mutex<[String: Loaded]>([:])
    /// Runtimes no policy uses any more, kept until shutdown.
    private let retired = Mutex<[LocalModelRuntime]>([])
    private let logger: Logger
    private let client: HTTPClient

    /// A registry that logs what it loads to `logger` and reaches workers through `client`.
    public init(logger: Logger, client: HTTPClient = .shared) {
        self.logger = logger
        self.client = client
    }

    /// One provider per `kind: local` model (its GGUF mapped once, a scheduler with the policy's slots
    /// and context; reused when its declaration is unchanged) and per `kind: worker` model.
    /// - Throws: `PolicyValidationFailure` naming the policy file, the line and the `models.NAME.path`
    ///   field of a GGUF that cannot be loaded; nothing is replaced then.
    public func providers(for policy: PolicyDocument) throws -> [String: any ChatProvider] {
        let current = loaded.withLock { $0 }
        var next: [String: Loaded] = [:]
        var fresh: [LocalModelRuntime] = []
        var providers: [String: any ChatProvider] = [:]
        let file = policy.sourceFiles.first ?? "the policy"
        for spec in policy.models {
            switch spec.provider {
            case .local(let local):
                let declaration = Declaration(path: local.resolvedPath, slots: local.slots, contextWindow: spec.contextWindow,
                                              pricePerCPUSecond: local.pricePerCPUSecond)
                if let existing = current[spec.name], existing.declaration == declaration {
                    next[spec.name] = existing
                    providers[spec.name] = existing.provider
                    continue
                }
                let runtime: LocalModelRuntime
                let cacheFormat: KVCacheFormat = switch local.kvCache {
                case .f16: .f16
                case .q8: .q8
                }
                do {
                    runtime = try LocalModelRuntime(path: local.resolvedPath,
                                                    configuration: SchedulerConfiguration(slots: local.slots, contextLength: spec.contextWindow,
                                                                                          cacheFormat: cacheFormat))
                } catch {
                    retire(fresh)
                    throw PolicyValidationFailure(errors: [.invalidValue(
                        file: file, line: Self.line(ofKey: "path", inModel: spec.name, file: file), path: "models.\(spec.name).path",
                        reason: "cannot load the local model: \(error)")])
                }
                fresh.append(runtime)
                let provider = LocalSLMProvider(runtime: runtime, modelName: spec.name, pricePerCPUSecond: local.pricePerCPUSecond)
                next[spec.name] = Loaded(declaration: declaration, provider: provider)
                providers[spec.name] = provider
                logger.notice("local model loaded", metadata: [
                    "model": "\(spec.name)", "path": "\(local.resolvedPath)", "slots": "\(local.slots)",
                    "repacked_weights": "\(runtime.model.repackedWeights.map { "\($0.storage)" } ?? "none (file order)")",
                ])
                if let removed = runtime.model.repackedWeights?.removedStaleFiles, !removed.isEmpty {
                    logger.notice("stale panel cache files removed", metadata: ["model": "\(spec.name)", "files": "\(removed)"])
                }
            case .worker(let worker):
                providers[spec.name] = WorkerProvider(urls: worker.urls, modelName: spec.name, pricePerCPUSecond: worker.pricePerCPUSecond,
                                                      client: client)
            default:
                continue
            }
        }
        let replaced = loaded.withLock { state -> [LocalModelRuntime] in
            defer { state = next }
            return state.compactMap { name, old in next[name]?.provider.runtime === old.provider.runtime ? nil : old.provider.runtime }
        }
        retire(replaced)
        return providers
    }

    /// Stops every runtime this registry loaded (at shutdown).
    public func shutdown() async {
        let runtimes = loaded.withLock { state -> [LocalModelRuntime] in
            defer { state = [:] }
            return state.values.map(\.provider.runtime)
        } + retired.withLock { state -> [LocalModelRuntime] in
            defer { state = [] }
            return state
        }
        for runtime in runtimes { await runtime.shutdown() }
    }

    /// Keeps runtimes no policy uses (or that a refused reload loaded) until shutdown.
    private func retire(_ runtimes: [LocalModelRuntime]) {
        guard !runtimes.isEmpty else { return }
        retired.withLock { $0.append(contentsOf: runtimes) }
    }

    /// The line of `key:` inside the declaration of model `name` in `file` (0 when it cannot be told).
    static func line(ofKey key: String, inModel name: String, file: String) -> Int {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { return 0 }
        let lines = text.components(separatedBy: "\n")
        guard let start = lines.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces).hasPrefix("\(name):") }) else { return 0 }
        for index in (start + 1)..<lines.count where lines[index].trimmingCharacters(in: .whitespaces).hasPrefix("\(key):") {
            return index + 1
        }
        return start + 1
    }
}

/// Gives the gateway the providers of the models it runs itself, for a policy (at start and on reload).
public protocol LocalModelLoader: Sendable {
    /// The providers of `policy`'s `local` and `worker` models, by model name.
    /// - Throws: `PolicyValidationFailure` naming file, line and field of a model that cannot be loaded.
    func providers(for policy: PolicyDocument) throws -> [String: any ChatProvider]
}
