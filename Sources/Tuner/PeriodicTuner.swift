import Foundation
import Logging
import Policy
import PostgresNIO
import ServiceLifecycle

/// A `Service` for `serve`: runs the ``Tuner`` every `interval` over the last `windowSeconds` and
/// writes a new routing-state version each time (listeners pick it up through NOTIFY).
///
/// A failed run (no scored request yet, the database away) is logged and retried at the next tick.
public struct PeriodicTuner: Service {
    private let tuner: Tuner
    private let interval: Duration
    private let windowSeconds: TimeInterval
    private let policy: @Sendable () async -> PolicyDocument
    private let logger: Logger

    /// A periodic tuner.
    /// - Parameters:
    ///   - interval: Time between runs; the first run waits one interval too.
    ///   - windowSeconds: How far back each run reads (see ``TuningWindow/seconds(of:)`` for `7d`-style text).
    ///   - policy: The policy in force at each run (e.g. the gateway's `PolicyStore`), so reloads are followed.
    public init(tuner: Tuner, interval: Duration, windowSeconds: TimeInterval, logger: Logger = Logger(label: "switchyard.tuner"),
                policy: @escaping @Sendable () async -> PolicyDocument) {
        self.tuner = tuner; self.interval = interval; self.windowSeconds = windowSeconds
        self.policy = policy; self.logger = logger
    }

    /// Ticks until cancelled or a graceful shutdown.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do { try await Task.sleep(for: interval) } catch { return }
                await tick()
            }
        }
    }

    /// One tuning run; returns the written version, or nil when the run failed (and was logged).
    @discardableResult
    public func tick(now: Date = Date()) async -> Int64? {
        do {
            let result = try await tuner.run(policy: await policy(), window: TuningWindow(lasting: windowSeconds, endingAt: now), dryRun: false)
            return result.writtenVersion
        } catch {
            logger.warning("periodic tuning run failed; retrying at the next tick", metadata: ["reason": "\(error)"])
            return nil
        }
    }
}
