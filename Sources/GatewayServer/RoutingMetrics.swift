import Prometheus
import SwitchyardTypes

/// Per-route Prometheus series: requests by served route, strategy and status, and the cost spent per route.
///
/// The `route` label is a route (or, for direct requests, a model) of the policy in force, `none` when the
/// request failed before any call, or `other` for a name outside the policy, so the label set stays bounded.
enum RoutingMetrics {
    /// Counts `record` under its route.
    static func record(_ record: RequestRecord, knownRoutes: Set<String>, registry: PrometheusCollectorRegistry) {
        let strategy = record.decision?.strategy ?? "direct"
        let served = record.modelCalls.last { $0.accepted && $0.purpose != "knowledge" }?.route
        let route: String
        if let name = served ?? record.decision?.route, !name.isEmpty {
            route = knownRoutes.contains(name) ? name : "other"
        } else {
            route = "none"
        }
        registry.makeCounter(descriptor: requestsDescriptor,
                             labels: [("route", route), ("strategy", Self.boundedStrategy(strategy)), ("status", String(record.status))])
            .increment()
        for call in record.modelCalls {
            guard let cost = call.costUSD, cost > 0 else { continue }
            let callRoute = call.route.map { knownRoutes.contains($0) ? $0 : "other" } ?? "none"
            registry.makeCounter(descriptor: costDescriptor, labels: [("route", callRoute), ("purpose", call.purpose)])
                .increment(by: cost)
        }
    }

    private static var requestsDescriptor: MetricNameDescriptor {
        MetricNameDescriptor(metricName: "switchyard_route_requests", unitName: "total",
                             helpText: "Chat requests by the route that answered, strategy and status.")
    }
    private static var costDescriptor: MetricNameDescriptor {
        MetricNameDescriptor(metricName: "switchyard_route_cost_usd", unitName: "total", helpText: "USD spent on model calls, by route and call purpose.")
    }

    private static func boundedStrategy(_ strategy: String) -> String {
        ["direct", "fixed", "bandit", "cascade"].contains(strategy) ? strategy : "other"
    }
}
