/// Why a routing simulation could not run or finish.
public enum SimulationError: Error, Equatable, CustomStringConvertible {
    /// The generated policy did not validate.
    case invalidPolicy(reason: String)
    /// The policy's classifier could not be trained from the scenario's seeds.
    case classifierUnavailable(reason: String)
    /// No prompt of a class lands in that class's domain.
    case noPromptInClass(domain: String, classKeys: [String])
    /// The gateway answered a chat request with an error status.
    case requestFailed(index: Int, status: Int, body: String)
    /// The gateway's answer lacks a header the simulation reads.
    case missingHeader(index: Int, name: String)
    /// The gateway answered from a route the scenario does not know.
    case unknownRoute(index: Int, route: String)
    /// `POST /v1/feedback` was refused.
    case feedbackRefused(index: Int, status: Int, body: String)
    /// A tuner run failed.
    case tuningFailed(afterRequests: Int, reason: String)
    /// The gateway did not load a written routing state in time.
    case stateNotLoaded(version: Int64, waitedMS: Int)
    /// A setting is out of range.
    case invalidSetting(name: String, reason: String)

    public var description: String {
        switch self {
        case .invalidPolicy(let reason): return "the simulation's policy does not validate: \(reason)"
        case .classifierUnavailable(let reason): return "the simulation's classifier cannot be trained: \(reason)"
        case .noPromptInClass(let domain, let keys):
            return "no prompt of class '\(domain)' is classified into it (its prompts land in \(keys.joined(separator: ", ")))"
        case .requestFailed(let index, let status, let body): return "request \(index) failed with status \(status): \(body.prefix(300))"
        case .missingHeader(let index, let name): return "request \(index): the answer has no \(name) header"
        case .unknownRoute(let index, let route): return "request \(index) was answered by route '\(route)', which the scenario does not know"
        case .feedbackRefused(let index, let status, let body): return "feedback for request \(index) refused with status \(status): \(body.prefix(300))"
        case .tuningFailed(let count, let reason): return "the tuner failed after \(count) requests: \(reason)"
        case .stateNotLoaded(let version, let waited): return "the gateway did not load routing state version \(version) within \(waited) ms"
        case .invalidSetting(let name, let reason): return "\(name): \(reason)"
        }
    }
}
