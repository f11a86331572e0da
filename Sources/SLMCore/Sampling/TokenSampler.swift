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
    /// Weights of the whole vocabulary (tempered, or relative to the best before the filters).
    private var weights: [Float]
    /// The sum of each block of `LogitPasses.blockSize` weights.
    private var blockSums: [Double]
    /// Ids a filter or the top logprobs narrowed the vocabulary to (see `likelyIds`).
    private var ids: [Int32]

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
        blockSums = draws ? [Double](repeating: 0, count: LogitPasses.blockCount(vocabularySize)) : []
        ids = draws || parameters.topLogprobs > 0 ? [Int32](repeating: 0, count: vocabularySize) : []
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
        let chosen = parameters.temperature == 0 || parameters.topK == 1 ? Self.argmax(logits) : draw(logits, rawMaximum: raw.maximum)
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
            let statistics = LogitPasses.softmaxStatistics(UnsafeBufferPointer(logits))
            maximum = statistics.maximum
            logNormalizer = statistics.maximum + Float(log(statistics.sum))
            // H = -Σ p (l - lse) = log Σ e^(l-max) - Σ e^(l-max)(l-max) / Σ e^(l-max)
            entropy = Float(log(statistics.sum) - statistics.weightedShift / statistics.sum)
        }
    }

    private mutating func collectTopLogprobs(_ logits: UnsafeMutableBufferPointer<Float>, raw: RawDistribution) {
        top.removeAll(keepingCapacity: true)
        let wanted = parameters.topLogprobs
        guard wanted > 0 else { return }
        // Insertion into a short sorted list: best first, lower id first on ties; only over the
        // ids near the maximum when enough of them are.
        let count = likelyIds(logits, maximum: raw.maximum, wanted: wanted)
        for position in 0..<(count ?? logits.count) {
            let index = count == nil ? position : Int(ids[position])
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

    /// Puts in `ids` (in increasing order) the ids whose logit is at least `maximum − margin` for
    /// the smallest margin of 8, 16 or 32 nats that gives `wanted` of them, and returns their
    /// count; nil when even 32 does not (the caller then scans the whole vocabulary). Any `wanted`
    /// best logits are among those ids, ties included.
    private mutating func likelyIds(_ logits: UnsafeMutableBufferPointer<Float>, maximum: Float, wanted: Int) -> Int? {
        guard maximum.isFinite else { return nil }
        return ids.withUnsafeMutableBufferPointer { ids in
            var margin: Float = 8
            while margin <= 32 {
                let count = LogitPasses.indices(of: UnsafeBufferPointer(logits), atLeast: maximum - margin, into: ids)
                if count >= wanted { return count }
                margin *= 2
            }
            return nil
        }
    }

    private mutating func draw(_ logits: UnsafeMutableBufferPointer<Float>, rawMaximum: Float) -> Int32 {
        let filters = parameters.topK > 0 && parameters.topK < logits.count || parameters.topP < 1 || parameters.minP > 0
        // The largest logit after the penalty: the raw one unless the penalty changed some.
        let penalizedMaximum = penalized.isEmpty ? rawMaximum : logits[Argmax.index(of: UnsafeBufferPointer(logits))]
        guard filters else { return drawFromAll(logits, maximum: penalizedMaximum) }
        candidates.removeAll(keepingCapacity: true)
        var active: Range<Int>
        var sortedDescending = false
        let topK = parameters.topK
        let maximum: Float
        var totalWeight: Double = 0
        if topK > 0, topK < logits.count {
            if let count = likelyIds(logits, maximum: rawMaximum, wanted: topK) {
                ids.withUnsafeBufferPointer { CandidateSelection.keepTopK(topK, of: logits, among: UnsafeBufferPointer(rebasing: $0[..<count]), into: &candidates) }
            } else {
                CandidateSelection.keepTopK(topK, of: logits, into: &candidates)
            }
            sortedDescending = true
            // Weights relative to the most likely candidate, at temperature 1.
            maximum = candidates.withUnsafeBufferPointer { CandidateSelection.maximumLogit($0[...]) }
            for index in candidates.indices {
                let weight = exp(candidates[index].logit - maximum)
                candidates[index].weight = weight
                totalWeight += Double(weight)
            }
        } else {
            // The whole vocabulary's weights in one vector pass; only tokens the filters can keep
            // become candidates (see `gatherCandidates`).
            maximum = penalizedMaximum
            guard maximum > -.infinity else { return Self.argmax(logits) }
            totalWeight = gatherCandidates(logits, maximum: maximum)
        }
        active = 0..<candidates.count

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

    /// Fills `candidates`, in id order, with the tokens whose weight (e^(l − max), the best
    /// weighing 1) the min-p and top-p filters can keep, and returns the whole vocabulary's weight.
    ///
    /// With min-p, those of weight ≥ min-p. With top-p alone, those of weight ≥ t for the largest
    /// t in 10⁻⁴, 10⁻⁸ whose tokens already hold the nucleus' mass (the nucleus, taken best first,
    /// is complete before it reaches a weight below t), else every token of weight above 0. The
    /// filters then keep what they would have kept from the whole vocabulary with these weights
    /// (the vector e^x, within 2 ulp of the platform's, which decided before).
    private mutating func gatherCandidates(_ logits: UnsafeMutableBufferPointer<Float>, maximum: Float) -> Double {
        let total = weights.withUnsafeMutableBufferPointer { weights in
            blockSums.withUnsafeMutableBufferPointer { sums in
                LogitPasses.shiftedExp(UnsafeBufferPointer(logits), maximum: maximum, factor: 1, into: weights, blockSums: sums)
            }
        }
        let mass = Double(parameters.topP) * total
        var threshold: Float = parameters.minP > 0 ? parameters.minP : parameters.topP < 1 ? 1e-4 : 0
        while true {
            candidates.removeAll(keepingCapacity: true)
            var kept: Double = 0
            let count = weights.withUnsafeBufferPointer { weights in
                ids.withUnsafeMutableBufferPointer { ids in
                    LogitPasses.indices(of: weights, atLeast: max(threshold, .leastNonzeroMagnitude), into: ids)
                }
            }
            for position in 0..<count {
                let index = Int(ids[position])
                candidates.append(SamplingCandidate(id: Int32(index), logit: logits[index], weight: weights[index]))
                kept += Double(weights[index])
            }
            if parameters.minP > 0 || kept >= mass || threshold == 0 { break }
            threshold = threshold > 1e-8 ? 1e-8 : 0
        }
        return total
    }

    /// Draws from softmax(logits / temperature) over the whole vocabulary: the weights and the sum
    /// of each block in one vector pass, then the block where the draw lands, then the token in it.
    private mutating func drawFromAll(_ logits: UnsafeMutableBufferPointer<Float>, maximum: Float) -> Int32 {
        guard maximum > -.infinity else { return Self.argmax(logits) }
        let inverseTemperature = 1 / parameters.temperature
        let sum = weights.withUnsafeMutableBufferPointer { weights in
            blockSums.withUnsafeMutableBufferPointer { sums in
                LogitPasses.shiftedExp(UnsafeBufferPointer(logits), maximum: maximum, factor: inverseTemperature, into: weights, blockSums: sums)
            }
        }
        let target = generator.nextUnitInterval() * sum
        let blockSize = LogitPasses.blockSize, blocks = LogitPasses.blockCount(logits.count)
        var cumulative: Double = 0, block = 0
        while block < blocks - 1, cumulative + blockSums[block] <= target {
            cumulative += blockSums[block]
            block += 1
        }
        // Within the block (and past it, should rounding have put the draw beyond its sum).
        for index in (block * blockSize)..<logits.count {
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
