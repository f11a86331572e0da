import Testing
@testable import SLMCore
#if canImport(SLMKernelsC)
import SLMKernelsC
#endif

/// The 8-bit cache (`KVCacheFormat.q8`): every store writes the reference's bytes, and reading a
/// position back gives each key and value within half its block's scale.
@Suite struct KeyValueCacheQ8Tests {
    /// Bytes of one cache's keys (and of its values), and a cache over fresh memory filled with 0xA5.
    final class Memory {
        let keys: UnsafeMutableRawPointer, values: UnsafeMutableRawPointer, bytes: Int
        let cache: KeyValueCache
        init(layers: Int, kvHeads: Int, headDimension: Int, positions: Int) {
            let capacity = KeyValueCache.capacity(forPositions: positions)
            bytes = KeyValueCache.bytes(format: .q8, layers: layers, kvHeads: kvHeads, headDimension: headDimension, capacity: capacity)
            keys = .allocate(byteCount: bytes, alignment: 64)
            values = .allocate(byteCount: bytes, alignment: 64)
            keys.initializeMemory(as: UInt8.self, repeating: 0xA5, count: bytes)
            values.initializeMemory(as: UInt8.self, repeating: 0xA5, count: bytes)
            cache = KeyValueCache(format: .q8, keys: keys, values: values, capacity: capacity, kvHeads: kvHeads, headDimension: headDimension)
        }
        deinit {
            keys.deallocate()
            values.deallocate()
        }
        var keyBytes: [UInt8] { Array(UnsafeRawBufferPointer(start: keys, count: bytes)) }
        var valueBytes: [UInt8] { Array(UnsafeRawBufferPointer(start: values, count: bytes)) }
    }

    @Test func tileBytesAgreeWithC() {
        #expect(KeyValueCache.q8TileBytes(headDimension: 64) == 16 * 64 + 2 * 64)
        #expect(KeyValueCache.q8TileBytes(headDimension: 13) == 16 * 13 + 64)
        #if canImport(SLMKernelsC)
        for d in [1, 13, 32, 33, 64, 72, 128] { #expect(KeyValueCache.q8TileBytes(headDimension: d) == Int(slm_kv_q8_tile_bytes(Int64(d)))) }
        #endif
    }

    /// Head widths of one block, several, and a partial last block.
    @Test(arguments: [64, 13, 40])
    func storesWriteTheReferenceBytesAndRoundTrip(headDimension: Int) {
        let layers = 2, kvHeads = 3, positions = 35, width = kvHeads * headDimension
        var rng = SeededGenerator(seed: UInt64(headDimension) + 500)
        var k = randomActivations(layers * positions * width, using: &rng)
        let v = randomActivations(layers * positions * width, using: &rng)
        // An all-zero position (scale 0) and one of huge magnitudes.
        for i in 0..<width { k[3 * width + i] = 0; k[4 * width + i] = Float(i % 7 - 3) * 1e30 }

        let fast = Memory(layers: layers, kvHeads: kvHeads, headDimension: headDimension, positions: positions)
        let reference = Memory(layers: layers, kvHeads: kvHeads, headDimension: headDimension, positions: positions)
        #if canImport(SLMKernelsC)
        let portable = Memory(layers: layers, kvHeads: kvHeads, headDimension: headDimension, positions: positions)
        #endif
        k.withUnsafeBufferPointer { kp in
            v.withUnsafeBufferPointer { vp in
                for l in 0..<layers {
                    for t in 0..<positions {
                        let at = (l * positions + t) * width
                        fast.cache.store(layer: l, position: t, keys: kp.baseAddress! + at, values: vp.baseAddress! + at)
                        reference.cache.storeReference(layer: l, position: t, keys: kp.baseAddress! + at, values: vp.baseAddress! + at)
                        #if canImport(SLMKernelsC)
                        let c = portable.cache
                        slm_kv_store_q8(kp.baseAddress! + at, vp.baseAddress! + at, Int64(kvHeads), Int64(headDimension), Int64(t),
                                        c.keyBytes(layer: l, kvHead: 0).assumingMemoryBound(to: UInt8.self),
                                        c.valueBytes(layer: l, kvHead: 0).assumingMemoryBound(to: UInt8.self), c.headStride)
                        #endif
                    }
                }
            }
        }
        #expect(fast.keyBytes == reference.keyBytes)
        #expect(fast.valueBytes == reference.valueBytes)
        #if canImport(SLMKernelsC)
        #expect(portable.keyBytes == reference.keyBytes)
        #expect(portable.valueBytes == reference.valueBytes)
        #endif

        // Each key and value read back within half a step of its block's scale.
        let cache = reference.cache
        for l in 0..<layers {
            for h in 0..<kvHeads {
                for t in 0..<positions {
                    for first in stride(from: 0, to: headDimension, by: 32) {
                        let dims = first..<min(headDimension, first + 32)
                        let at = (l * positions + t) * width + h * headDimension
                        let keyStep = dims.map { abs(k[at + $0]) }.max()! / 127, valueStep = dims.map { abs(v[at + $0]) }.max()! / 127
                        for d in dims {
                            let key = KeyValueCache.q8Key(cache.keyBytes(layer: l, kvHead: h), position: t, dimension: d,
                                                          headDimension: headDimension)
                            let value = KeyValueCache.q8Value(cache.valueBytes(layer: l, kvHead: h), position: t, dimension: d,
                                                              headDimension: headDimension)
                            #expect(abs(key - k[at + d]) <= keyStep * 0.5001, "key l\(l) h\(h) t\(t) d\(d): \(key) vs \(k[at + d])")
                            #expect(abs(value - v[at + d]) <= valueStep * 0.5001, "value l\(l) h\(h) t\(t) d\(d)")
                        }
                    }
                }
            }
        }
        // Positions 35 ..< 48 of the last tile stay untouched: their slots keep the fill.
        let lastTile = cache.keyBytes(layer: 1, kvHead: 2) + 2 * KeyValueCache.q8TileBytes(headDimension: headDimension)
        #expect(lastTile.load(fromByteOffset: 15, as: UInt8.self) == 0xA5)
    }

    @Test func sixtyFourWideHeadsTakeAboutHalfTheBytesOfF16() {
        let f16 = KeyValueCache.bytes(format: .f16, layers: 30, kvHeads: 3, headDimension: 64, capacity: 2048)
        let q8 = KeyValueCache.bytes(format: .q8, layers: 30, kvHeads: 3, headDimension: 64, capacity: 2048)
        #expect(q8 * 16 == f16 * 9)  // 1152 bytes a tile against 2048
    }
}
