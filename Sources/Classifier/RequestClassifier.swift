import Foundation

/// Classifies a request's prompt (system text + last user turn) into domain, task and difficulty
/// in microseconds: hashed features, one 16-lane integer add per feature, two softmaxes.
///
/// ```swift
/// let classifier = RequestClassifier(model: try LinearClassifierModel(contentsOfFile: "policies/classifier.swcm"))
/// let verdict = classifier.classify(system: nil, user: "What are the symptoms of anemia?")
/// // verdict.domain == "medical", verdict.confidence ≈ 0.9
/// ```
public struct RequestClassifier: Sendable {
    /// The trained weights.
    public let model: LinearClassifierModel
    /// Below this probability a head answers `unknown`.
    public let unknownBelow: Double

    /// Wraps a model; `unknownBelow` overrides the model's own threshold (e.g. from the policy's `classes.unknown_below`).
    public init(model: LinearClassifierModel, unknownBelow: Double? = nil) {
        self.model = model
        self.unknownBelow = unknownBelow ?? model.unknownBelow
    }

    /// Classifies a single prompt text.
    public func classify(_ prompt: String) -> RequestClass { classify(system: nil, user: prompt) }

    /// Classifies the system text and the last user turn together.
    public func classify(system: String?, user: String) -> RequestClass {
        var user = user
        var system = system ?? ""
        return user.withUTF8 { userBytes in
            system.withUTF8 { systemBytes in classify(parts: systemBytes, userBytes) }
        }
    }

    private func classify(parts first: UnsafeBufferPointer<UInt8>, _ second: UnsafeBufferPointer<UInt8>) -> RequestClass {
        var scores = SIMD32<Float>.zero
        var count = 0
        var signals = DifficultyEstimator.Signals(bytes: first.count + second.count)
        model.table.withUnsafeBufferPointer { table in
            if model.chunks == 1 {
                var sink = OneChunkSink(table: table.baseAddress!)
                count = model.extractor.extract(first, into: &sink) + model.extractor.extract(second, into: &sink)
                scores = SIMD32(lowHalf: sink.accumulator + sink.other, highHalf: .zero)
                signals.numbers = sink.numbers; signals.hardWords = sink.hardWords
            } else {
                var sink = TwoChunkSink(table: table.baseAddress!)
                count = model.extractor.extract(first, into: &sink) + model.extractor.extract(second, into: &sink)
                scores = SIMD32(lowHalf: sink.low, highHalf: sink.high)
                signals.numbers = sink.numbers; signals.hardWords = sink.hardWords
            }
        }
        let scale = count > 0 ? 1 / Float(count).squareRoot() : 0
        var logits = SIMD32<Float>.zero
        for column in 0..<model.rowWidth { logits[column] = model.biases[column] + scores[column] * scale }
        let (domainIndex, domainProbability) = Self.best(logits, 0..<model.domains.count)
        let (taskIndex, taskProbability) = Self.best(logits, model.domains.count..<(model.domains.count + model.tasks.count))
        let domain = domainProbability >= unknownBelow ? model.domains[domainIndex] : RequestClass.unknown
        let task = taskProbability >= unknownBelow && !model.tasks.isEmpty ? model.tasks[taskIndex - model.domains.count] : RequestClass.unknown
        let difficulty = DifficultyEstimator.level(signals, domain: domain)
        return RequestClass(domain: domain, task: task, difficulty: difficulty, confidence: domainProbability, taskConfidence: taskProbability)
    }

    /// Index and softmax probability of the largest logit in a range.
    private static func best(_ logits: SIMD32<Float>, _ range: Range<Int>) -> (Int, Double) {
        guard !range.isEmpty else { return (range.lowerBound, 0) }
        var top = range.lowerBound
        for i in range where logits[i] > logits[top] { top = i }
        var sum: Float = 0
        for i in range { sum += (logits[i] - logits[top]).exp() }
        return (top, Double(1 / sum))
    }
}

/// Sums the 16 weights of each feature's row (models with at most 16 classes) and counts difficulty signals.
private struct OneChunkSink: FeatureSink {
    let table: UnsafePointer<SIMD16<Float>>
    var accumulator = SIMD16<Float>.zero
    var numbers = 0
    var hardWords = 0
    init(table: UnsafePointer<SIMD16<Float>>) { self.table = table }
    /// The other half of the sum: features alternate between the two, which halves the chain of dependent adds.
    var other = SIMD16<Float>.zero
    @inline(__always) mutating func add(bucket: Int) {
        let sum = other + table[bucket]
        other = accumulator
        accumulator = sum
    }
    @inline(__always) mutating func endWord(leadingDigit: Bool, hardWord: Bool) {
        if leadingDigit { numbers += 1 } else if hardWord && hardWords < 2 { hardWords += 1 }
    }
}

/// Sums the 32 weights of each feature's row (models with 17 to 32 classes) and counts difficulty signals.
private struct TwoChunkSink: FeatureSink {
    let table: UnsafePointer<SIMD16<Float>>
    var low = SIMD16<Float>.zero
    var high = SIMD16<Float>.zero
    var numbers = 0
    var hardWords = 0
    init(table: UnsafePointer<SIMD16<Float>>) { self.table = table }
    @inline(__always) mutating func add(bucket: Int) {
        low += table[bucket &* 2]
        high += table[bucket &* 2 &+ 1]
    }
    @inline(__always) mutating func endWord(leadingDigit: Bool, hardWord: Bool) {
        if leadingDigit { numbers += 1 } else if hardWord && hardWords < 2 { hardWords += 1 }
    }
}

private extension Float {
    func exp() -> Float { Float(Foundation.exp(Double(self))) }
}
