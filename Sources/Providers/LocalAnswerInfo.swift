import SLMCore
import SwitchyardTypes

/// What a local answer reports beyond OpenAI's fields: its confidence and CPU-time cost. Sent as
/// the `switchyard` member of a response and of a stream's last chunk:
/// `"switchyard": {"confidence": {"mean_logprob", "min_logprob", "mean_entropy"}, "cpu_seconds", "cost_usd"}`.
public struct LocalAnswerInfo: Sendable, Equatable, Codable {
    /// Mean/min token logprob and mean entropy of the answer.
    public var confidence: ConfidenceRecord?
    /// CPU time the answer took.
    public var cpuSeconds: Double
    /// `cpuSeconds × price_per_cpu_second`.
    public var costUSD: Double

    /// The figures as given.
    public init(confidence: ConfidenceRecord?, cpuSeconds: Double, costUSD: Double) {
        self.confidence = confidence; self.cpuSeconds = cpuSeconds; self.costUSD = costUSD
    }

    /// The figures of a finished sequence priced at `pricePerCPUSecond`.
    init(_ summary: SequenceSummary, pricePerCPUSecond: Double) {
        confidence = summary.confidence.map {
            ConfidenceRecord(meanLogprob: Double($0.meanLogprob), minLogprob: Double($0.minLogprob), meanEntropy: Double($0.meanEntropy))
        }
        cpuSeconds = summary.cpuSeconds
        costUSD = summary.cpuSeconds * pricePerCPUSecond
    }

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
        cpuSeconds = try container.decode(Double.self, forKey: .cpuSeconds)
        costUSD = try container.decode(Double.self, forKey: .costUSD)
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
        try container.encode(cpuSeconds, forKey: .cpuSeconds)
        try container.encode(costUSD, forKey: .costUSD)
        if let confidence {
            var figures = container.nestedContainer(keyedBy: ConfidenceKeys.self, forKey: .confidence)
            try figures.encode(confidence.meanLogprob, forKey: .meanLogprob)
            try figures.encode(confidence.minLogprob, forKey: .minLogprob)
            try figures.encode(confidence.meanEntropy, forKey: .meanEntropy)
        }
    }

    /// The member name the figures travel under.
    public static let memberName = "switchyard"
}
