import SLMCore
import SwitchyardTypes

/// What a local answer reports beyond OpenAI's fields (its confidence, CPU time and cost), sent as
/// the `switchyard` member of a response and of a stream's last chunks.
public typealias LocalAnswerInfo = SwitchyardExtension

extension SwitchyardExtension {
    /// The figures of a finished sequence priced at `pricePerCPUSecond`.
    init(_ summary: SequenceSummary, pricePerCPUSecond: Double) {
        self.init(
            confidence: summary.confidence.map {
                ConfidenceRecord(meanLogprob: Double($0.meanLogprob), minLogprob: Double($0.minLogprob), meanEntropy: Double($0.meanEntropy))
            },
            cpuSeconds: summary.cpuSeconds,
            costUSD: summary.cpuSeconds * pricePerCPUSecond)
    }

    /// The same figures with the cost recomputed at `pricePerCPUSecond` (a worker's answer priced by the gateway's policy).
    func repriced(at pricePerCPUSecond: Double) -> SwitchyardExtension {
        var figures = self
        if let cpuSeconds { figures.costUSD = cpuSeconds * pricePerCPUSecond }
        return figures
    }
}
