/// What Switchyard adds to an OpenAI answer, as its `switchyard` member (on a response and on the
/// last chunks of a stream): the answer's confidence and, for models we run, its CPU time and cost.
///
/// ```json
/// "switchyard": {"confidence": {"mean_logprob": -0.41, "min_logprob": -2.3, "mean_entropy": 0.62},
///                "cpu_seconds": 0.83, "cost_usd": 0.0000083}
/// ```
public struct SwitchyardExtension: Sendable, Equatable, Codable {
    /// Mean/min token logprob and mean entropy of the answer; nil when no token was sampled.
    public var confidence: ConfidenceRecord?
    /// CPU time the answer took, for models we run.
    public var cpuSeconds: Double?
    /// What the answer cost in USD (for local models: `cpuSeconds × price_per_cpu_second`).
    public var costUSD: Double?

    /// The figures as given.
    public init(confidence: ConfidenceRecord?, cpuSeconds: Double?, costUSD: Double?) {
        self.confidence = confidence; self.cpuSeconds = cpuSeconds; self.costUSD = costUSD
    }

    /// The member name the figures travel under.
    public static let memberName = "switchyard"

    enum CodingKeys: String, CodingKey {
        case confidence
        case cpuSeconds = "cpu_seconds"
        case costUSD = "cost_usd"
    }

    enum ConfidenceKeys: String, CodingKey {
        case meanLogprob = "mean_logprob"
        case minLogprob = "min_logprob"
        case meanEntropy = "mean_entropy"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        cpuSeconds = try container.decodeIfPresent(Double.self, forKey: .cpuSeconds)
        costUSD = try container.decodeIfPresent(Double.self, forKey: .costUSD)
        if container.contains(.confidence), try !container.decodeNil(forKey: .confidence) {
            let figures = try container.nestedContainer(keyedBy: ConfidenceKeys.self, forKey: .confidence)
            confidence = ConfidenceRecord(meanLogprob: try figures.decode(Double.self, forKey: .meanLogprob),
                                          minLogprob: try figures.decode(Double.self, forKey: .minLogprob),
                                          meanEntropy: try figures.decode(Double.self, forKey: .meanEntropy))
        } else {
            confidence = nil
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        if let confidence {
            var figures = container.nestedContainer(keyedBy: ConfidenceKeys.self, forKey: .confidence)
            try figures.encode(confidence.meanLogprob, forKey: .meanLogprob)
            try figures.encode(confidence.minLogprob, forKey: .minLogprob)
            try figures.encode(confidence.meanEntropy, forKey: .meanEntropy)
        }
        try container.encodeIfPresent(cpuSeconds, forKey: .cpuSeconds)
        try container.encodeIfPresent(costUSD, forKey: .costUSD)
    }
}
