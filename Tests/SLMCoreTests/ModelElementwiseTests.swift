import Testing
@testable import SLMCore

// The element-wise kernels of the forward pass against their scalar definitions, on counts on and
// off the 16- and 8-float steps, for every implementation this CPU runs (AVX-512, AVX2, scalar).

@Suite struct ModelElementwiseTests {
    static let counts = [1, 7, 16, 33, 576, 1537]

    /// Largest |a[i] − b[i]| relative to the largest |b[i]| (at least 1).
    static func relativeError(_ a: [Float], _ b: [Float]) -> Float {
        let scale = max(1, b.map(abs).max() ?? 0)
        return zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) } / scale
    }

    static let kernels = TransformerOps.Kernels.supported

    @Test(arguments: kernels, counts)
    func rmsNormAgreesWithTheReference(kernels: TransformerOps.Kernels, count: Int) {
        var rng = SeededGenerator(seed: UInt64(count))
        let x = randomActivations(count, using: &rng), weight = randomActivations(count, using: &rng)
        var fast = [Float](repeating: .nan, count: count), reference = fast
        TransformerOps.rmsNorm(&fast, x, weight, count: count, epsilon: 1e-5, kernels: kernels)
        TransformerOps.rmsNormReference(&reference, x, weight, count: count, epsilon: 1e-5)
        #expect(Self.relativeError(fast, reference) <= 1e-5)
    }

    @Test(arguments: kernels, counts)
    func addRMSNormAddsThenNorms(kernels: TransformerOps.Kernels, count: Int) {
        var rng = SeededGenerator(seed: UInt64(count + 100))
        let x = randomActivations(count, using: &rng), y = randomActivations(count, using: &rng)
        let weight = randomActivations(count, using: &rng)
        var fastX = x, fastOut = [Float](repeating: .nan, count: count)
        TransformerOps.addRMSNorm(&fastX, y, &fastOut, weight, count: count, epsilon: 1e-5, kernels: kernels)
        var referenceX = x, referenceOut = fastOut
        TransformerOps.addReference(&referenceX, y, count: count)
        TransformerOps.rmsNormReference(&referenceOut, referenceX, weight, count: count, epsilon: 1e-5)
        #expect(fastX == referenceX)
        #expect(Self.relativeError(fastOut, referenceOut) <= 1e-5)
    }

    @Test(arguments: kernels, counts)
    func swiGLUAgreesWithTheReference(kernels: TransformerOps.Kernels, count: Int) {
        var rng = SeededGenerator(seed: UInt64(count + 300))
        // Gates from far negative to far positive, where e^-g under- and overflows.
        var gate = randomActivations(count, using: &rng).map { $0 * 5 }
        gate[0] = -120
        if count > 1 { gate[count - 1] = 95 }
        let up = randomActivations(count, using: &rng)
        var fast = gate, reference = gate
        TransformerOps.swiGLU(&fast, up, count: count, kernels: kernels)
        TransformerOps.swiGLUReference(&reference, up, count: count)
        #expect(fast.allSatisfy { $0.isFinite })
        #expect(Self.relativeError(fast, reference) <= 1e-5)
    }

    /// Shapes (heads, head dimension, rotated dimensions): all of a head, part of it, widths off the steps.
    @Test(arguments: kernels, [(9, 64, 64), (3, 64, 32), (2, 24, 24), (4, 13, 6), (1, 128, 128), (2, 10, 10)])
    func ropeAgreesWithTheReference(kernels: TransformerOps.Kernels, shape: (Int, Int, Int)) {
        let (heads, headDimension, rotated) = shape
        var rng = SeededGenerator(seed: UInt64(heads * 1000 + headDimension))
        let x = randomActivations(heads * headDimension, using: &rng)
        var cos = [Float](repeating: 0, count: rotated), sin = cos
        TransformerOps.ropeTables(position: 37, base: 10000, dimensions: rotated, cos: &cos, sin: &sin)
        var fast = x, reference = x
        TransformerOps.rope(&fast, heads: heads, headDimension: headDimension, rotated: rotated, cos: cos, sin: sin, kernels: kernels)
        TransformerOps.ropeReference(&reference, heads: heads, headDimension: headDimension, rotated: rotated, cos: cos, sin: sin)
        #expect(Self.relativeError(fast, reference) <= 1e-6)
        // Values past the rotated ones are left alone.
        for h in 0..<heads {
            for i in rotated..<headDimension { #expect(fast[h * headDimension + i] == x[h * headDimension + i]) }
        }
    }

    @Test func ropeTurnsEachPairByItsAngle() {
        // Position 1, two dimensions: one pair turned by 1 radian.
        var cos = [Float](repeating: 0, count: 2), sin = cos
        TransformerOps.ropeTables(position: 1, base: 10000, dimensions: 2, cos: &cos, sin: &sin)
        var x: [Float] = [1, 0]
        TransformerOps.ropeReference(&x, heads: 1, headDimension: 2, rotated: 2, cos: cos, sin: sin)
        #expect(abs(x[0] - 0.540_302_3) < 1e-6 && abs(x[1] - 0.841_471) < 1e-6)
    }
}
