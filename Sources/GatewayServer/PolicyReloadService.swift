import Foundation
import Logging
import Policy
import ServiceLifecycle
import Synchronization

/// Keeps the served policy current: reloads when the policy file's content changes and on SIGHUP.
///
/// A reload validates the whole file and then builds everything the gateway derives from it
/// (`install`, which throws to refuse); only when both succeed is the new policy swapped in. On any
/// error the old policy keeps serving, and the error is logged, counted in `/metrics` and kept
/// for `GET /admin/policy`. Reloads never overlap.
///
/// ```swift
/// let service = PolicyReloadService(store: store, configuration: reload, metrics: metrics, logger: logger) { policy in
///     holder.replace(with: try GatewaySnapshot.build(policy: policy, dependencies: dependencies, client: client))
/// }
/// ```
public final class PolicyReloadService: Service, Sendable {
    /// What started a reload, as logged.
    public enum Trigger: String, Sendable {
        case fileChanged = "file_changed", signal = "sighup", request = "request"
    }

    /// The served policy and its last reload error.
    public let store: PolicyStore
    /// Where the policy comes from and how changes are noticed.
    public let configuration: PolicyReloadConfiguration
    private let install: @Sendable (PolicyDocument) throws -> Void
    private let metrics: PolicyReloadMetrics
    private let logger: Logger
    private let loadedAt: Mutex<Date>
    private let reloading = Mutex(())

    /// A service reloading `store` from `configuration.path`.
    /// - Parameter install: Builds and puts in place what the gateway derives from a new policy; throwing refuses the policy.
    init(store: PolicyStore, configuration: PolicyReloadConfiguration, metrics: PolicyReloadMetrics, logger: Logger,
         install: @escaping @Sendable (PolicyDocument) throws -> Void) {
        self.store = store; self.configuration = configuration; self.metrics = metrics
        self.logger = logger; self.install = install
        self.loadedAt = Mutex(Date())
    }

    /// When the policy in force was loaded.
    public var policyLoadedAt: Date { loadedAt.withLock { $0 } }

    /// Polls the file and listens for SIGHUP until cancelled or the gateway shuts down.
    public func run() async throws {
        let reloadOnSIGHUP = configuration.reloadOnSIGHUP
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.pollFile() }
                if reloadOnSIGHUP {
                    group.addTask {
                        for await _ in SighupSignals.stream() { self.reload(trigger: .signal) }
                    }
                }
                await group.waitForAll()
            }
        }
    }

    /// Reloads the policy file now: validate, install, swap; or keep the old policy and record why not.
    @discardableResult
    public func reload(trigger: Trigger) -> PolicyStore.ReloadOutcome {
        reloading.withLock { _ in
            let path = configuration.path
            let store = self.store
            let install = self.install
            let outcome = store.reload { () throws(PolicyValidationFailure) -> PolicyDocument in
                let candidate = try PolicyLoader.load(path: path)
                guard candidate.hash != store.current.hash else { return candidate }
                do {
                    try install(candidate)
                } catch let failure as PolicyValidationFailure {
                    throw failure  // already names file, line and field (a local model that cannot be loaded)
                } catch {
                    throw PolicyValidationFailure(errors: [.invalidValue(file: path, line: 0, path: "", reason: "\(error)")])
                }
                return candidate
            }
            report(outcome, trigger: trigger)
            return outcome
        }
    }

    private func report(_ outcome: PolicyStore.ReloadOutcome, trigger: Trigger) {
        switch outcome {
        case .replaced(let oldHash, let newHash):
            loadedAt.withLock { $0 = Date() }
            metrics.recordReplaced(hash: newHash)
            logger.notice("policy reloaded", metadata: [
                "trigger": "\(trigger.rawValue)", "old_hash": "\(oldHash.prefix(12))", "policy_hash": "\(newHash.prefix(12))",
            ])
        case .unchanged(let hash):
            logger.debug("policy unchanged", metadata: ["trigger": "\(trigger.rawValue)", "policy_hash": "\(hash.prefix(12))"])
        case .rejected(let failure):
            metrics.recordFailure()
            logger.error("policy reload refused; the previous policy stays in force", metadata: [
                "trigger": "\(trigger.rawValue)", "file": "\(configuration.path)", "problems": "\(failure.errors.count)",
                "first_problem": "\(failure.errors.first?.description ?? "")",
            ])
        }
    }

    /// Reloads whenever the file's content hash differs from the last one seen (so two saves within
    /// one second of equal size are still noticed, and a refused file is not retried until it changes).
    /// The first comparison is against the policy in force, so an edit made before polling starts is not missed.
    private func pollFile() async {
        var seen: String? = store.current.hash
        while !Task.isCancelled {
            do { try await Task.sleep(for: configuration.pollInterval) } catch { return }
            let now = PolicyFileContent.hash(path: configuration.path)
            guard now != seen else { continue }
            seen = now
            reload(trigger: .fileChanged)
        }
    }
}

/// The policy file's content as ``PolicyHash`` sees it.
enum PolicyFileContent {
    /// The hash the loader would give the file at `path`, or nil when it cannot be read.
    static func hash(path: String) -> String? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        return PolicyHash.of(files: [((path as NSString).lastPathComponent, text)])
    }
}
