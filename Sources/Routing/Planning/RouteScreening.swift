import Foundation
import Policy

/// A route that passed the screening, with its model and estimated cost.
struct ScreenedRoute: Sendable, Equatable {
    var spec: RouteSpec
    var model: ModelSpec
    var estimatedCostUSD: Double

    func planned(as role: PlannedRoute.Role) -> PlannedRoute {
        PlannedRoute(route: spec.name, model: model.name, role: role, augmentations: Augmentations(route: spec),
                     isLocal: model.isLocal, estimatedCostUSD: estimatedCostUSD)
    }
}

/// Which of a rule's routes may be tried for one request, and why the others may not.
///
/// Hard limits: the route is available (circuit closed, key set), `local_only` keeps hosted models
/// out, and the estimated cost stays within `max_cost_usd`. The latency SLO is soft: routes whose
/// recent p95 exceeds it are dropped, unless that would leave nothing, in which case the slow
/// routes are kept, fastest first, and the decision says the SLO was relaxed.
struct RouteScreening: Sendable {
    var policy: PolicyDocument
    var costs: CostEstimator

    /// Routes passing every limit, in the given order, plus the reasons the others were dropped.
    func screen(_ names: [String], rule: RuleSpec, request: PlanningRequest) throws(RoutingError) -> (routes: [ScreenedRoute], reasons: [String]) {
        var passed: [ScreenedRoute] = []
        var tooSlow: [(route: ScreenedRoute, p95: Double)] = []
        var reasons: [String] = []
        let limits = rule.constraints
        for name in names {
            guard let spec = policy.route(named: name) else { throw .unknownRoute(rule: rule.name, route: name) }
            guard let model = policy.model(named: spec.model) else { throw .unknownModel(route: name, model: spec.model) }
            let live = request.liveStats[name] ?? RouteLiveStats()
            if !live.isAvailable {
                reasons.append("\(name): unavailable"); continue
            }
            if limits.localOnly && !model.isLocal {
                reasons.append("\(name): local_only excludes hosted model \(model.name)"); continue
            }
            let cost = costs.costUSD(of: model, tokens: request.tokens, cpuSecondsPerToken: live.cpuSecondsPerToken)
            if let maxCost = limits.maxCostUSD, cost > maxCost {
                reasons.append("\(name): estimated cost \(formatUSD(cost)) exceeds max_cost_usd \(formatUSD(maxCost))"); continue
            }
            let screened = ScreenedRoute(spec: spec, model: model, estimatedCostUSD: cost)
            if let slo = limits.latencySLOMS, let p95 = live.p95LatencyMS, p95 > Double(slo) {
                reasons.append("\(name): p95 \(Int(p95.rounded())) ms exceeds latency_slo_ms \(slo)")
                tooSlow.append((screened, p95)); continue
            }
            passed.append(screened)
        }
        if passed.isEmpty && !tooSlow.isEmpty {
            reasons.append("latency SLO relaxed: every other route was excluded, slow routes kept fastest first")
            passed = tooSlow.sorted { $0.p95 < $1.p95 }.map(\.route)
        }
        return (passed, reasons)
    }
}

/// Dollars with enough digits for per-request costs.
func formatUSD(_ value: Double) -> String {
    "$" + String(format: "%.6f", value)
}
