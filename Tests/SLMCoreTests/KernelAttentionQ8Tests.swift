import Testing
@testable import SLMCore

/// One key/value head of the 8-bit cache holding `length` positions of random keys and values
/// (stored by `storeReference`), with NaN in the scales of every slot past them (the rest of the
/// last tile and one more tile), so a kernel that lets a position it may not see count gives NaN.
final class Q8AttentionCacheHead {
    let length: Int, headDimension: Int
    let keys: UnsafeMutableRawPointer, values: UnsafeMutableRawPointer
    /// The keys and values as floats, `[t][d]`.
    let floatKeys: [Float], floatValues: [Float]

    /// `uniform`: keys and values in −1...1 throughout, without `randomActivations`' outliers of ±20.
    init(length: Int, headDimension: Int, seed: UInt64, uniform: Bool = false) {
        self.length = length
        self.headDimension = headDimension
        let capacity = KeyValueCache.capacity(forPositions: length) + KeyValueCache.tilePositions
        let bytes = KeyValueCache.bytes(format: .q8, layers: 1, kvHeads: 1, headDimension: headDimension, capacity: capacity)
        keys = .allocate(byteCount: bytes, alignment: 64)
        values = .allocate(byteCount: bytes, alignment: 64)
        keys.initializeMemory(as: UInt8.self, repeating: 0x7F, count: bytes)
        values.initializeMemory(as: UInt8.self, repeating: 0x7F, count: bytes)
        var rng = SeededGenerator(seed: seed)
        func draw() -> [Float] {
            uniform ? (0..<(length * headDimension)).map { _ in Float.random(in: -1...1, using: &rng) }
                : randomActivations(length * headDimension, using: &rng)
        }
        floatKeys = draw()
        floatValues = draw()
        let cache = KeyValueCache(format: .q8, keys: keys, values: values, capacity: capacity, kvHeads: 1, headDimension: headDimension)
        floatKeys.withUnsafeBufferPointer { k in
            floatValues.withUnsafeBufferPointer { v in
                for t in 0..<length {
                    cache.storeReference(layer: 0, position: t, keys: k.baseAddress! + t * headDimension,
                                         values: v.baseAddress! + t * headDimension)
                }
            }
        }
        for t in length..<capacity {
            for d in stride(from: 0, to: headDimension, by: KeyValueCache.q8BlockDimensions) {
                let offset = t / 16 * KeyValueCache.q8TileBytes(headDimension: headDimension)
                    + KeyValueCache.q8ScaleOffset(position: t, dimension: d, headDimension: headDimension)
                keys.storeBytes(of: Float.nan, toByteOffset: offset, as: Float.self)
                values.storeBytes(of: Float.nan, toByteOffset: offset, as: Float.self)
            }
        }
    }

    deinit {
        keys.deallocate()
        values.deallocate()
    }

    /// The largest magnitude among the values the kernels may read.
    var largestValue: Float { floatValues.map(abs).max()! }
}

@Suite struct KernelAttentionQ8Tests {
    /// Runs the 8-bit kernel (or its reference) on `shape`; the output rows are as wide as the queries.
    static func attend(_ shape: AttentionRunShape, _ cache: Q8AttentionCacheHead, query: [Float], reference: Bool) -> [Float] {
        var output = [Float](repeating: .nan, count: shape.rows * shape.queryStride)
        var scores = [Float](repeating: 0, count: KeyValueCache.capacity(forPositions: shape.length))
        let scale = 1 / Float(shape.headDimension).squareRoot()
        let run = reference ? AttentionKernel.rowsQ8Reference : AttentionKernel.rowsQ8
        run(query, shape.queryStride, shape.rows, shape.group, shape.firstPosition, cache.keys, cache.values,
            shape.headDimension, scale, &output, shape.queryStride, &scores)
        return output
    }

    static func inputs(_ shape: AttentionRunShape, uniform: Bool = false) -> (query: [Float], cache: Q8AttentionCacheHead) {
        var rng = SeededGenerator(seed: UInt64(shape.rows * 1013 + shape.firstPosition * 37 + shape.headDimension))
        let query = randomActivations(shape.rows * shape.queryStride, using: &rng).map { $0 * (uniform ? 1 : 4) }
        return (query, Q8AttentionCacheHead(length: shape.length, headDimension: shape.headDimension, seed: rng.next(), uniform: uniform))
    }

    /// The shapes of the fp16 kernel's tests: decode rows over lengths around the tiles, runs with
    /// partial tiles, groups of 1 to 5 heads, widths on and off the 16- and 32-float steps.
    @Test(arguments: KernelAttentionRunTests.shapes)
    func kernelAgreesWithTheScalarReference(_ shape: AttentionRunShape) {
        let (query, cache) = Self.inputs(shape)
        let fast = Self.attend(shape, cache, query: query, reference: false)
        let reference = Self.attend(shape, cache, query: query, reference: true)
        var worst: Float = 0
        for r in 0..<shape.rows {
            for i in 0..<(shape.group * shape.headDimension) {
                let a = fast[r * shape.queryStride + i], b = reference[r * shape.queryStride + i]
                #expect(a.isFinite, "row \(r) element \(i) is \(a)")
                worst = max(worst, abs(a - b))
            }
        }
        #expect(worst <= 5e-5 * cache.largestValue, "largest difference \(worst), largest value \(cache.largestValue)")
    }

    /// The per-head kernel (AVX2, the kernel of CPUs without AVX-512) over the lengths and head
    /// widths of the fp16 per-head kernel's tests.
    @Test(arguments: attentionHeadShapes)
    func headKernelAgreesWithTheScalarReference(length: Int, headDimension: Int) {
        let cache = Q8AttentionCacheHead(length: length, headDimension: headDimension, seed: UInt64(length * 29 + headDimension))
        var rng = SeededGenerator(seed: UInt64(length) + 77)
        let query = randomActivations(headDimension, using: &rng).map { $0 * 4 }
        var fast = [Float](repeating: .nan, count: headDimension), reference = fast
        var scores = [Float](repeating: 0, count: KeyValueCache.capacity(forPositions: length))
        let scale = 1 / Float(headDimension).squareRoot()
        AttentionKernel.headQ8(query: query, keyTiles: cache.keys, values: cache.values, length: length,
                               headDimension: headDimension, scale: scale, scores: &scores, output: &fast)
        AttentionKernel.headQ8Reference(query: query, keyTiles: cache.keys, values: cache.values, length: length,
                                        headDimension: headDimension, scale: scale, scores: &scores, output: &reference)
        for i in 0..<headDimension {
            #expect(abs(fast[i] - reference[i]) <= 5e-5 * cache.largestValue, "element \(i): \(fast[i]) vs \(reference[i])")
        }
    }

    /// Against attention over the same keys and values in fp32: the 8-bit cache's error is a
    /// fraction of the values' range (a wrong layout would give unrelated outputs). Keys and values
    /// without outliers: an outlier key of ±20 meeting a query of ±80 makes scores whose
    /// quantization error moves the softmax more than any bound worth stating (the perplexity test
    /// measures the effect on the model's real keys).
    @Test(arguments: [AttentionRunShape(rows: 1, group: 3, firstPosition: 200, headDimension: 64),
                      AttentionRunShape(rows: 20, group: 3, firstPosition: 10, headDimension: 64),
                      AttentionRunShape(rows: 4, group: 2, firstPosition: 40, headDimension: 40)])
    func outputsStayCloseToFloatAttention(_ shape: AttentionRunShape) {
        let (query, cache) = Self.inputs(shape, uniform: true)
        let fast = Self.attend(shape, cache, query: query, reference: false)
        let d = shape.headDimension
        var scores = [Float](repeating: 0, count: shape.length)
        var worst: Float = 0
        for r in 0..<shape.rows {
            for g in 0..<shape.group {
                var exact = [Float](repeating: 0, count: d)
                query.withUnsafeBufferPointer { q in
                    AttentionKernel.headReference(query: q.baseAddress! + r * shape.queryStride + g * d, length: shape.firstPosition + r + 1,
                                                  headDimension: d, scale: 1 / Float(d).squareRoot(), scores: &scores, output: &exact,
                                                  key: { t, i in cache.floatKeys[t * d + i] }, value: { t, i in cache.floatValues[t * d + i] })
                }
                for i in 0..<d { worst = max(worst, abs(fast[r * shape.queryStride + g * d + i] - exact[i])) }
            }
        }
        #expect(worst <= 0.01 * cache.largestValue, "largest difference \(worst), largest value \(cache.largestValue)")
    }
}
