#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
#if canImport(SLMKernelsC)
import SLMKernelsC
#endif

/// Causal attention over one key/value head of the KV cache: `out = Σ_t softmax_t(q·k[t] · scale) · v[t]`.
///
/// Keys come in transposed tiles of 16 positions (`keyTiles[(t / 16)·d_head·16 + d·16 + t % 16]`),
/// values in rows (`values[t·d_head + d]`), both IEEE half bit patterns (see `KeyValueCache`).
/// `rows` takes the query heads that share the key/value head over a run of consecutive positions
/// of one sequence (a prefill tile, or one decode row). On x86-64 with AVX-512 a C kernel runs it
/// flash-attention style (each tile of keys and values read once for all the queries, running
/// maximum and sum, vectorized e^x, scores from broadcast multiply-adds on the transposed keys);
/// with AVX2 only, the per-head C kernel runs once per query; elsewhere the scalar reference. The
/// 8-bit cache (`rowsQ8`, `headQ8`) has the same three.
/// `headReference` and `rowsReference` are the definitions the tests hold the kernels to.
public enum AttentionKernel {
    /// Whether the per-head C kernel (AVX2 + FMA + F16C) runs on this CPU.
    public static let usesCKernel: Bool = KernelSet.supportedBackends.contains(.avx2)
    /// Whether the run kernel (AVX-512) runs on this CPU.
    public static let usesRunKernel: Bool = KernelSet.supportedBackends.contains(.avx512VNNI)
    /// Queries (`rows · group`) one `rows` call takes at most.
    public static let maxQueries = 256
    /// Widest head the run kernel takes; wider heads run the per-head kernels.
    public static let maxRunHeadDimension = 256

    // MARK: Runs of positions

    /// Causal attention of `group` query heads sharing one key/value head for `rows` consecutive
    /// positions `firstPosition...` of one sequence.
    ///
    /// Query head g of row r is at `query + r·queryStride + g·headDimension`, its output at
    /// `output + r·outputStride + g·headDimension`; row r attends to positions `0...firstPosition + r`
    /// of `keyTiles` and `values`. `scores` is scratch for `firstPosition + rows` floats rounded up
    /// to 16 (unused by the AVX-512 kernel).
    @inline(__always)
    public static func rows(
        query: UnsafePointer<Float>, queryStride: Int, rows: Int, group: Int, firstPosition: Int,
        keyTiles: UnsafePointer<UInt16>, values: UnsafePointer<UInt16>, headDimension: Int, scale: Float,
        output: UnsafeMutablePointer<Float>, outputStride: Int, scores: UnsafeMutablePointer<Float>
    ) {
        precondition(rows >= 1 && group >= 1 && rows * group <= maxQueries, "\(rows) rows of \(group) heads exceed \(maxQueries) queries")
        #if canImport(SLMKernelsC)
        if usesRunKernel && headDimension <= maxRunHeadDimension {
            slm_attention_rows_f16_avx512(query, queryStride, Int64(rows), Int64(group), Int64(firstPosition), keyTiles, values,
                                          Int64(headDimension), scale, output, outputStride)
            return
        }
        #endif
        for r in 0..<rows {
            for g in 0..<group {
                head(query: query + r * queryStride + g * headDimension, keyTiles: keyTiles, values: values,
                     length: firstPosition + r + 1, headDimension: headDimension, scale: scale, scores: scores,
                     output: output + r * outputStride + g * headDimension)
            }
        }
    }

    /// The scalar definition of `rows`: `headReference` for every query head of every row.
    public static func rowsReference(
        query: UnsafePointer<Float>, queryStride: Int, rows: Int, group: Int, firstPosition: Int,
        keyTiles: UnsafePointer<UInt16>, values: UnsafePointer<UInt16>, headDimension: Int, scale: Float,
        output: UnsafeMutablePointer<Float>, outputStride: Int, scores: UnsafeMutablePointer<Float>
    ) {
        for r in 0..<rows {
            for g in 0..<group {
                headReference(query: query + r * queryStride + g * headDimension, keyTiles: keyTiles, values: values,
                              length: firstPosition + r + 1, headDimension: headDimension, scale: scale, scores: scores,
                              output: output + r * outputStride + g * headDimension)
            }
        }
    }

    // MARK: The 8-bit cache

    /// `rows` over one key/value head of the 8-bit cache (`KVCacheFormat.q8`; tiles as
    /// `KeyValueCache` lays them out): the AVX-512 kernel where it runs, else `headQ8` per query.
    @inline(__always)
    public static func rowsQ8(
        query: UnsafePointer<Float>, queryStride: Int, rows: Int, group: Int, firstPosition: Int,
        keyTiles: UnsafeRawPointer, values: UnsafeRawPointer, headDimension: Int, scale: Float,
        output: UnsafeMutablePointer<Float>, outputStride: Int, scores: UnsafeMutablePointer<Float>
    ) {
        precondition(rows >= 1 && group >= 1 && rows * group <= maxQueries, "\(rows) rows of \(group) heads exceed \(maxQueries) queries")
        #if canImport(SLMKernelsC)
        if usesRunKernel && headDimension <= maxRunHeadDimension {
            slm_attention_rows_q8_avx512(query, queryStride, Int64(rows), Int64(group), Int64(firstPosition),
                                         keyTiles.assumingMemoryBound(to: UInt8.self), values.assumingMemoryBound(to: UInt8.self),
                                         Int64(headDimension), scale, output, outputStride)
            return
        }
        #endif
        for r in 0..<rows {
            for g in 0..<group {
                headQ8(query: query + r * queryStride + g * headDimension, keyTiles: keyTiles, values: values,
                       length: firstPosition + r + 1, headDimension: headDimension, scale: scale, scores: scores,
                       output: output + r * outputStride + g * headDimension)
            }
        }
    }

    /// The scalar definition of `rowsQ8`: `headQ8Reference` for every query head of every row.
    public static func rowsQ8Reference(
        query: UnsafePointer<Float>, queryStride: Int, rows: Int, group: Int, firstPosition: Int,
        keyTiles: UnsafeRawPointer, values: UnsafeRawPointer, headDimension: Int, scale: Float,
        output: UnsafeMutablePointer<Float>, outputStride: Int, scores: UnsafeMutablePointer<Float>
    ) {
        for r in 0..<rows {
            for g in 0..<group {
                headQ8Reference(query: query + r * queryStride + g * headDimension, keyTiles: keyTiles, values: values,
                                length: firstPosition + r + 1, headDimension: headDimension, scale: scale, scores: scores,
                                output: output + r * outputStride + g * headDimension)
            }
        }
    }

    /// One query head over positions `0..<length` of the 8-bit cache: the AVX2 C kernel where it
    /// runs, else `headQ8Reference`; `scores` is scratch for `length` floats rounded up to 16.
    @inline(__always)
    public static func headQ8(
        query: UnsafePointer<Float>, keyTiles: UnsafeRawPointer, values: UnsafeRawPointer,
        length: Int, headDimension: Int, scale: Float,
        scores: UnsafeMutablePointer<Float>, output: UnsafeMutablePointer<Float>
    ) {
        #if canImport(SLMKernelsC)
        if usesCKernel {
            slm_attention_head_q8_avx2(query, keyTiles.assumingMemoryBound(to: UInt8.self), values.assumingMemoryBound(to: UInt8.self),
                                       Int64(length), Int64(headDimension), scale, scores, output)
            return
        }
        #endif
        headQ8Reference(query: query, keyTiles: keyTiles, values: values, length: length, headDimension: headDimension,
                        scale: scale, scores: scores, output: output)
    }

    /// The scalar definition of `headQ8`: `headReference`'s arithmetic on the dequantized keys and
    /// values (each int8 times its block's scale).
    public static func headQ8Reference(
        query: UnsafePointer<Float>, keyTiles: UnsafeRawPointer, values: UnsafeRawPointer,
        length: Int, headDimension: Int, scale: Float,
        scores: UnsafeMutablePointer<Float>, output: UnsafeMutablePointer<Float>
    ) {
        headReference(query: query, length: length, headDimension: headDimension, scale: scale, scores: scores, output: output,
                      key: { t, d in KeyValueCache.q8Key(keyTiles, position: t, dimension: d, headDimension: headDimension) },
                      value: { t, d in KeyValueCache.q8Value(values, position: t, dimension: d, headDimension: headDimension) })
    }

    // MARK: One head

    /// One query head over positions `0..<length`; `scores` is scratch for `length` floats rounded up to 16.
    @inline(__always)
    public static func head(
        query: UnsafePointer<Float>, keyTiles: UnsafePointer<UInt16>, values: UnsafePointer<UInt16>,
        length: Int, headDimension: Int, scale: Float,
        scores: UnsafeMutablePointer<Float>, output: UnsafeMutablePointer<Float>
    ) {
        #if canImport(SLMKernelsC)
        if usesCKernel {
            slm_attention_head_f16_avx2(query, keyTiles, values, Int64(length), Int64(headDimension), scale, scores, output)
            return
        }
        #endif
        headReference(query: query, keyTiles: keyTiles, values: values, length: length,
                      headDimension: headDimension, scale: scale, scores: scores, output: output)
    }

    /// The scalar definition of `head`.
    public static func headReference(
        query: UnsafePointer<Float>, keyTiles: UnsafePointer<UInt16>, values: UnsafePointer<UInt16>,
        length: Int, headDimension: Int, scale: Float,
        scores: UnsafeMutablePointer<Float>, output: UnsafeMutablePointer<Float>
    ) {
        headReference(query: query, length: length, headDimension: headDimension, scale: scale, scores: scores, output: output,
                      key: { t, d in HalfFloat.float(keyTiles[KeyValueCache.keyIndex(position: t, dimension: d, headDimension: headDimension)]) },
                      value: { t, d in HalfFloat.float(values[t * headDimension + d]) })
    }

    /// One query head over positions `0..<length` of a cache read through `key(t, d)` and `value(t, d)`.
    @inline(__always)
    static func headReference(
        query: UnsafePointer<Float>, length: Int, headDimension: Int, scale: Float,
        scores: UnsafeMutablePointer<Float>, output: UnsafeMutablePointer<Float>,
        key: (Int, Int) -> Float, value: (Int, Int) -> Float
    ) {
        var maximum = -Float.infinity
        for t in 0..<length {
            var dot: Float = 0
            for d in 0..<headDimension { dot += query[d] * key(t, d) }
            scores[t] = dot * scale
            maximum = max(maximum, scores[t])
        }
        var sum: Float = 0
        for t in 0..<length {
            scores[t] = expf(scores[t] - maximum)
            sum += scores[t]
        }
        for d in 0..<headDimension {
            var acc: Float = 0
            for t in 0..<length { acc += scores[t] * value(t, d) }
            output[d] = acc / sum
        }
    }
}
