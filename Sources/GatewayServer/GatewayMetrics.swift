import CoreMetrics
import Foundation
import Metrics
import Prometheus
import Synchronization

/// The gateway's Prometheus metrics, kept in its own registry (no global metrics system).
///
/// Labels stay bounded: `model` is a model name some policy in force has declared (at start or by a
/// reload, see ``allowModels(_:)``) or `unknown`, `status` an HTTP status.
public struct GatewayMetrics: Sendable {
    /// The registry `/metrics` prints.
    public let registry: PrometheusCollectorRegistry
    private let factory: PrometheusMetricsFactory
    private let knownModels: KnownModelNames

    /// Metrics whose `model` label accepts `knownModels` (the start-up policy's models), kept in `registry`.
    public init(knownModels: [String], registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
            .seconds(30), .seconds(60), .seconds(120),
        ]
        self.factory = factory
        self.knownModels = KnownModelNames(knownModels)
    }

    /// Lets these model names be `model` labels from now on (a reloaded policy's models). Names are
    /// only ever added, so series already exported keep their label and the set stays bounded by
    /// the models the policies declared.
    public func allowModels(_ names: some Sequence<String>) { knownModels.insert(names) }

    /// Whether `model` is labelled by its name (otherwise `unknown`).
    public func isLabelled(model: String) -> Bool { knownModels.contains(model) }

    /// Counts one finished chat request.
    func recordRequest(model: String, status: Int, latencyMS: Double, ttftMS: Double?, inputTokens: Int, outputTokens: Int, costUSD: Double?) {
        let model = isLabelled(model: model) ? model : "unknown"
        let dimensions = [("model", model), ("status", String(status))]
        Counter(label: "switchyard_requests_total", dimensions: dimensions, factory: factory).increment()
        Metrics.Timer(label: "switchyard_request_duration_seconds", dimensions: dimensions, factory: factory)
            .recordNanoseconds(Int64(latencyMS * 1_000_000))
        if let ttftMS {
            Metrics.Timer(label: "switchyard_time_to_first_token_seconds", dimensions: [("model", model)], factory: factory)
                .recordNanoseconds(Int64(ttftMS * 1_000_000))
        }
        if inputTokens > 0 {
            Counter(label: "switchyard_tokens_total", dimensions: dimensions + [("direction", "input")], factory: factory).increment(by: inputTokens)
        }
        if outputTokens > 0 {
            Counter(label: "switchyard_tokens_total", dimensions: dimensions + [("direction", "output")], factory: factory).increment(by: outputTokens)
        }
        if let costUSD, costUSD > 0 {
            FloatingPointCounter(label: "switchyard_cost_usd_total", dimensions: dimensions, factory: factory).increment(by: costUSD)
        }
    }

    /// The metrics in Prometheus' text format.
    public func exposition() -> [UInt8] { registry.emitToBuffer() }
}

/// The model names ``GatewayMetrics`` labels by, shared by every copy of the metrics.
final class KnownModelNames: Sendable {
    private let names: Mutex<Set<String>>

    init(_ initial: [String]) { names = Mutex(Set(initial)) }

    func insert(_ more: some Sequence<String>) { names.withLock { $0.formUnion(more) } }

    func contains(_ name: String) -> Bool { names.withLock { $0.contains(name) } }
}
