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

/// A sequence's keys and values for every layer, in fp16 (IEEE half bit patterns, rounded to
/// nearest even), laid out for the attention kernels.
///
/// Each layer and key/value head owns `capacity · headDimension` halves of keys and as many of
/// values (`headStride`), layer-major then head-major:
/// - keys in transposed tiles of 16 positions, `[tile = t / 16][d ..< headDimension][t % 16]`,
///   so a query's scores against a tile are broadcast multiply-adds over 16 lanes;
/// - values `[t][headDimension]`, one contiguous row per position.
///
/// The cache does not own its memory: `RunState` allocates it once per session.
struct KeyValueCache {
    /// Positions per key tile.
    static let tilePositions = 16
    /// Whether the F16C store runs on this CPU (every CPU with the AVX2 kernels has F16C).
    static let usesF16C: Bool = KernelSet.supportedBackends.contains(.avx2)

    /// Key tiles `[layer][kv head][tile][d][t % 16]`.
    let keys: UnsafeMutablePointer<UInt16>
    /// Values `[layer][kv head][t][d]`.
    let values: UnsafeMutablePointer<UInt16>
    /// Positions per layer and head, a multiple of `tilePositions`.
    let capacity: Int
    /// Key/value heads per layer.
    let kvHeads: Int
    /// Dimensions per head.
    let headDimension: Int

    /// Halves one layer's key/value head takes, in `keys` and in `values` alike.
    var headStride: Int { capacity * headDimension }

    /// Positions a cache for `positions` holds: rounded up to whole tiles.
    static func capacity(forPositions positions: Int) -> Int {
        (positions + tilePositions - 1) / tilePositions * tilePositions
    }

    /// Halves of keys (and of values) a cache of `layers` layers and `capacity` positions needs.
    static func halves(layers: Int, kvHeads: Int, headDimension: Int, capacity: Int) -> Int {
        layers * kvHeads * capacity * headDimension
    }

    /// The key tiles of one layer's key/value head.
    @inline(__always)
    func keyTiles(layer: Int, kvHead: Int) -> UnsafeMutablePointer<UInt16> {
        keys + (layer * kvHeads + kvHead) * headStride
    }

    /// The value rows of one layer's key/value head.
    @inline(__always)
    func valueRows(layer: Int, kvHead: Int) -> UnsafeMutablePointer<UInt16> {
        values + (layer * kvHeads + kvHead) * headStride
    }

    /// Index of key dimension `d` of position `t` in a head's key tiles.
    @inline(__always)
    static func keyIndex(position t: Int, dimension d: Int, headDimension: Int) -> Int {
        (t / tilePositions * headDimension + d) * tilePositions + t % tilePositions
    }

    // MARK: Storing a position

    /// Stores position `position`'s keys and values of `layer` (`kvHeads · headDimension` floats
    /// each at `keys` and `values`) as halves: with F16C on x86-64, else `storeReference`.
    @inline(__always)
    func store(layer: Int, position: Int, keys k: UnsafePointer<Float>, values v: UnsafePointer<Float>) {
        precondition(position >= 0 && position < capacity, "position \(position) outside a cache of \(capacity)")
        #if canImport(SLMKernelsC)
        if Self.usesF16C {
            slm_kv_store_f16c(k, v, Int64(kvHeads), Int64(headDimension), Int64(position),
                              keyTiles(layer: layer, kvHead: 0), valueRows(layer: layer, kvHead: 0), headStride)
            return
        }
        #endif
        storeReference(layer: layer, position: position, keys: k, values: v)
    }

    /// The scalar definition of `store`.
    func storeReference(layer: Int, position: Int, keys k: UnsafePointer<Float>, values v: UnsafePointer<Float>) {
        for h in 0..<kvHeads {
            let tiles = keyTiles(layer: layer, kvHead: h), rows = valueRows(layer: layer, kvHead: h)
            for d in 0..<headDimension {
                tiles[Self.keyIndex(position: position, dimension: d, headDimension: headDimension)] =
                    HalfFloat.bits(k[h * headDimension + d])
                rows[position * headDimension + d] = HalfFloat.bits(v[h * headDimension + d])
            }
        }
    }
}
