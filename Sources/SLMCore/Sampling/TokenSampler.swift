import Foundation

/// Chooses each next token from a logits vector, and reports its log-probability and entropy.
///
/// Steps, in llama.cpp's order: repetition penalty → top-k → top-p → min-p → temperature → draw.
/// Top-p and min-p see the distribution at temperature 1, so they keep the same tokens whatever
/// the temperature. Every buffer is allocated once, at `init`; `sample` allocates nothing.
///
/// ```swift
/// var sampler = try TokenSampler(parameters: parameters, vocabularySize: tokenizer.vocabularySize)
/// sampler.remember(promptIDs)                    // the prompt counts for the repetition penalty
/// let token = logits.withUnsafeMutableBufferPointer { sampler.sample($0) }
/// ```
public struct TokenSampler: Sendable {
    /// The parameters this sampler applies.
    public let parameters: SamplingParameters
    /// The number of logits each step must supply.
    public let vocabularySize: Int

    private var generator: Xoshiro256StarStar
    private var candidates: [SamplingCandidate]
    private var recent: RecentTokens
    /// Per-token mark used to penalize each recent token once per step.
    private var penaltyStamp: [UInt32]
    private var stepStamp: UInt32 = 0
    private var penalized: [TokenLogprob]
    private var top: [TokenLogprob]
    /// Tempered weights of the whole vocabulary, when no filter narrows the candidates.
    private var weights: [Float]

    /// A sampler with all its scratch space allocated.
    /// - Throws: `SamplingError` when a parameter is out of range or `vocabularySize` is not positive.
    public init(parameters: SamplingParameters, vocabularySize: Int) throws(SamplingError) {
        try parameters.validate()
        guard vocabularySize > 0 else { throw .invalidVocabularySize(vocabularySize) }
        self.parameters = parameters
        self.vocabularySize = vocabularySize
        var seedSource = SystemRandomNumberGenerator()
        generator = Xoshiro256StarStar(seed: parameters.seed ?? seedSource.next())
        let draws = parameters.temperature > 0 && parameters.topK != 1
        candidates = []
        if draws { candidates.reserveCapacity(vocabularySize) }
        recent = RecentTokens(capacity: parameters.repetitionWindow)
        penaltyStamp = parameters.repetitionPenalty == 1 ? [] : [UInt32](repeating: 0, count: vocabularySize)
        penalized = []
        penalized.reserveCapacity(parameters.repetitionWindow)
        top = []
        top.reserveCapacity(parameters.topLogprobs + 1)
        weights = draws ? [Float](repeating: 0, count: vocabularySize) : []
    }

    /// The most likely alternatives at the last step, best first (`topLogprobs` of them).
    public var topLogprobs: [TokenLogprob] { top }

    /// Records tokens (the prompt, or text the caller forced) for the repetition penalty.
    public mutating func remember(_ tokens: some Sequence<Int32>) {
        for token in tokens { recent.append(token) }
    }

    /// Chooses the next token from `logits`, then remembers it.
    ///
    /// `logits` is used as scratch during the call and holds its original values again on return.
    public mutating func sample(_ logits: UnsafeMutableBufferPointer<Float>) -> SampledToken {
        precondition(logits.count == vocabularySize, "expected \(vocabularySize) logits, got \(logits.count)")
        let raw = RawDistribution(logits)
        collectTopLogprobs(logits, raw: raw)
        applyRepetitionPenalty(logits)
        let chosen = parameters.temperature == 0 || parameters.topK == 1 ? Self.argmax(logits) : draw(logits)
        let rawLogit = restorePenalizedLogits(logits, returning: chosen)
        recent.append(chosen)
        return SampledToken(id: chosen, logprob: rawLogit - raw.logNormalizer, entropy: raw.entropy)
    }

    /// Chooses the next token from `logits` (see the buffer-pointer version).
    public mutating func sample(_ logits: inout [Float]) -> SampledToken {
        logits.withUnsafeMutableBufferPointer { sample($0) }
    }

    // MARK: Raw distribution signals

    /// The log-normalizer and entropy of softmax(logits).
    struct RawDistribution {
        var maximum: Float
        var logNormalizer: Float
        var entropy: Float

        init(_ logits: UnsafeMutableBufferPointer<Float>) {
            let count = logits.count
            let base = UnsafeRawPointer(logits.baseAddress!)
            let vectorEnd = count - count % 8
            var maximumLanes = SIMD8<Float>(repeating: -.infinity)
            for offset in stride(from: 0, to: vectorEnd, by: 8) {
                maximumLanes = pointwiseMax(maximumLanes, base.loadUnaligned(fromByteOffset: offset * 4, as: SIMD8<Float>.self))
            }
            var maximum = maximumLanes.max()
            for index in vectorEnd..<count { maximum = max(maximum, logits[index]) }

            // Σ e^(l-max) and Σ e^(l-max)·(l-max), in float lanes flushed to double every 1024 values.
            // The shift is clamped so that a -inf logit adds 0, not 0·(-inf).
            let floor = SIMD8<Float>(repeating: -87.33654)
            var sum: Double = 0
            var weightedShift: Double = 0
            var blockStart = 0
            while blockStart < vectorEnd {
                let blockEnd = min(blockStart + 1024, vectorEnd)
                var sumLanes = SIMD8<Float>(repeating: 0)
                var weightedLanes = SIMD8<Float>(repeating: 0)
                for offset in stride(from: blockStart, to: blockEnd, by: 8) {
                    let lanes = base.loadUnaligned(fromByteOffset: offset * 4, as: SIMD8<Float>.self)
                    let shifted = pointwiseMax(lanes - maximum, floor)
                    let weight = VectorExp.exp(shifted)
                    sumLanes += weight
                    weightedLanes += weight * shifted
                }
                sum += Double(sumLanes.sum())
                weightedShift += Double(weightedLanes.sum())
                blockStart = blockEnd
            }
            for index in vectorEnd..<count {
                let shifted = max(logits[index] - maximum, -87.33654)
                let weight = VectorExp.reference(shifted)
                sum += Double(weight)
                weightedShift += Double(weight * shifted)
            }
            self.maximum = maximum
            logNormalizer = maximum + Float(log(sum))
            // H = -Σ p (l - lse) = log Σ e^(l-max) - Σ e^(l-max)(l-max) / Σ e^(l-max)
            entropy = Float(log(sum) - weightedShift / sum)
        }
    }

    private mutating func collectTopLogprobs(_ logits: UnsafeMutableBufferPointer<Float>, raw: RawDistribution) {
        top.removeAll(keepingCapacity: true)
        let wanted = parameters.topLogprobs
        guard wanted > 0 else { return }
        // Insertion into a short sorted list: best first, lower id first on ties.
        for index in 0..<logits.count {
            let value = logits[index]
            if top.count == wanted, let last = top.last, value <= last.logprob { continue }
            var position = top.count
            while position > 0, value > top[position - 1].logprob { position -= 1 }
            if top.count == wanted { top.removeLast() }
            top.insert(TokenLogprob(id: Int32(index), logprob: value), at: position)
        }
        for index in top.indices { top[index].logprob -= raw.logNormalizer }
    }

    // MARK: Repetition penalty

    private mutating func applyRepetitionPenalty(_ logits: UnsafeMutableBufferPointer<Float>) {
        penalized.removeAll(keepingCapacity: true)
        let penalty = parameters.repetitionPenalty
        guard penalty != 1, !recent.isEmpty else { return }
        stepStamp &+= 1
        if stepStamp == 0 {  // wrapped: clear old marks
            for index in penaltyStamp.indices { penaltyStamp[index] = 0 }
            stepStamp = 1
        }
        recent.forEach { token in
            let index = Int(token)
            guard index >= 0, index < logits.count, penaltyStamp[index] != stepStamp else { return }
            penaltyStamp[index] = stepStamp
            penalized.append(TokenLogprob(id: token, logprob: logits[index]))
            logits[index] = logits[index] <= 0 ? logits[index] * penalty : logits[index] / penalty
        }
    }

    /// Puts the original values back and returns the raw logit of `chosen`.
    private func restorePenalizedLogits(_ logits: UnsafeMutableBufferPointer<Float>, returning chosen: Int32) -> Float {
        for entry in penalized { logits[Int(entry.id)] = entry.logprob }
        return logits[Int(chosen)]
    }

    // MARK: Choosing

    /// The index of the largest logit, the first one on ties.
    static func argmax(_ logits: UnsafeMutableBufferPointer<Float>) -> Int32 {
        Int32(Argmax.index(of: UnsafeBufferPointer(logits)))
    }

    private mutating func draw(_ logits: UnsafeMutableBufferPointer<Float>) -> Int32 {
        let filters = parameters.topK > 0 && parameters.topK < logits.count || parameters.topP < 1 || parameters.minP > 0
        guard filters else { return drawFromAll(logits) }
        candidates.removeAll(keepingCapacity: true)
        var active: Range<Int>
        var sortedDescending = false
        let topK = parameters.topK
        if topK > 0, topK < logits.count {
            CandidateSelection.keepTopK(topK, of: logits, into: &candidates)
            sortedDescending = true
        } else {
            for index in 0..<logits.count { candidates.append(SamplingCandidate(id: Int32(index), logit: logits[index], weight: 0)) }
        }
        active = 0..<candidates.count

        // Weights relative to the most likely candidate, at temperature 1.
        let maximum = candidates.withUnsafeBufferPointer { CandidateSelection.maximumLogit($0[active]) }
        var totalWeight: Double = 0
        for index in active {
            let weight = exp(candidates[index].logit - maximum)
            candidates[index].weight = weight
            totalWeight += Double(weight)
        }

        candidates.withUnsafeMutableBufferPointer { buffer in
            if parameters.minP > 0 {
                active = CandidateSelection.keepAtLeast(parameters.minP, in: buffer, active)
            }
            if parameters.topP < 1 {
                active = CandidateSelection.keepNucleus(
                    mass: Double(parameters.topP) * totalWeight, in: buffer, active, sortedDescending: sortedDescending)
            }
        }

        // Temperature applies to the survivors only.
        let inverseTemperature = 1 / parameters.temperature
        var sum: Double = 0
        for index in active {
            let weight = parameters.temperature == 1
                ? candidates[index].weight
                : exp((candidates[index].logit - maximum) * inverseTemperature)
            candidates[index].weight = weight
            sum += Double(weight)
        }
        let target = generator.nextUnitInterval() * sum
        var cumulative: Double = 0
        for index in active {
            cumulative += Double(candidates[index].weight)
            if cumulative > target { return candidates[index].id }
        }
        return candidates[active.upperBound - 1].id
    }

    /// Draws from softmax(logits / temperature) over the whole vocabulary, in two passes.
    private mutating func drawFromAll(_ logits: UnsafeMutableBufferPointer<Float>) -> Int32 {
        var maximum = -Float.infinity
        for value in logits where value > maximum { maximum = value }
        let inverseTemperature = 1 / parameters.temperature
        for index in 0..<logits.count { weights[index] = (logits[index] - maximum) * inverseTemperature }
        weights.withUnsafeMutableBufferPointer { VectorExp.exp(UnsafeBufferPointer($0), into: $0) }
        var sum: Double = 0
        for weight in weights { sum += Double(weight) }
        let target = generator.nextUnitInterval() * sum
        var cumulative: Double = 0
        for index in 0..<logits.count {
            cumulative += Double(weights[index])
            if cumulative > target { return Int32(index) }
        }
        return Self.argmax(logits)
    }
}

/// A token still in the running, with its logit and its current (unnormalized) weight.
struct SamplingCandidate: Sendable {
    var id: Int32
    var logit: Float
    var weight: Float

    /// Whether `self` is more likely than `other`; the lower id wins ties.
    @inline(__always)
    func ranksAbove(_ other: SamplingCandidate) -> Bool {
        logit != other.logit ? logit > other.logit : id < other.id
    }
}

/// The most recent tokens, in a fixed-size ring.
struct RecentTokens: Sendable {
    private var storage: [Int32]
    private var next = 0
    private(set) var count = 0

    init(capacity: Int) {
        storage = [Int32](repeating: 0, count: capacity)
    }

    var isEmpty: Bool { count == 0 }

    mutating func append(_ token: Int32) {
        guard !storage.isEmpty else { return }
        storage[next] = token
        next = (next + 1) % storage.count
        count = min(count + 1, storage.count)
    }

    func forEach(_ body: (Int32) -> Void) {
        for offset in 0..<count { body(storage[(next - 1 - offset + storage.count) % storage.count]) }
    }
}
