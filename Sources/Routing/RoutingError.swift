import Foundation

/// Why routing, tuning or an offline replay could not go on, with the context needed to fix the cause.
public enum RoutingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No rule of the policy matches the request's class (the policy validator should prevent this).
    case noMatchingRule(domain: String, task: String, difficulty: String)
    /// A rule names a route the policy does not declare.
    case unknownRoute(rule: String, route: String)
    /// A route names a model the policy does not declare.
    case unknownModel(route: String, model: String)
    /// Every candidate and fallback of the rule was excluded; `exclusions` says why, route by route.
    case noEligibleRoute(rule: String, exclusions: [String])
    /// A tuning or evaluation input is out of range (a propensity outside (0, 1], a negative count...).
    case invalidInput(field: String, reason: String)
    /// A line of an outcomes file could not be read.
    case invalidOutcomeLine(file: String, line: Int, reason: String)
    /// A model has no `cost_usd` in the file and no `--price` was given for it.
    case missingPrice(file: String, line: Int, model: String)
    /// The outcomes do not hold what an evaluation needs (two models, a non-empty split...).
    case insufficientData(reason: String)

    /// A message for people; it never contains prompt text.
    public var description: String {
        switch self {
        case .noMatchingRule(let domain, let task, let difficulty):
            return "no rule matches class \(domain)/\(task)/\(difficulty)"
        case .unknownRoute(let rule, let route):
            return "rule '\(rule)' names route '\(route)', which the policy does not declare"
        case .unknownModel(let route, let model):
            return "route '\(route)' names model '\(model)', which the policy does not declare"
        case .noEligibleRoute(let rule, let exclusions):
            return "rule '\(rule)' has no eligible route: " + exclusions.joined(separator: "; ")
        case .invalidInput(let field, let reason):
            return "\(field): \(reason)"
        case .invalidOutcomeLine(let file, let line, let reason):
            return "\(file):\(line): \(reason)"
        case .missingPrice(let file, let line, let model):
            return "\(file):\(line): model '\(model)' has no cost_usd; pass --price '\(model)=USD_PER_PROMPT'"
        case .insufficientData(let reason):
            return "not enough data: \(reason)"
        }
    }
}
