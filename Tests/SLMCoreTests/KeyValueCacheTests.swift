import Testing
@testable import SLMCore
#if canImport(SLMKernelsC)
import SLMKernelsC
#endif

@Suite struct KeyValueCacheTests {
    /// (positions asked for, capacity): whole tiles of 16.
    static let capacities: [(Int, Int)] = [(0, 0), (1, 16), (15, 16), (16, 16), (17, 32), (200, 208), (2048, 2048)]

    @Test(arguments: capacities)
    func capacityIsRoundedUpToWholeTiles(positions: Int, capacity: Int) {
        #expect(KeyValueCache.capacity(forPositions: positions) == capacity)
    }

    /// (position, dimension, head dimension, index): lane t % 16 of row d of tile t / 16.
    static let keyIndices: [(Int, Int, Int, Int)] = [
        (0, 0, 64, 0), (1, 0, 64, 1), (15, 0, 64, 15), (0, 1, 64, 16), (16, 0, 64, 1024), (17, 2, 64, 1024 + 33),
        (5, 12, 13, 12 * 16 + 5), (20, 3, 13, 13 * 16 + 3 * 16 + 4),
    ]

    @Test(arguments: keyIndices)
    func keysSitInTransposedTiles(position: Int, dimension: Int, headDimension: Int, index: Int) {
        #expect(KeyValueCache.keyIndex(position: position, dimension: dimension, headDimension: headDimension) == index)
    }

    /// A cache of `layers` layers with 3 heads of `headDimension` over `positions`, in arrays it does not own.
    final class Storage {
        var keys: [UInt16], values: [UInt16]
        let capacity: Int
        init(layers: Int, kvHeads: Int, headDimension: Int, positions: Int) {
            capacity = KeyValueCache.capacity(forPositions: positions)
            let halves = KeyValueCache.bytes(format: .f16, layers: layers, kvHeads: kvHeads, headDimension: headDimension,
                                             capacity: capacity) / 2
            keys = [UInt16](repeating: 0xFFFF, count: halves)
            values = keys
        }
    }

    @Test(arguments: [64, 13])
    func storeMatchesItsReferenceAndTheLayout(headDimension: Int) {
        let layers = 2, kvHeads = 3, positions = 35, width = kvHeads * headDimension
        let fast = Storage(layers: layers, kvHeads: kvHeads, headDimension: headDimension, positions: positions)
        let reference = Storage(layers: layers, kvHeads: kvHeads, headDimension: headDimension, positions: positions)
        var rng = SeededGenerator(seed: UInt64(headDimension))
        let k = randomActivations(layers * positions * width, using: &rng)
        let v = randomActivations(layers * positions * width, using: &rng)
        fast.keys.withUnsafeMutableBufferPointer { fk in
            fast.values.withUnsafeMutableBufferPointer { fv in
                reference.keys.withUnsafeMutableBufferPointer { rk in
                    reference.values.withUnsafeMutableBufferPointer { rv in
                        let a = KeyValueCache(keys: fk.baseAddress!, values: fv.baseAddress!, capacity: fast.capacity,
                                              kvHeads: kvHeads, headDimension: headDimension)
                        let b = KeyValueCache(keys: rk.baseAddress!, values: rv.baseAddress!, capacity: reference.capacity,
                                              kvHeads: kvHeads, headDimension: headDimension)
                        k.withUnsafeBufferPointer { kp in
                            v.withUnsafeBufferPointer { vp in
                                for l in 0..<layers {
                                    for t in 0..<positions {
                                        let at = (l * positions + t) * width
                                        a.store(layer: l, position: t, keys: kp.baseAddress! + at, values: vp.baseAddress! + at)
                                        b.storeReference(layer: l, position: t, keys: kp.baseAddress! + at, values: vp.baseAddress! + at)
                                    }
                                }
                            }
                        }
                        // Every key and value where the layout puts it, rounded to the nearest half.
                        for l in 0..<layers {
                            for h in 0..<kvHeads {
                                let tiles = a.keyTiles(layer: l, kvHead: h), rows = a.valueRows(layer: l, kvHead: h)
                                for t in 0..<positions {
                                    for d in 0..<headDimension {
                                        let at = (l * positions + t) * width + h * headDimension + d
                                        let key = tiles[KeyValueCache.keyIndex(position: t, dimension: d, headDimension: headDimension)]
                                        #expect(key == HalfFloat.bits(k[at]), "key l\(l) h\(h) t\(t) d\(d)")
                                        #expect(rows[t * headDimension + d] == HalfFloat.bits(v[at]), "value l\(l) h\(h) t\(t) d\(d)")
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        #expect(fast.keys == reference.keys)
        #expect(fast.values == reference.values)
        // The slots of positions 35 ..< 48 of the last tile stay untouched.
        #expect(fast.keys.contains(0xFFFF))
    }

    #if canImport(SLMKernelsC)
    @Test func swiftAndCAgreeOnTheTileSize() {
        #expect(KeyValueCache.tilePositions == Int(SLM_KV_TILE_POSITIONS))
    }
    #endif

    #if canImport(SLMKernelsC) && arch(x86_64)
    @Test func theF16CConversionRoundsAsTheSwiftOne() throws {
        try #require(KeyValueCache.usesF16C, "this CPU has no F16C; the fp16 cache uses the Swift conversion")
        var rng = SeededGenerator(seed: 99)
        // Ties, subnormals, the largest half and just past it, infinities, and random magnitudes.
        var inputs: [Float] = [0, -0, 1, -1, 65504, 65519.996, 65520, -65520, 1e-8, 5.9604645e-8, 2.9802322e-8,
                               8.940697e-8, 6.097555e-5, 6.1035156e-5, 1 + 0x1p-11, 1 + 0x1p-11 + 0x1p-23, 1 + 3 * 0x1p-11,
                               .infinity, -.infinity, .greatestFiniteMagnitude, .leastNonzeroMagnitude]
        for _ in 0..<5000 {
            inputs.append(Float(bitPattern: UInt32.random(in: 0x3000_0000...0x4780_0000, using: &rng)) * (Bool.random(using: &rng) ? 1 : -1))
        }
        var halves = [UInt16](repeating: 0, count: inputs.count)
        slm_f32_to_f16_f16c(inputs, &halves, Int64(inputs.count))
        for (x, h) in zip(inputs, halves) { #expect(h == HalfFloat.bits(x), "\(x)") }
    }
    #endif
}
