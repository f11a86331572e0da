import Foundation

/// Polls a policy file's modification time and size, and reloads the ``PolicyStore`` when the
/// content hash changes. Run it as a child task of the gateway's service; it ends on cancellation.
///
/// ```swift
/// let watcher = PolicyFileWatcher(path: "policies/default.yaml", store: store, interval: .seconds(2))
/// try await watcher.run { outcome in logger.info("policy reload: \(outcome)") }
/// ```
public struct PolicyFileWatcher: Sendable {
    /// The policy file watched.
    public let path: String
    /// The store reloaded on change.
    public let store: PolicyStore
    /// Time between two looks at the file.
    public let interval: Duration

    /// Creates a watcher; nothing happens until ``run(onReload:)``.
    public init(path: String, store: PolicyStore, interval: Duration = .seconds(2)) {
        self.path = path; self.store = store; self.interval = interval
    }

    /// What the watcher last saw of the file.
    struct Fingerprint: Equatable {
        var modified: Date?
        var size: Int?
    }

    /// Checks once: reloads when the file's fingerprint moved and its text hashes differently from the served policy.
    /// - Returns: The reload outcome, or nil when nothing was attempted.
    public func checkOnce() -> PolicyStore.ReloadOutcome? {
        var seen = Fingerprint(modified: nil, size: nil)
        return check(&seen, force: true)
    }

    /// Polls until the task is cancelled, calling `onReload` after every reload attempt.
    /// - Throws: `CancellationError` when the surrounding task is cancelled.
    public func run(onReload: @Sendable (PolicyStore.ReloadOutcome) -> Void = { _ in }) async throws {
        var seen = fingerprint()
        while true {
            try await Task.sleep(for: interval)
            if let outcome = check(&seen, force: false) { onReload(outcome) }
        }
    }

    private func check(_ seen: inout Fingerprint, force: Bool) -> PolicyStore.ReloadOutcome? {
        let now = fingerprint()
        guard force || now != seen else { return nil }
        seen = now
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            return store.reload(path: path)
        }
        let hash = PolicyHash.of(files: [((path as NSString).lastPathComponent, text)])
        if hash == store.current.hash && store.lastError == nil { return nil }
        return store.reload(path: path)
    }

    private func fingerprint() -> Fingerprint {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        return Fingerprint(modified: attributes?[.modificationDate] as? Date, size: (attributes?[.size] as? NSNumber)?.intValue)
    }
}
