#if canImport(SLMKernelsC)
import SLMKernelsC
#endif

/// How a session's key/value cache memory is backed.
public enum KVCacheBacking: Sendable, Equatable {
    /// Ordinary pages, each resident from the first position that writes it: memory follows use.
    case onDemand
    /// Transparent huge pages where the OS grants them (Linux with THP not `never`): fewer TLB
    /// misses when attention reads the cache every step. A 2 MiB page is resident as soon as any
    /// position touches it, and the cache is layer-major, so about the whole cache is resident
    /// from the first token. Suits sessions that live long and fill up, such as a busy server's slots.
    case hugePages
}

/// How a session's key/value cache stores keys and values.
public enum KVCacheFormat: String, Sendable, Equatable, CaseIterable {
    /// IEEE half floats (rounded to nearest even): llama.cpp's default, and the reference.
    case f16
    /// 8-bit integers, one float scale per 32 dimensions of each position's key or value (like
    /// llama.cpp's `q8_0` cache type, whose scales are halves): 56 % of the bytes of `f16` for
    /// 64-wide heads, so attention reads about half as much memory per step and a context takes
    /// half the RAM.
    /// Attention over it has the same kernels as over `f16` (AVX-512, AVX2, scalar reference).
    case q8
}

/// A sequence's keys and values for every layer, in `format`, laid out for the attention kernels.
///
/// Each layer and key/value head owns `headStride` bytes of keys and as many of values,
/// layer-major then head-major, in tiles of 16 positions:
/// - `f16`: keys in transposed tiles `[tile = t / 16][d ..< headDimension][t % 16]` of halves, so a
///   query's scores against a tile are broadcast multiply-adds over 16 lanes; values
///   `[t][headDimension]`, one contiguous row of halves per position;
/// - `q8`: tiles of `q8TileBytes` bytes, keys as int8 `[d][t % 16]` and values as int8
///   `[t % 16][d]`, each followed by float scales `[d / 32][t % 16]` (`slm_attention.h`).
///
/// The cache does not own its memory: `RunState` allocates it once per session.
struct KeyValueCache {
    /// Positions per key tile.
    static let tilePositions = 16
    /// Whether the F16C store runs on this CPU (every CPU with the AVX2 kernels has F16C).
    static let usesF16C: Bool = KernelSet.supportedBackends.contains(.avx2)
    /// Whether the AVX-512 store of the 8-bit cache runs on this CPU (else the portable C one).
    static let usesAVX512Store: Bool = KernelSet.supportedBackends.contains(.avx512VNNI)
    /// Dimensions that share one scale in the 8-bit cache.
    static let q8BlockDimensions = 32

    let format: KVCacheFormat
    /// Keys of every layer and head (see the layouts above).
    let keys: UnsafeMutableRawPointer
    /// Values of every layer and head.
    let values: UnsafeMutableRawPointer
    /// Positions per layer and head, a multiple of `tilePositions`.
    let capacity: Int
    /// Key/value heads per layer.
    let kvHeads: Int
    /// Dimensions per head.
    let headDimension: Int

    init(format: KVCacheFormat, keys: UnsafeMutableRawPointer, values: UnsafeMutableRawPointer, capacity: Int,
         kvHeads: Int, headDimension: Int) {
        precondition(capacity % Self.tilePositions == 0, "capacity \(capacity) is not whole tiles")
        self.format = format
        self.keys = keys
        self.values = values
        self.capacity = capacity
        self.kvHeads = kvHeads
        self.headDimension = headDimension
    }

    /// An fp16 cache over arrays of halves.
    init(keys: UnsafeMutablePointer<UInt16>, values: UnsafeMutablePointer<UInt16>, capacity: Int, kvHeads: Int, headDimension: Int) {
        self.init(format: .f16, keys: UnsafeMutableRawPointer(keys), values: UnsafeMutableRawPointer(values), capacity: capacity,
                  kvHeads: kvHeads, headDimension: headDimension)
    }

    /// Bytes one layer's key/value head takes, in `keys` and in `values` alike.
    var headStride: Int { Self.headBytes(format: format, capacity: capacity, headDimension: headDimension) }

    /// Positions a cache for `positions` holds: rounded up to whole tiles.
    static func capacity(forPositions positions: Int) -> Int {
        (positions + tilePositions - 1) / tilePositions * tilePositions
    }

    /// Bytes of keys (and of values) a cache of `layers` layers and `capacity` positions needs.
    static func bytes(format: KVCacheFormat, layers: Int, kvHeads: Int, headDimension: Int, capacity: Int) -> Int {
        layers * kvHeads * headBytes(format: format, capacity: capacity, headDimension: headDimension)
    }

    /// Bytes of one tile of keys (or of values) of the 8-bit cache: 16 int8 per dimension, then
    /// 16 float scales per block of 32 dimensions.
    static func q8TileBytes(headDimension: Int) -> Int {
        tilePositions * headDimension + tilePositions * 4 * ((headDimension + q8BlockDimensions - 1) / q8BlockDimensions)
    }

    private static func headBytes(format: KVCacheFormat, capacity: Int, headDimension: Int) -> Int {
        switch format {
        case .f16: capacity * headDimension * 2
        case .q8: capacity / tilePositions * q8TileBytes(headDimension: headDimension)
        }
    }

    /// The keys of one layer's key/value head.
    @inline(__always)
    func keyBytes(layer: Int, kvHead: Int) -> UnsafeMutableRawPointer {
        keys + (layer * kvHeads + kvHead) * headStride
    }

    /// The values of one layer's key/value head.
    @inline(__always)
    func valueBytes(layer: Int, kvHead: Int) -> UnsafeMutableRawPointer {
        values + (layer * kvHeads + kvHead) * headStride
    }

    /// The key tiles of one layer's key/value head of an fp16 cache.
    @inline(__always)
    func keyTiles(layer: Int, kvHead: Int) -> UnsafeMutablePointer<UInt16> {
        precondition(format == .f16, "halves of a \(format) cache")
        return keyBytes(layer: layer, kvHead: kvHead).assumingMemoryBound(to: UInt16.self)
    }

    /// The value rows of one layer's key/value head of an fp16 cache.
    @inline(__always)
    func valueRows(layer: Int, kvHead: Int) -> UnsafeMutablePointer<UInt16> {
        precondition(format == .f16, "halves of a \(format) cache")
        return valueBytes(layer: layer, kvHead: kvHead).assumingMemoryBound(to: UInt16.self)
    }

    /// Index of key dimension `d` of position `t` in a head's fp16 key tiles.
    @inline(__always)
    static func keyIndex(position t: Int, dimension d: Int, headDimension: Int) -> Int {
        (t / tilePositions * headDimension + d) * tilePositions + t % tilePositions
    }

    // MARK: Reading the 8-bit cache

    /// Key dimension `d` of position `t` in one head's 8-bit key tiles: its int8 times its block's scale.
    @inline(__always)
    static func q8Key(_ tiles: UnsafeRawPointer, position t: Int, dimension d: Int, headDimension: Int) -> Float {
        let tile = tiles + t / tilePositions * q8TileBytes(headDimension: headDimension), lane = t % tilePositions
        return Float(tile.load(fromByteOffset: d * tilePositions + lane, as: Int8.self))
            * tile.loadUnaligned(fromByteOffset: q8ScaleOffset(position: t, dimension: d, headDimension: headDimension), as: Float.self)
    }

    /// Value dimension `d` of position `t` in one head's 8-bit value tiles.
    @inline(__always)
    static func q8Value(_ tiles: UnsafeRawPointer, position t: Int, dimension d: Int, headDimension: Int) -> Float {
        let tile = tiles + t / tilePositions * q8TileBytes(headDimension: headDimension), lane = t % tilePositions
        return Float(tile.load(fromByteOffset: lane * headDimension + d, as: Int8.self))
            * tile.loadUnaligned(fromByteOffset: q8ScaleOffset(position: t, dimension: d, headDimension: headDimension), as: Float.self)
    }

    /// Byte offset in a tile of the scale of dimension `d` of position `t`.
    @inline(__always)
    static func q8ScaleOffset(position t: Int, dimension d: Int, headDimension: Int) -> Int {
        tilePositions * headDimension + (d / q8BlockDimensions * tilePositions + t % tilePositions) * 4
    }

    // MARK: Storing a position

    /// Stores position `position`'s keys and values of `layer` (`kvHeads · headDimension` floats
    /// each at `keys` and `values`): as halves with F16C on x86-64, as int8 blocks with the C
    /// stores (AVX-512, or portable C), else with `storeReference`.
    @inline(__always)
    func store(layer: Int, position: Int, keys k: UnsafePointer<Float>, values v: UnsafePointer<Float>) {
        precondition(position >= 0 && position < capacity, "position \(position) outside a cache of \(capacity)")
        #if canImport(SLMKernelsC)
        switch format {
        case .f16 where Self.usesF16C:
            slm_kv_store_f16c(k, v, Int64(kvHeads), Int64(headDimension), Int64(position),
                              keyTiles(layer: layer, kvHead: 0), valueRows(layer: layer, kvHead: 0), headStride / 2)
            return
        case .q8:
            let store = Self.usesAVX512Store ? slm_kv_store_q8_avx512 : slm_kv_store_q8
            store(k, v, Int64(kvHeads), Int64(headDimension), Int64(position),
                  keyBytes(layer: layer, kvHead: 0).assumingMemoryBound(to: UInt8.self),
                  valueBytes(layer: layer, kvHead: 0).assumingMemoryBound(to: UInt8.self), headStride)
            return
        default: break
        }
        #endif
        storeReference(layer: layer, position: position, keys: k, values: v)
    }

    /// The scalar definition of `store`.
    func storeReference(layer: Int, position: Int, keys k: UnsafePointer<Float>, values v: UnsafePointer<Float>) {
        switch format {
        case .f16:
            for h in 0..<kvHeads {
                let tiles = keyTiles(layer: layer, kvHead: h), rows = valueRows(layer: layer, kvHead: h)
                for d in 0..<headDimension {
                    tiles[Self.keyIndex(position: position, dimension: d, headDimension: headDimension)] =
                        HalfFloat.bits(k[h * headDimension + d])
                    rows[position * headDimension + d] = HalfFloat.bits(v[h * headDimension + d])
                }
            }
        case .q8:
            let tileBytes = Self.q8TileBytes(headDimension: headDimension)
            let tile = position / Self.tilePositions, lane = position % Self.tilePositions
            for h in 0..<kvHeads {
                let keyTile = keyBytes(layer: layer, kvHead: h) + tile * tileBytes
                let valueTile = valueBytes(layer: layer, kvHead: h) + tile * tileBytes
                for first in stride(from: 0, to: headDimension, by: Self.q8BlockDimensions) {
                    let n = min(Self.q8BlockDimensions, headDimension - first)
                    let scaleOffset = Self.q8ScaleOffset(position: position, dimension: first, headDimension: headDimension)
                    let keyScale = Self.quantize(k + h * headDimension + first, count: n) { i, q in
                        keyTile.storeBytes(of: q, toByteOffset: (first + i) * Self.tilePositions + lane, as: Int8.self)
                    }
                    keyTile.storeBytes(of: keyScale, toByteOffset: scaleOffset, as: Float.self)
                    let valueScale = Self.quantize(v + h * headDimension + first, count: n) { i, q in
                        valueTile.storeBytes(of: q, toByteOffset: lane * headDimension + first + i, as: Int8.self)
                    }
                    valueTile.storeBytes(of: valueScale, toByteOffset: scaleOffset, as: Float.self)
                }
            }
        }
    }

    /// One block of the 8-bit cache: the scale d = max|x| / 127 (returned) and each `x[i] / d`
    /// rounded to nearest even, clamped to ±127 (passed to `put`).
    static func quantize(_ x: UnsafePointer<Float>, count: Int, put: (Int, Int8) -> Void) -> Float {
        var largest: Float = 0
        for i in 0..<count { largest = max(largest, abs(x[i])) }
        let d = largest / 127, inverse: Float = d != 0 ? 1 / d : 0
        for i in 0..<count { put(i, Int8(min(127, max(-127, (x[i] * inverse).rounded(.toNearestOrEven))))) }
        return d
    }
}
