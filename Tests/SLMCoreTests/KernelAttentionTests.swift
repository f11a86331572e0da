import Testing
@testable import SLMCore

@Suite struct KernelAttentionTests {
    /// (positions, head dimension, stride): awkward lengths, dimensions off the 8- and 16-float steps.
    static let shapes: [(Int, Int, Int)] = [(1, 64, 192), (7, 64, 192), (129, 64, 192), (33, 24, 40), (5, 13, 13), (300, 72, 216)]

    @Test(arguments: shapes)
    func kernelAgreesWithTheScalarReference(length: Int, headDimension: Int, stride: Int) {
        var rng = SeededGenerator(seed: UInt64(length * 31 + headDimension))
        let query = randomActivations(headDimension, using: &rng)
        let keys = randomActivations(length * stride, using: &rng)
        let values = randomActivations(length * stride, using: &rng)
        var fast = [Float](repeating: .nan, count: headDimension), reference = fast
        var scores = [Float](repeating: 0, count: length)
        let scale = 1 / Float(headDimension).squareRoot()
        AttentionKernel.head(query: query, keys: keys, values: values, stride: stride, length: length,
                             headDimension: headDimension, scale: scale, scores: &scores, output: &fast)
        AttentionKernel.headReference(query: query, keys: keys, values: values, stride: stride, length: length,
                                      headDimension: headDimension, scale: scale, scores: &scores, output: &reference)
        let largest = values.map(abs).max()!
        for i in 0..<headDimension {
            #expect(abs(fast[i] - reference[i]) <= 1e-5 * largest, "element \(i): \(fast[i]) vs \(reference[i])")
        }
    }

    @Test func outputIsTheValueOfTheOnlyPositionThatMatters() {
        // One key aligned with the query and scaled far above the others: the softmax is one-hot.
        let headDimension = 16, length = 9
        let query = [Float](repeating: 1, count: headDimension)
        var keys = [Float](repeating: 0, count: length * headDimension)
        for i in 0..<headDimension { keys[4 * headDimension + i] = 50 }
        let values = (0..<(length * headDimension)).map { Float($0 / headDimension) }
        var out = [Float](repeating: 0, count: headDimension), scores = [Float](repeating: 0, count: length)
        AttentionKernel.head(query: query, keys: keys, values: values, stride: headDimension, length: length,
                             headDimension: headDimension, scale: 1, scores: &scores, output: &out)
        for value in out { #expect(abs(value - 4) < 1e-4) }
    }
}

/// One shape of `AttentionKernel.rows`: a run of `rows` positions from `firstPosition`, `group`
/// query heads per key/value head, keys and values `stride` floats apart.
struct AttentionRunShape: Sendable, CustomTestStringConvertible {
    let rows: Int, group: Int, firstPosition: Int, headDimension: Int, stride: Int
    var queryStride: Int { group * headDimension + 5 }
    var length: Int { firstPosition + rows }
    var testDescription: String { "\(rows) rows × \(group) heads from \(firstPosition), d=\(headDimension)" }
}

@Suite struct KernelAttentionRunTests {
    /// Lengths 1, 7, 17, 33, 513 and more, partial last blocks of 16 keys, head widths on and off
    /// the 16-float step, groups of 1 to 4 heads, and the largest run the kernel takes (255 queries).
    static let shapes: [AttentionRunShape] = [
        .init(rows: 1, group: 3, firstPosition: 0, headDimension: 64, stride: 192),
        .init(rows: 1, group: 3, firstPosition: 6, headDimension: 64, stride: 192),
        .init(rows: 7, group: 3, firstPosition: 0, headDimension: 64, stride: 192),
        .init(rows: 16, group: 3, firstPosition: 1, headDimension: 64, stride: 192),
        .init(rows: 33, group: 3, firstPosition: 480, headDimension: 64, stride: 192),
        .init(rows: 1, group: 1, firstPosition: 512, headDimension: 64, stride: 64),
        .init(rows: 85, group: 3, firstPosition: 0, headDimension: 64, stride: 192),
        .init(rows: 9, group: 1, firstPosition: 5, headDimension: 64, stride: 64),
        .init(rows: 2, group: 4, firstPosition: 30, headDimension: 64, stride: 256),
        .init(rows: 16, group: 1, firstPosition: 32, headDimension: 24, stride: 40),
        .init(rows: 5, group: 2, firstPosition: 3, headDimension: 13, stride: 26),
        .init(rows: 3, group: 3, firstPosition: 100, headDimension: 72, stride: 216),
        .init(rows: 9, group: 4, firstPosition: 20, headDimension: 128, stride: 512),
    ]

    /// Queries, keys and values for `shape`; positions no row may read hold NaN.
    static func inputs(_ shape: AttentionRunShape) -> (query: [Float], keys: [Float], values: [Float]) {
        var rng = SeededGenerator(seed: UInt64(shape.rows * 1009 + shape.firstPosition * 31 + shape.headDimension))
        let query = randomActivations(shape.rows * shape.queryStride, using: &rng).map { $0 * 4 }
        // Keys and values of 16 positions past the last one a row sees: NaN, so a read there shows.
        var keys = randomActivations(shape.length * shape.stride, using: &rng)
        var values = randomActivations(shape.length * shape.stride, using: &rng)
        keys += [Float](repeating: .nan, count: 16 * shape.stride)
        values += [Float](repeating: .nan, count: 16 * shape.stride)
        return (query, keys, values)
    }

    /// Runs the kernel (or its reference) on `shape`; the output rows are as wide as the queries.
    static func attend(_ shape: AttentionRunShape, reference: Bool) -> [Float] {
        let (query, keys, values) = inputs(shape)
        var output = [Float](repeating: .nan, count: shape.rows * shape.queryStride)
        var scores = [Float](repeating: 0, count: shape.length)
        let scale = 1 / Float(shape.headDimension).squareRoot()
        let run = reference ? AttentionKernel.rowsReference : AttentionKernel.rows
        run(query, shape.queryStride, shape.rows, shape.group, shape.firstPosition, keys, values, shape.stride,
            shape.headDimension, scale, &output, shape.queryStride, &scores)
        return output
    }

    @Test(arguments: shapes)
    func kernelAgreesWithTheScalarReference(_ shape: AttentionRunShape) {
        let fast = Self.attend(shape, reference: false), reference = Self.attend(shape, reference: true)
        let (_, _, values) = Self.inputs(shape)
        let largest = values.filter(\.isFinite).map(abs).max()!
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
        let shape = AttentionRunShape(rows: 20, group: 3, firstPosition: 0, headDimension: 64, stride: 192)
        let (query, originalKeys, originalValues) = Self.inputs(shape)
        var keys = originalKeys, values = originalValues
        var before = [Float](repeating: 0, count: shape.rows * shape.queryStride), after = before
        var scores = [Float](repeating: 0, count: shape.length)
        let scale: Float = 0.125
        AttentionKernel.rows(query: query, queryStride: shape.queryStride, rows: shape.rows, group: shape.group, firstPosition: 0,
                             keys: keys, values: values, stride: shape.stride, headDimension: 64, scale: scale,
                             output: &before, outputStride: shape.queryStride, scores: &scores)
        for i in 0..<shape.stride {
            keys[(shape.rows - 1) * shape.stride + i] += 1
            values[(shape.rows - 1) * shape.stride + i] += 1
        }
        AttentionKernel.rows(query: query, queryStride: shape.queryStride, rows: shape.rows, group: shape.group, firstPosition: 0,
                             keys: keys, values: values, stride: shape.stride, headDimension: 64, scale: scale,
                             output: &after, outputStride: shape.queryStride, scores: &scores)
        let width = shape.group * 64
        for r in 0..<(shape.rows - 1) {
            #expect(Array(before[(r * shape.queryStride)..<(r * shape.queryStride + width)])
                    == Array(after[(r * shape.queryStride)..<(r * shape.queryStride + width)]), "row \(r) changed")
        }
        let last = (shape.rows - 1) * shape.queryStride
        #expect(Array(before[last..<(last + width)]) != Array(after[last..<(last + width)]))
    }
}
