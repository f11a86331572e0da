import Synchronization

/// Live health per model, as the planner sees it: recent p95 latency and a circuit breaker.
///
/// Small and cheap under its one lock: a fixed ring of recent latencies per model, updated once per
/// provider call and read once per planned request. After ``failuresToOpen`` failures in a row a model's
/// circuit opens for ``openDuration``; after that one call is let through again, and a success closes it.
final class RoutingHealthTracker: Sendable {
    /// Failures in a row that open a model's circuit.
    let failuresToOpen: Int
    /// How long an open circuit keeps the model out of plans.
    let openDuration: Duration
    /// Latencies kept per model.
    static let window = 64
    /// Successful calls needed before a p95 is reported.
    static let minimumSamples = 5

    private struct ModelHealth {
        var latencies: [Double] = []
        var next = 0
        var failuresInARow = 0
        var openUntil: ContinuousClock.Instant?
    }

    private let models = Mutex<[String: ModelHealth]>([:])

    init(failuresToOpen: Int = 3, openDuration: Duration = .seconds(10)) {
        self.failuresToOpen = failuresToOpen; self.openDuration = openDuration
    }

    /// Notes a successful call of `model` that took `latencyMS`.
    func recordSuccess(model: String, latencyMS: Double) {
        models.withLock { all in
            var health = all[model] ?? ModelHealth()
            if health.latencies.count < Self.window {
                health.latencies.append(latencyMS)
            } else {
                health.latencies[health.next] = latencyMS
            }
            health.next = (health.next + 1) % Self.window
            health.failuresInARow = 0
            health.openUntil = nil
            all[model] = health
        }
    }

    /// Notes a failed call of `model` (connection error, 5xx, timeout, 429).
    func recordFailure(model: String, now: ContinuousClock.Instant = .now) {
        models.withLock { all in
            var health = all[model] ?? ModelHealth()
            health.failuresInARow += 1
            if health.failuresInARow >= failuresToOpen { health.openUntil = now + openDuration }
            all[model] = health
        }
    }

    /// Whether `model`'s circuit is closed (or its open period is over) and its recent p95 latency.
    func state(of model: String, now: ContinuousClock.Instant = .now) -> (isAvailable: Bool, p95LatencyMS: Double?) {
        let health = models.withLock { $0[model] }
        guard let health else { return (true, nil) }
        let available = health.openUntil.map { now >= $0 } ?? true
        return (available, Self.p95(health.latencies))
    }

    /// The 95th percentile (nearest rank) of the samples, nil with fewer than ``minimumSamples``.
    static func p95(_ samples: [Double]) -> Double? {
        guard samples.count >= minimumSamples else { return nil }
        let sorted = samples.sorted()
        let rank = Int((0.95 * Double(sorted.count)).rounded(.up)) - 1
        return sorted[min(max(rank, 0), sorted.count - 1)]
    }
}
