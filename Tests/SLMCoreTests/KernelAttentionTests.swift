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
