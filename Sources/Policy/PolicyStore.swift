import Foundation
import Synchronization

/// Holds the policy the gateway serves under and swaps it atomically when a new file set validates.
///
/// Readers take a snapshot (`current`) at the start of a request and keep it to the end, so a
/// reload never changes the policy under an in-flight request. A file that fails validation is
/// not applied: the old policy stays and the failure is kept in `lastError` until the next good reload.
///
/// ```swift
/// let store = PolicyStore(initial: try PolicyLoader.load(path: "policies/default.yaml"))
/// let outcome = store.reload(path: "policies/default.yaml")   // on SIGHUP or a file change
/// ```
public final class PolicyStore: Sendable {
    /// What one reload attempt did.
    public enum ReloadOutcome: Sendable, Equatable {
        /// The new policy replaced the old one.
        case replaced(oldHash: String, newHash: String)
        /// The files hash to the policy already served; nothing changed.
        case unchanged(hash: String)
        /// Validation failed; the old policy is still served.
        case rejected(PolicyValidationFailure)
    }

    /// The served policy, the last reload failure and how many swaps happened, changed together.
    public struct Snapshot: Sendable {
        /// The policy in force.
        public var policy: PolicyDocument
        /// Why the latest reload was refused, cleared by the next successful one.
        public var lastError: PolicyValidationFailure?
        /// When `lastError` was recorded.
        public var lastErrorAt: Date?
        /// Number of successful swaps since start.
        public var generation: Int
    }

    private let state: Mutex<Snapshot>

    /// Starts serving `initial`.
    public init(initial: PolicyDocument) {
        state = Mutex(Snapshot(policy: initial, lastError: nil, lastErrorAt: nil, generation: 0))
    }

    /// The policy in force; take it once per request and keep it.
    public var current: PolicyDocument { state.withLock { $0.policy } }

    /// The policy, the last reload error and the generation, read together.
    public var snapshot: Snapshot { state.withLock { $0 } }

    /// Why the latest reload was refused, if it was.
    public var lastError: PolicyValidationFailure? { state.withLock { $0.lastError } }

    /// Validates with `load` and, when it succeeds, swaps the new policy in.
    /// - Parameter load: Builds the candidate policy (e.g. `{ try PolicyLoader.load(path: path) }`).
    @discardableResult
    public func reload(_ load: () throws(PolicyValidationFailure) -> PolicyDocument) -> ReloadOutcome {
        let candidate: PolicyDocument
        do {
            candidate = try load()
        } catch {
            state.withLock { $0.lastError = error; $0.lastErrorAt = Date() }
            return .rejected(error)
        }
        return state.withLock { snapshot in
            snapshot.lastError = nil
            snapshot.lastErrorAt = nil
            let oldHash = snapshot.policy.hash
            guard oldHash != candidate.hash || snapshot.policy != candidate else { return .unchanged(hash: oldHash) }
            snapshot.policy = candidate
            snapshot.generation += 1
            return .replaced(oldHash: oldHash, newHash: candidate.hash)
        }
    }

    /// Reloads from a file: what the gateway calls on SIGHUP or when ``PolicyFileWatcher`` sees a change.
    @discardableResult
    public func reload(path: String) -> ReloadOutcome {
        reload { () throws(PolicyValidationFailure) in try PolicyLoader.load(path: path) }
    }
}
