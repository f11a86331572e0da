import Prometheus
import Synchronization

/// Reload metrics in the gateway's registry: refused reloads counted, and the policy in force as an info gauge.
///
/// `switchyard_policy_reload_failures_total` grows by one per refused reload;
/// `switchyard_policy_info{hash="..."}` is 1 for the policy being served (one series at a time).
final class PolicyReloadMetrics: Sendable {
    private let registry: PrometheusCollectorRegistry
    private let failures: Counter
    private let reloads: Counter
    private let info: Mutex<Gauge?>

    /// Metrics registered in `registry`, with `hash` as the policy in force.
    init(registry: PrometheusCollectorRegistry, hash: String) {
        self.registry = registry
        failures = registry.makeCounter(descriptor: MetricNameDescriptor(
            namespace: "switchyard", subsystem: "policy", metricName: "reload_failures", unitName: "total",
            helpText: "Policy reloads refused because the new files did not validate"))
        reloads = registry.makeCounter(descriptor: MetricNameDescriptor(
            namespace: "switchyard", subsystem: "policy", metricName: "reloads", unitName: "total",
            helpText: "Policy reloads that replaced the served policy"))
        info = Mutex(nil)
        served(hash: hash)
    }

    /// Notes a refused reload.
    func recordFailure() { failures.increment() }

    /// Notes a new policy in force.
    func recordReplaced(hash: String) {
        reloads.increment()
        served(hash: hash)
    }

    private static var infoDescriptor: MetricNameDescriptor { MetricNameDescriptor(
        namespace: "switchyard", subsystem: "policy", metricName: "info", unitName: "",
        helpText: "The policy in force (value 1), labelled with its hash") }

    private func served(hash: String) {
        let gauge = registry.makeGauge(descriptor: Self.infoDescriptor, labels: [("hash", hash)])
        gauge.set(to: 1)
        info.withLock { current in
            if let current, current !== gauge { registry.unregisterGauge(current) }
            current = gauge
        }
    }
}
