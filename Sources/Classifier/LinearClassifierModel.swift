import Foundation

/// A trained classifier: hashed-feature weights for two linear heads (domain and task), stored as
/// 8-bit integers with one scale per class column.
///
/// Each bucket owns one row of `rowWidth` weights (domains first, then tasks, padded with zeros to
/// a multiple of 16), so one feature costs one 16-lane load and add.
public struct LinearClassifierModel: Sendable, Equatable {
    /// Domain labels in column order.
    public let domains: [String]
    /// Task labels in column order (after the domains).
    public let tasks: [String]
    /// How text becomes features.
    public let extractor: FeatureExtractor
    /// Confidence below which ``RequestClassifier`` answers `unknown` unless told otherwise.
    public let unknownBelow: Double
    /// Weights, `1 << bucketBits` rows of `chunks` 16-lane vectors.
    let weights: [SIMD16<Int8>]
    /// Vectors per row (`rowWidth / 16`).
    let chunks: Int
    /// Per column: the weight an `Int8` step is worth.
    let scales: [Float]
    /// Per column bias.
    let biases: [Float]
    /// The weights as floats with the column scales applied, `1 << bucketBits` rows of `chunks` vectors (the hot-path table).
    let table: [SIMD16<Float>]

    /// Columns per row: domains + tasks rounded up to 16.
    var rowWidth: Int { chunks * 16 }

    /// Builds a model from float weights (`1 << bucketBits` rows × `rowWidth` columns), quantizing them to 8 bits.
    init(domains: [String], tasks: [String], extractor: FeatureExtractor, unknownBelow: Double, floatWeights: [Float], biases: [Float]) {
        let classes = domains.count + tasks.count
        let chunks = max(1, (classes + 15) / 16)
        let width = chunks * 16
        let rows = 1 << extractor.bucketBits
        precondition(floatWeights.count == rows * width && biases.count == width, "weight table does not match its labels")
        var scales = [Float](repeating: 1, count: width)
        for column in 0..<width {
            var largest: Float = 0
            for row in 0..<rows { largest = max(largest, abs(floatWeights[row * width + column])) }
            scales[column] = largest > 0 ? largest / 127 : 1
        }
        var weights = [SIMD16<Int8>](repeating: .zero, count: rows * chunks)
        for row in 0..<rows {
            for chunk in 0..<chunks {
                var lanes = SIMD16<Int8>.zero
                for lane in 0..<16 {
                    let column = chunk * 16 + lane
                    lanes[lane] = Int8(clamping: Int((floatWeights[row * width + column] / scales[column]).rounded()))
                }
                weights[row * chunks + chunk] = lanes
            }
        }
        self.init(domains: domains, tasks: tasks, extractor: extractor, unknownBelow: unknownBelow,
                  weights: weights, chunks: chunks, scales: scales, biases: biases)
    }

    /// Builds a model from its stored parts.
    init(domains: [String], tasks: [String], extractor: FeatureExtractor, unknownBelow: Double,
         weights: [SIMD16<Int8>], chunks: Int, scales: [Float], biases: [Float]) {
        self.domains = domains; self.tasks = tasks; self.extractor = extractor; self.unknownBelow = unknownBelow
        self.weights = weights; self.chunks = chunks; self.scales = scales; self.biases = biases
        var table = [SIMD16<Float>](repeating: .zero, count: weights.count)
        for index in weights.indices {
            let chunk = index % chunks
            var lanes = SIMD16<Float>.zero
            for lane in 0..<16 { lanes[lane] = Float(weights[index][lane]) * scales[chunk * 16 + lane] }
            table[index] = lanes
        }
        self.table = table
    }

    /// Models are equal when their labels, settings and stored weights are.
    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.domains == rhs.domains && lhs.tasks == rhs.tasks && lhs.extractor == rhs.extractor && lhs.unknownBelow == rhs.unknownBelow
            && lhs.weights == rhs.weights && lhs.scales == rhs.scales && lhs.biases == rhs.biases
    }
}
