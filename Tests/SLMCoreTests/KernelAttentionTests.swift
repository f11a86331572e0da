import Testing
@testable import SLMCore

/// One key/value head of the fp16 cache holding `length` positions of random keys and values,
/// with NaN in every slot past them (the rest of the last tile and one more tile), so a kernel
/// that reads a position it may not see gives NaN.
struct AttentionCacheHead {
    let length: Int, headDimension: Int
    var keyTiles: [UInt16], values: [UInt16]

    init(length: Int, headDimension: Int, seed: UInt64) {
        self.length = length
        self.headDimension = headDimension
        let capacity = KeyValueCache.capacity(forPositions: length) + KeyValueCache.tilePositions
        let nan = HalfFloat.bits(.nan)
        keyTiles = [UInt16](repeating: nan, count: capacity * headDimension)
        values = keyTiles
        var rng = SeededGenerator(seed: seed)
        let keys = randomActivations(length * headDimension, using: &rng)
        let rows = randomActivations(length * headDimension, using: &rng)
        for t in 0..<length {
            for d in 0..<headDimension {
                keyTiles[KeyValueCache.keyIndex(position: t, dimension: d, headDimension: headDimension)] =
                    HalfFloat.bits(keys[t * headDimension + d])
                values[t * headDimension + d] = HalfFloat.bits(rows[t * headDimension + d])
            }
        }
    }

    /// The largest magnitude among the values the kernels may read.
    var largestValue: Float {
        values[0..<(length * headDimension)].map { abs(HalfFloat.float($0)) }.max()!
    }

    /// `values[t·headDimension + d] = value` and its key likewise.
    mutating func set(position t: Int, key: Float, value: Float) {
        for d in 0..<headDimension {
            keyTiles[KeyValueCache.keyIndex(position: t, dimension: d, headDimension: headDimension)] = HalfFloat.bits(key)
            values[t * headDimension + d] = HalfFloat.bits(value)
        }
    }
}

/// (positions, head dimension) pairs: lengths on and around the 16-position tiles, head widths on and off the 16-float step.
let attentionHeadShapes: [(Int, Int)] = [1, 7, 15, 16, 17, 33, 513].flatMap { [($0, 64), ($0, 24)] } + [(5, 13), (129, 72)]

@Suite struct KernelAttentionTests {
    @Test(arguments: attentionHeadShapes)
    func headKernelAgreesWithTheScalarReference(length: Int, headDimension: Int) {
        let cache = AttentionCacheHead(length: length, headDimension: headDimension, seed: UInt64(length * 31 + headDimension))
        var rng = SeededGenerator(seed: UInt64(length))
        let query = randomActivations(headDimension, using: &rng)
        var fast = [Float](repeating: .nan, count: headDimension), reference = fast
        var scores = [Float](repeating: 0, count: KeyValueCache.capacity(forPositions: length))
        let scale = 1 / Float(headDimension).squareRoot()
        AttentionKernel.head(query: query, keyTiles: cache.keyTiles, values: cache.values, length: length,
                             headDimension: headDimension, scale: scale, scores: &scores, output: &fast)
        AttentionKernel.headReference(query: query, keyTiles: cache.keyTiles, values: cache.values, length: length,
                                      headDimension: headDimension, scale: scale, scores: &scores, output: &reference)
        let largest = cache.largestValue
        for i in 0..<headDimension {
            #expect(abs(fast[i] - reference[i]) <= 1e-5 * largest, "element \(i): \(fast[i]) vs \(reference[i])")
        }
    }

    @Test(arguments: [false, true])
    func outputIsTheValueOfTheOnlyPositionThatMatters(throughRuns: Bool) {
        // One key aligned with the query and scaled far above the others: the softmax is one-hot.
        let headDimension = 16, length = 19
        var cache = AttentionCacheHead(length: length, headDimension: headDimension, seed: 7)
        for t in 0..<length { cache.set(position: t, key: 0, value: Float(t)) }
        cache.set(position: 4, key: 50, value: 4)
        let query = [Float](repeating: 1, count: headDimension)
        var out = [Float](repeating: .nan, count: headDimension)
        var scores = [Float](repeating: 0, count: 32)
        if throughRuns {
            AttentionKernel.rows(query: query, queryStride: headDimension, rows: 1, group: 1, firstPosition: length - 1,
                                 keyTiles: cache.keyTiles, values: cache.values, headDimension: headDimension, scale: 1,
                                 output: &out, outputStride: headDimension, scores: &scores)
        } else {
            AttentionKernel.head(query: query, keyTiles: cache.keyTiles, values: cache.values, length: length,
                                 headDimension: headDimension, scale: 1, scores: &scores, output: &out)
        }
        for value in out { #expect(abs(value - 4) < 1e-4) }
    }
}

/// One shape of `AttentionKernel.rows`: a run of `rows` positions from `firstPosition`, `group`
/// query heads per key/value head.
struct AttentionRunShape: Sendable, CustomTestStringConvertible {
    let rows: Int, group: Int, firstPosition: Int, headDimension: Int
    var queryStride: Int { group * headDimension + 5 }
    var length: Int { firstPosition + rows }
    var testDescription: String { "\(rows) rows × \(group) heads from \(firstPosition), d=\(headDimension)" }
}

@Suite struct KernelAttentionRunTests {
    /// Decode rows (one position) over lengths 1, 7, 15, 16, 17, 33, 513 for groups 1 and 3 and
    /// head widths 64 and 24; runs of many positions with partial last tiles, groups of 1 to 5
    /// heads, widths on and off the 16-float step, and the largest run the kernel takes (255 queries).
    static let shapes: [AttentionRunShape] = [1, 7, 15, 16, 17, 33, 513].flatMap { length in
        [1, 3].flatMap { group in
            [64, 24].map { AttentionRunShape(rows: 1, group: group, firstPosition: length - 1, headDimension: $0) }
        }
    } + [
        .init(rows: 1, group: 4, firstPosition: 40, headDimension: 64),
        .init(rows: 1, group: 5, firstPosition: 40, headDimension: 64),
        .init(rows: 1, group: 2, firstPosition: 20, headDimension: 13),
        .init(rows: 7, group: 3, firstPosition: 0, headDimension: 64),
        .init(rows: 16, group: 3, firstPosition: 1, headDimension: 64),
        .init(rows: 33, group: 3, firstPosition: 480, headDimension: 64),
        .init(rows: 85, group: 3, firstPosition: 0, headDimension: 64),
        .init(rows: 9, group: 1, firstPosition: 5, headDimension: 64),
        .init(rows: 2, group: 4, firstPosition: 30, headDimension: 64),
        .init(rows: 16, group: 1, firstPosition: 32, headDimension: 24),
        .init(rows: 5, group: 2, firstPosition: 3, headDimension: 13),
        .init(rows: 3, group: 3, firstPosition: 100, headDimension: 72),
        .init(rows: 9, group: 4, firstPosition: 20, headDimension: 128),
    ]

    /// Queries and a cache head for `shape`.
    static func inputs(_ shape: AttentionRunShape) -> (query: [Float], cache: AttentionCacheHead) {
        var rng = SeededGenerator(seed: UInt64(shape.rows * 1009 + shape.firstPosition * 31 + shape.headDimension))
        let query = randomActivations(shape.rows * shape.queryStride, using: &rng).map { $0 * 4 }
        let cache = AttentionCacheHead(length: shape.length, headDimension: shape.headDimension, seed: rng.next())
        return (query, cache)
    }

    /// Runs the kernel (or its reference) on `shape`; the output rows are as wide as the queries.
    static func attend(_ shape: AttentionRunShape, reference: Bool) -> [Float] {
        let (query, cache) = inputs(shape)
        var output = [Float](repeating: .nan, count: shape.rows * shape.queryStride)
        var scores = [Float](repeating: 0, count: KeyValueCache.capacity(forPositions: shape.length))
        let scale = 1 / Float(shape.headDimension).squareRoot()
        let run = reference ? AttentionKernel.rowsReference : AttentionKernel.rows
        run(query, shape.queryStride, shape.rows, shape.group, shape.firstPosition, cache.keyTiles, cache.values,
            shape.headDimension, scale, &output, shape.queryStride, &scores)
        return output
    }

    @Test(arguments: shapes)
    func kernelAgreesWithTheScalarReference(_ shape: AttentionRunShape) {
        let fast = Self.attend(shape, reference: false), reference = Self.attend(shape, reference: true)
        let largest = Self.inputs(shape).cache.largestValue
        var worst: Float = 0
        for r in 0..<shape.rows {
            for i in 0..<(shape.group * shape.headDimension) {
                let a = fast[r * shape.queryStride + i], b = reference[r * shape.queryStride + i]
                #expect(a.isFinite, "row \(r) element \(i) is \(a)")
                worst = max(worst, abs(a - b))
            }
        }
        // Outputs are convex combinations of the values. Outlier queries and keys make scores of
        // hundreds, whose last bits depend on the summation order and move the softmax weights.
        #expect(worst <= 5e-5 * largest, "largest difference \(worst), largest value \(largest)")
    }

    @Test func eachRowSeesOnlyItsOwnPrefix() {
        // Row r of a run from position 0 reads positions 0...r: changing the key and value of the
        // last position changes the last row alone.
        let shape = AttentionRunShape(rows: 20, group: 3, firstPosition: 0, headDimension: 64)
        let (query, original) = Self.inputs(shape)
        var cache = original
        var before = [Float](repeating: 0, count: shape.rows * shape.queryStride), after = before
        var scores = [Float](repeating: 0, count: 32)
        func attend(into output: inout [Float]) {
            AttentionKernel.rows(query: query, queryStride: shape.queryStride, rows: shape.rows, group: shape.group,
                                 firstPosition: 0, keyTiles: cache.keyTiles, values: cache.values, headDimension: 64,
                                 scale: 0.125, output: &output, outputStride: shape.queryStride, scores: &scores)
        }
        attend(into: &before)
        cache.set(position: shape.rows - 1, key: 1, value: 1)
        attend(into: &after)
        let width = shape.group * 64
        for r in 0..<(shape.rows - 1) {
            #expect(Array(before[(r * shape.queryStride)..<(r * shape.queryStride + width)])
                    == Array(after[(r * shape.queryStride)..<(r * shape.queryStride + width)]), "row \(r) changed")
        }
        let last = (shape.rows - 1) * shape.queryStride
        #expect(Array(before[last..<(last + width)]) != Array(after[last..<(last + width)]))
    }
}
