// Attention kernels over the fp16 and 8-bit key/value caches (layouts in slm_attention.h). SLMCore's
// `AttentionKernel.headReference` and `rowsReference` are the scalar definitions they are tested against.
//
// - `slm_attention_head_f16_avx2` and `_q8_avx2` (AVX2): one query head, two passes over the scores.
// - `slm_attention_rows_f16_avx512` and `_q8_avx512` (AVX-512F): the query heads of one key/value head for one
//   position (decode) or a run of consecutive positions (prefill), flash-attention style: keys
//   and values are read a tile of 16 positions at a time, with a running maximum and sum per query
//   instead of a row of scores, e^x computed 16 lanes at a time, and the scores of a tile coming
//   from broadcast multiply-adds against its transposed keys (no horizontal sums).
#include "SLMKernelsC.h"

#if defined(__x86_64__)
#include <immintrin.h>
#include <math.h>
#include <string.h>

#include "ops_exp_x86.h"

#define T256 __attribute__((target("avx2,fma,f16c")))
#define TILE SLM_KV_TILE_POSITIONS
#define ALWAYS_INLINE __attribute__((always_inline))

/// Tiles ahead of the one being read whose keys and values the decode kernel prefetches (0: none).
#ifndef SLM_ATTENTION_PREFETCH_TILES
#define SLM_ATTENTION_PREFETCH_TILES 2
#endif

// MARK: One head (AVX2)

/// Scales one tile's 16 scores (`lo`, `hi`), stores them at `scores + t0` and returns `maxima`
/// raised by those of positions below `length`: lanes past the end hold scores of positions not
/// yet written (finite or not) and are left out.
T256 static inline __m256 store_tile_scores(__m256 lo, __m256 hi, __m256 scales, float *scores, int64_t t0, int64_t length,
                                            __m256 maxima) {
    lo = _mm256_mul_ps(lo, scales);
    hi = _mm256_mul_ps(hi, scales);
    _mm256_storeu_ps(scores + t0, lo);
    _mm256_storeu_ps(scores + t0 + 8, hi);
    const int64_t count = length - t0 < TILE ? length - t0 : TILE;
    if (count == TILE) return _mm256_max_ps(maxima, _mm256_max_ps(lo, hi));
    for (int64_t t = 0; t < count; t++) maxima = _mm256_max_ps(maxima, _mm256_set1_ps(scores[t0 + t]));
    return maxima;
}

/// `scores[t] = e^(scores[t] − max)` for the `length` scores whose maximum is in `maxima`'s
/// lanes; returns 1 / their sum.
T256 static inline float softmax_in_place(float *scores, int64_t length, __m256 maxima) {
    float lanes[8], maximum = -INFINITY;
    _mm256_storeu_ps(lanes, maxima);
    for (int i = 0; i < 8; i++) maximum = lanes[i] > maximum ? lanes[i] : maximum;
    float sum = 0;
    for (int64_t t = 0; t < length; t++) {
        scores[t] = expf(scores[t] - maximum);
        sum += scores[t];
    }
    return 1.0f / sum;
}

T256 void slm_attention_head_f16_avx2(const float *q, const uint16_t *key_tiles, const uint16_t *values, int64_t length,
                                      int64_t head_dim, float scale, float *scores, float *out) {
    // Scores, 16 positions (two vectors of 8) per tile.
    const __m256 scales = _mm256_set1_ps(scale);
    __m256 maxima = _mm256_set1_ps(-INFINITY);
    for (int64_t t0 = 0; t0 < length; t0 += TILE) {
        const uint16_t *tile = key_tiles + (size_t)(t0 * head_dim);
        __m256 lo = _mm256_setzero_ps(), hi = _mm256_setzero_ps();
        for (int64_t d = 0; d < head_dim; d++) {
            const __m256 qd = _mm256_set1_ps(q[d]);
            const __m128i *row = (const __m128i *)(tile + d * TILE);
            lo = _mm256_fmadd_ps(qd, _mm256_cvtph_ps(_mm_loadu_si128(row)), lo);
            hi = _mm256_fmadd_ps(qd, _mm256_cvtph_ps(_mm_loadu_si128(row + 1)), hi);
        }
        maxima = store_tile_scores(lo, hi, scales, scores, t0, length, maxima);
    }
    const float inverse = softmax_in_place(scores, length, maxima);
    int64_t i = 0;
    for (; i + 8 <= head_dim; i += 8) {
        __m256 acc = _mm256_setzero_ps();
        for (int64_t t = 0; t < length; t++)
            acc = _mm256_fmadd_ps(_mm256_set1_ps(scores[t]),
                                  _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(values + (size_t)(t * head_dim) + i))), acc);
        _mm256_storeu_ps(out + i, _mm256_mul_ps(acc, _mm256_set1_ps(inverse)));
    }
    for (; i < head_dim; i++) {
        float acc = 0;
        for (int64_t t = 0; t < length; t++) acc += scores[t] * _cvtsh_ss(values[(size_t)(t * head_dim) + i]);
        out[i] = acc * inverse;
    }
}

/// `slm_attention_head_f16_avx2` over one key/value head of the 8-bit cache: a score is Σ over
/// 32-dimension blocks of (Σ_d q[d]·key[d]) times the block's key scale; a value row counts with
/// its block's value scale.
T256 void slm_attention_head_q8_avx2(const float *q, const uint8_t *key_tiles, const uint8_t *values, int64_t length,
                                     int64_t head_dim, float scale, float *scores, float *out) {
    const size_t tile_bytes = slm_kv_q8_tile_bytes(head_dim), scale_offset = (size_t)(TILE * head_dim);
    const __m256 scales = _mm256_set1_ps(scale);
    __m256 maxima = _mm256_set1_ps(-INFINITY);
    for (int64_t t0 = 0; t0 < length; t0 += TILE) {
        const int8_t *tile = (const int8_t *)(key_tiles + (size_t)(t0 / TILE) * tile_bytes);
        const float *keyScales = (const float *)((const uint8_t *)tile + scale_offset);
        __m256 lo = _mm256_setzero_ps(), hi = _mm256_setzero_ps();
        for (int64_t first = 0; first < head_dim; first += 32) {
            const int64_t end = first + 32 < head_dim ? first + 32 : head_dim;
            __m256 blockLo = _mm256_setzero_ps(), blockHi = _mm256_setzero_ps();
            for (int64_t d = first; d < end; d++) {
                const __m256 qd = _mm256_set1_ps(q[d]);
                const int8_t *row = tile + d * TILE;
                blockLo = _mm256_fmadd_ps(qd, _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)row))), blockLo);
                blockHi = _mm256_fmadd_ps(qd, _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)(row + 8)))), blockHi);
            }
            const float *blockScales = keyScales + TILE * (first / 32);
            lo = _mm256_fmadd_ps(blockLo, _mm256_loadu_ps(blockScales), lo);
            hi = _mm256_fmadd_ps(blockHi, _mm256_loadu_ps(blockScales + 8), hi);
        }
        maxima = store_tile_scores(lo, hi, scales, scores, t0, length, maxima);
    }
    const float inverse = softmax_in_place(scores, length, maxima);
    // Values: position t is row t % 16 of tile t / 16, its scale for dimension i at [i / 32][t % 16].
    int64_t i = 0;
    for (; i + 8 <= head_dim; i += 8) {
        __m256 acc = _mm256_setzero_ps();
        for (int64_t t = 0; t < length; t++) {
            const uint8_t *tile = values + (size_t)(t / TILE) * tile_bytes;
            const float weight = scores[t] * ((const float *)(tile + scale_offset))[TILE * (i / 32) + t % TILE];
            const int8_t *row = (const int8_t *)tile + (t % TILE) * head_dim + i;
            acc = _mm256_fmadd_ps(_mm256_set1_ps(weight), _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)row))), acc);
        }
        _mm256_storeu_ps(out + i, _mm256_mul_ps(acc, _mm256_set1_ps(inverse)));
    }
    for (; i < head_dim; i++) {
        float acc = 0;
        for (int64_t t = 0; t < length; t++) {
            const uint8_t *tile = values + (size_t)(t / TILE) * tile_bytes;
            const float weight = scores[t] * ((const float *)(tile + scale_offset))[TILE * (i / 32) + t % TILE];
            acc += weight * (float)((const int8_t *)tile)[(t % TILE) * head_dim + i];
        }
        out[i] = acc * inverse;
    }
}

// MARK: Helpers (AVX-512)

/// e^x of one float through the vector e^x: no library call, so no registers spilled around it
/// (0 for x = −∞).
SLM_TARGET_AVX512 static inline float exp1(float x) {
    return x == -INFINITY ? 0.0f : _mm512_cvtss_f32(slm_exp512(_mm512_set1_ps(x)));
}

/// 16 halves at `p` as floats.
SLM_TARGET_AVX512 static inline __m512 load_halves(const uint16_t *p) {
    return _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)p));
}

/// The halves of `p` under `mask` as floats, 0 elsewhere (nothing outside the mask is read).
SLM_TARGET_AVX512 static inline __m512 load_halves_masked(const uint16_t *p, __mmask16 mask) {
    return _mm512_cvtph_ps(_mm256_maskz_loadu_epi16(mask, p));
}

/// Element `c` (of `chunks`, the last one masked by `tail`) of a row of halves.
SLM_TARGET_AVX512 ALWAYS_INLINE static inline __m512 load_chunk(const uint16_t *row, int64_t c, int64_t chunks, __mmask16 tail) {
    return c == chunks - 1 && tail != 0xFFFF ? load_halves_masked(row + 16 * c, tail) : load_halves(row + 16 * c);
}

/// 16 int8 at `p` as floats.
SLM_TARGET_AVX512 static inline __m512 load_bytes(const int8_t *p) {
    return _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i *)p)));
}

/// Element `c` (of `chunks`, the last one masked by `tail`) of a row of int8 (nothing outside the mask is read).
SLM_TARGET_AVX512 ALWAYS_INLINE static inline __m512 load_byte_chunk(const int8_t *row, int64_t c, int64_t chunks, __mmask16 tail) {
    return c == chunks - 1 && tail != 0xFFFF ? _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(tail, row + 16 * c)))
                                             : load_bytes(row + 16 * c);
}

/// Bytes from one tile of keys (or values) to the next: the fp16 cache's 16 rows of halves, or an
/// 8-bit tile (`Q8`).
ALWAYS_INLINE static inline size_t tile_stride(int64_t head_dim, const int Q8) {
    return Q8 ? slm_kv_q8_tile_bytes(head_dim) : (size_t)head_dim * TILE * 2;
}

// MARK: Decode: the queries of one position (AVX-512)

/// Attention of `NQ` (1...4) queries at one position, over positions `0 ..< length`, keeping every
/// query's output, running maximum and sum in registers across tiles. Per tile: the scores of all
/// `NQ` queries from one pass over the transposed keys, one e^x vector per query, and each value
/// row converted once for all of them. The rescaling of earlier tiles by e^(old max − new max)
/// happens only when a query's maximum grows. Inlined with `NQ`, the cache format `Q8` and (for
/// 64-wide heads) `chunks` as constants. In the 8-bit cache a score is Σ over 32-dimension blocks
/// of (Σ_d q[d]·key[d]) · the block's key scale, and a value row's weight is e^score times its
/// block's value scale.
SLM_TARGET_AVX512 ALWAYS_INLINE static inline void
decode_queries(const float *const qp[4], float *const op[4], const int NQ, int64_t length,
               const void *key_tiles, const void *values, int64_t head_dim, float scale,
               const int64_t chunks, const __mmask16 tail, const int Q8) {
    __m512 acc[4][SLM_ATTENTION_MAX_HEAD_DIM / 16], sums[4];
    float maximum[4];
    // e^score per query and position; in the 8-bit cache, per 32-dimension block too.
    float weights[4][SLM_ATTENTION_MAX_HEAD_DIM / 32][16] __attribute__((aligned(64)));
    for (int i = 0; i < NQ; i++) {
        for (int64_t c = 0; c < chunks; c++) acc[i][c] = _mm512_setzero_ps();
        sums[i] = _mm512_setzero_ps();
        maximum[i] = -INFINITY;
    }
    const __m512 scales = _mm512_set1_ps(scale), minusInfinity = _mm512_set1_ps(-INFINITY);
    const size_t stride = tile_stride(head_dim, Q8), scaleOffset = (size_t)(TILE * head_dim);
    const int64_t tiles = (length + TILE - 1) / TILE, blockDims = Q8 ? 32 : head_dim;
    for (int64_t tile = 0; tile < tiles; tile++) {
        const char *kt = (const char *)key_tiles + (size_t)tile * stride, *vt = (const char *)values + (size_t)tile * stride;
        const int64_t count = length - tile * TILE < TILE ? length - tile * TILE : TILE;
        const int prefetch = SLM_ATTENTION_PREFETCH_TILES > 0 && tile + SLM_ATTENTION_PREFETCH_TILES < tiles;
        // Tiles of keys and of values are the same size: one line of each per pair of dimensions
        // (fp16), or per pair while lines remain (8-bit).
        const char *kNext = kt + SLM_ATTENTION_PREFETCH_TILES * stride, *vNext = vt + SLM_ATTENTION_PREFETCH_TILES * stride;

        // Scores: per block, two partial sums per query (even and odd dimensions) so the chains
        // of multiply-adds are 2·NQ long, not NQ.
        __m512 total[4];
        for (int i = 0; i < NQ; i++) total[i] = _mm512_setzero_ps();
        for (int64_t first = 0; first < head_dim; first += blockDims) {
            const int64_t end = first + blockDims < head_dim ? first + blockDims : head_dim;
            __m512 a[4], b[4];
            for (int i = 0; i < NQ; i++) { a[i] = _mm512_setzero_ps(); b[i] = _mm512_setzero_ps(); }
            int64_t d = first;
            for (; d + 1 < end; d += 2) {
                if (prefetch && (size_t)(32 * d) < stride) {
                    _mm_prefetch(kNext + 32 * d, _MM_HINT_T0);
                    _mm_prefetch(vNext + 32 * d, _MM_HINT_T0);
                }
                const __m512 k0 = Q8 ? load_bytes((const int8_t *)kt + TILE * d) : load_halves((const uint16_t *)kt + TILE * d);
                const __m512 k1 = Q8 ? load_bytes((const int8_t *)kt + TILE * (d + 1))
                                     : load_halves((const uint16_t *)kt + TILE * (d + 1));
                for (int i = 0; i < NQ; i++) {
                    a[i] = _mm512_fmadd_ps(_mm512_set1_ps(qp[i][d]), k0, a[i]);
                    b[i] = _mm512_fmadd_ps(_mm512_set1_ps(qp[i][d + 1]), k1, b[i]);
                }
            }
            if (d < end) {
                const __m512 k0 = Q8 ? load_bytes((const int8_t *)kt + TILE * d) : load_halves((const uint16_t *)kt + TILE * d);
                for (int i = 0; i < NQ; i++) a[i] = _mm512_fmadd_ps(_mm512_set1_ps(qp[i][d]), k0, a[i]);
            }
            if (Q8) {
                const __m512 blockScales = _mm512_loadu_ps((const float *)(kt + scaleOffset) + TILE * (first / 32));
                for (int i = 0; i < NQ; i++) total[i] = _mm512_fmadd_ps(_mm512_add_ps(a[i], b[i]), blockScales, total[i]);
            } else {
                for (int i = 0; i < NQ; i++) total[i] = _mm512_add_ps(a[i], b[i]);
            }
        }

        // Online softmax: lanes past `count` (positions not yet written) are left out.
        const __mmask16 live = count == TILE ? 0xFFFF : (__mmask16)((1u << count) - 1);
        for (int i = 0; i < NQ; i++) {
            const __m512 s = _mm512_mask_blend_ps(live, minusInfinity, _mm512_mul_ps(total[i], scales));
            const float tileMax = _mm512_reduce_max_ps(s);
            if (tileMax > maximum[i]) {
                const __m512 correction = _mm512_set1_ps(exp1(maximum[i] - tileMax));  // 0 on the first tile
                maximum[i] = tileMax;
                sums[i] = _mm512_mul_ps(sums[i], correction);
                for (int64_t c = 0; c < chunks; c++) acc[i][c] = _mm512_mul_ps(acc[i][c], correction);
            }
            const __m512 e = _mm512_maskz_mov_ps(live, slm_exp512(_mm512_sub_ps(s, _mm512_set1_ps(maximum[i]))));
            sums[i] = _mm512_add_ps(sums[i], e);
            if (Q8) {
                for (int64_t block = 0; block < (head_dim + 31) / 32; block++)
                    _mm512_store_ps(weights[i][block],
                                    _mm512_mul_ps(e, _mm512_loadu_ps((const float *)(vt + scaleOffset) + TILE * block)));
            } else {
                _mm512_store_ps(weights[i][0], e);
            }
        }

        // Values: each row converted once, then one multiply-add per query.
        for (int64_t t = 0; t < count; t++) {
            for (int64_t c = 0; c < chunks; c++) {
                const __m512 v = Q8 ? load_byte_chunk((const int8_t *)vt + t * head_dim, c, chunks, tail)
                                    : load_chunk((const uint16_t *)vt + t * head_dim, c, chunks, tail);
                for (int i = 0; i < NQ; i++)
                    acc[i][c] = _mm512_fmadd_ps(_mm512_set1_ps(weights[i][Q8 ? c / 2 : 0][t]), v, acc[i][c]);
            }
        }
    }
    for (int i = 0; i < NQ; i++) {
        const __m512 inverse = _mm512_set1_ps(1.0f / _mm512_reduce_add_ps(sums[i]));
        for (int64_t c = 0; c < chunks; c++) {
            const __mmask16 m = c == chunks - 1 ? tail : 0xFFFF;
            _mm512_mask_storeu_ps(op[i] + 16 * c, m, _mm512_mul_ps(acc[i][c], inverse));
        }
    }
}

/// `decode_queries` for `n` (1...4) queries, each count its own instance.
SLM_TARGET_AVX512 ALWAYS_INLINE static inline void
decode_dispatch(const float *const qp[4], float *const op[4], int64_t n, int64_t length, const void *key_tiles,
                const void *values, int64_t head_dim, float scale, const int64_t chunks, const __mmask16 tail, const int Q8) {
    switch (n) {
    case 1: decode_queries(qp, op, 1, length, key_tiles, values, head_dim, scale, chunks, tail, Q8); break;
    case 2: decode_queries(qp, op, 2, length, key_tiles, values, head_dim, scale, chunks, tail, Q8); break;
    case 3: decode_queries(qp, op, 3, length, key_tiles, values, head_dim, scale, chunks, tail, Q8); break;
    default: decode_queries(qp, op, 4, length, key_tiles, values, head_dim, scale, chunks, tail, Q8); break;
    }
}

/// The decode kernels for 64-wide heads (the constant lets the compiler keep everything in
/// registers) and for any head width up to SLM_ATTENTION_MAX_HEAD_DIM, per cache format.
#define DECODE_KERNELS(suffix, Q8)                                                                                  \
    SLM_TARGET_AVX512 __attribute__((noinline)) static void                                                        \
    decode_d64_##suffix(const float *const qp[4], float *const op[4], int64_t n, int64_t length, const void *key_tiles, \
                        const void *values, float scale) {                                                          \
        decode_dispatch(qp, op, n, length, key_tiles, values, 64, scale, 4, 0xFFFF, Q8);                            \
    }                                                                                                               \
    SLM_TARGET_AVX512 __attribute__((noinline)) static void                                                        \
    decode_any_##suffix(const float *const qp[4], float *const op[4], int64_t n, int64_t length, const void *key_tiles, \
                        const void *values, int64_t head_dim, float scale) {                                        \
        const int64_t rest = head_dim % 16;                                                                         \
        decode_dispatch(qp, op, n, length, key_tiles, values, head_dim, scale, (head_dim + 15) / 16,                \
                        rest == 0 ? 0xFFFF : (__mmask16)((1u << rest) - 1), Q8);                                    \
    }
DECODE_KERNELS(f16, 0)
DECODE_KERNELS(q8, 1)

// MARK: Runs of positions (AVX-512)

/// Attention of a run of `rows` positions (many queries): each tile of keys and values is
/// converted to floats once (scaled, in the 8-bit cache) and then read by every query of the run,
/// four queries at a time, with each query's output, maximum and sum kept in memory between
/// tiles. Inlined with `chunks` 4 (64-wide heads) and the cache format `Q8` as constants.
SLM_TARGET_AVX512 ALWAYS_INLINE static inline void
run_body(const float *q, size_t q_row_stride, int64_t rows, int64_t group, int64_t first_position,
         const void *key_tiles, const void *values, int64_t head_dim, float scale,
         float *out, size_t out_row_stride, const int64_t chunks, const __mmask16 tail, const int Q8) {
    float maximum[SLM_ATTENTION_MAX_QUERIES], sum[SLM_ATTENTION_MAX_QUERIES];
    // The tile as floats: keys [d][16], values [16][chunks · 16] (rows padded with zeros).
    float kt[SLM_ATTENTION_MAX_HEAD_DIM * TILE] __attribute__((aligned(64)));
    float vt[TILE * SLM_ATTENTION_MAX_HEAD_DIM] __attribute__((aligned(64)));
    float weights[4][16] __attribute__((aligned(64)));
    const int64_t queries = rows * group, width = chunks * 16;
    for (int64_t i = 0; i < queries; i++) {
        memset(out + (size_t)(i / group) * out_row_stride + (size_t)((i % group) * head_dim), 0, sizeof(float) * (size_t)head_dim);
        maximum[i] = -INFINITY;
        sum[i] = 0;
    }
    const __m512 scales = _mm512_set1_ps(scale), minusInfinity = _mm512_set1_ps(-INFINITY);
    const int64_t length = first_position + rows;
    const size_t stride = tile_stride(head_dim, Q8), scaleOffset = (size_t)(TILE * head_dim);
    for (int64_t t0 = 0; t0 < length; t0 += TILE) {
        const int64_t tileCount = length - t0 < TILE ? length - t0 : TILE;
        const char *keys = (const char *)key_tiles + (size_t)(t0 / TILE) * stride;
        const char *vals = (const char *)values + (size_t)(t0 / TILE) * stride;
        if (Q8) {
            const float *keyScales = (const float *)(keys + scaleOffset), *valueScales = (const float *)(vals + scaleOffset);
            for (int64_t d = 0; d < head_dim; d++)
                _mm512_store_ps(kt + TILE * d, _mm512_mul_ps(load_bytes((const int8_t *)keys + TILE * d),
                                                             _mm512_loadu_ps(keyScales + TILE * (d / 32))));
            for (int64_t t = 0; t < tileCount; t++)
                for (int64_t c = 0; c < chunks; c++)
                    _mm512_store_ps(vt + t * width + 16 * c,
                                    _mm512_mul_ps(load_byte_chunk((const int8_t *)vals + t * head_dim, c, chunks, tail),
                                                  _mm512_set1_ps(valueScales[TILE * (c / 2) + t])));
        } else {
            for (int64_t d = 0; d < head_dim; d++) _mm512_store_ps(kt + TILE * d, load_halves((const uint16_t *)keys + TILE * d));
            for (int64_t t = 0; t < tileCount; t++)
                for (int64_t c = 0; c < chunks; c++)
                    _mm512_store_ps(vt + t * width + 16 * c, load_chunk((const uint16_t *)vals + t * head_dim, c, chunks, tail));
        }
        // Rows before t0 - first_position see none of this tile.
        const int64_t firstRow = t0 > first_position ? t0 - first_position : 0;
        for (int64_t first = firstRow * group; first < queries; first += 4) {
            const int64_t n = queries - first < 4 ? queries - first : 4;
            const float *qp[4];
            float *op[4];
            int64_t count[4];
            for (int i = 0; i < 4; i++) {
                const int64_t query = first + (i < n ? i : n - 1), r = query / group, g = query % group;
                qp[i] = q + (size_t)r * q_row_stride + (size_t)(g * head_dim);
                op[i] = out + (size_t)r * out_row_stride + (size_t)(g * head_dim);
                const int64_t visible = first_position + r + 1 - t0;
                count[i] = visible < tileCount ? visible : tileCount;
            }
            // Scores of four queries, two partial sums each (eight chains of multiply-adds).
            __m512 a[4], b[4];
            for (int i = 0; i < 4; i++) { a[i] = _mm512_setzero_ps(); b[i] = _mm512_setzero_ps(); }
            int64_t d = 0;
            for (; d + 1 < head_dim; d += 2) {
                const __m512 k0 = _mm512_load_ps(kt + TILE * d), k1 = _mm512_load_ps(kt + TILE * (d + 1));
                for (int i = 0; i < 4; i++) {
                    a[i] = _mm512_fmadd_ps(_mm512_set1_ps(qp[i][d]), k0, a[i]);
                    b[i] = _mm512_fmadd_ps(_mm512_set1_ps(qp[i][d + 1]), k1, b[i]);
                }
            }
            if (d < head_dim) {
                const __m512 k0 = _mm512_load_ps(kt + TILE * d);
                for (int i = 0; i < 4; i++) a[i] = _mm512_fmadd_ps(_mm512_set1_ps(qp[i][d]), k0, a[i]);
            }
            // Online softmax. The corrections e^(old max − new max) of the four queries come from
            // one vector e^x, branch-free (the maximum grows at unpredictable tiles); on a query's
            // first tile the old maximum is −∞ and the correction about 2^-126, times a zero sum and output.
            float corrections[4] __attribute__((aligned(16))), shifts[16] __attribute__((aligned(64))) = {0};
            __m512 scores[4];
            for (int i = 0; i < 4; i++) {
                const __mmask16 live = (__mmask16)((1u << count[i]) - 1);
                scores[i] = _mm512_mask_blend_ps(live, minusInfinity, _mm512_mul_ps(_mm512_add_ps(a[i], b[i]), scales));
                const int64_t query = first + (i < n ? i : n - 1);
                const float previous = maximum[query], tileMax = _mm512_reduce_max_ps(scores[i]);
                const float newMax = tileMax > previous ? tileMax : previous;
                shifts[i] = previous - newMax;
                shifts[4 + i] = newMax;
            }
            _mm_store_ps(corrections, _mm512_castps512_ps128(slm_exp512(_mm512_load_ps(shifts))));
            for (int i = 0; i < 4; i++) {
                const __mmask16 live = (__mmask16)((1u << count[i]) - 1);
                const __m512 e = _mm512_maskz_mov_ps(live, slm_exp512(_mm512_sub_ps(scores[i], _mm512_set1_ps(shifts[4 + i]))));
                _mm512_store_ps(weights[i], e);
                if (i < n) {
                    const int64_t query = first + i;
                    sum[query] = sum[query] * corrections[i] + _mm512_reduce_add_ps(e);
                    maximum[query] = shifts[4 + i];
                }
            }
            // Values: out[i] = out[i] · correction[i] + Σ_t weights[i][t] · v[t], v[t] loaded once;
            // 4 · chunks independent chains of multiply-adds.
            const int64_t last = count[n - 1];  // the last query's row sees the most positions
            __m512 acc[4][SLM_ATTENTION_MAX_HEAD_DIM / 16];
            for (int i = 0; i < 4; i++)
                for (int64_t c = 0; c < chunks; c++) {
                    const __mmask16 m = c == chunks - 1 ? tail : 0xFFFF;
                    acc[i][c] = _mm512_mul_ps(_mm512_maskz_loadu_ps(m, op[i] + 16 * c), _mm512_set1_ps(corrections[i]));
                }
            for (int64_t t = 0; t < last; t++)
                for (int64_t c = 0; c < chunks; c++) {
                    const __m512 v = _mm512_load_ps(vt + t * width + 16 * c);
                    for (int i = 0; i < 4; i++) acc[i][c] = _mm512_fmadd_ps(_mm512_set1_ps(weights[i][t]), v, acc[i][c]);
                }
            for (int i = 0; i < n; i++)
                for (int64_t c = 0; c < chunks; c++)
                    _mm512_mask_storeu_ps(op[i] + 16 * c, c == chunks - 1 ? tail : 0xFFFF, acc[i][c]);
        }
    }
    for (int64_t i = 0; i < queries; i++) {
        float *o = out + (size_t)(i / group) * out_row_stride + (size_t)((i % group) * head_dim);
        const __m512 inverse = _mm512_set1_ps(1.0f / sum[i]);
        for (int64_t c = 0; c < chunks; c++) {
            const __mmask16 m = c == chunks - 1 ? tail : 0xFFFF;
            _mm512_mask_storeu_ps(o + 16 * c, m, _mm512_mul_ps(_mm512_maskz_loadu_ps(m, o + 16 * c), inverse));
        }
    }
}

/// The entry points' shared body: decode rows (one position) stream the cache once per four
/// queries of the group; runs of positions convert each tile once.
SLM_TARGET_AVX512 ALWAYS_INLINE static inline void
attention_rows(const float *q, size_t q_row_stride, int64_t rows, int64_t group, int64_t first_position,
               const void *key_tiles, const void *values, int64_t head_dim, float scale, float *out, size_t out_row_stride,
               const int Q8) {
    if (rows <= 0 || group <= 0 || head_dim <= 0 || rows * group > SLM_ATTENTION_MAX_QUERIES ||
        head_dim > SLM_ATTENTION_MAX_HEAD_DIM)
        __builtin_trap();
    if (rows == 1) {
        // Decode: the group's queries four at a time, each set streaming the keys and values once.
        for (int64_t first = 0; first < group; first += 4) {
            const int64_t n = group - first < 4 ? group - first : 4;
            const float *qp[4];
            float *op[4];
            for (int i = 0; i < 4; i++) {
                const int64_t g = first + (i < n ? i : n - 1);
                qp[i] = q + (size_t)(g * head_dim);
                op[i] = out + (size_t)(g * head_dim);
            }
            if (Q8) {
                if (head_dim == 64) decode_d64_q8(qp, op, n, first_position + 1, key_tiles, values, scale);
                else decode_any_q8(qp, op, n, first_position + 1, key_tiles, values, head_dim, scale);
            } else {
                if (head_dim == 64) decode_d64_f16(qp, op, n, first_position + 1, key_tiles, values, scale);
                else decode_any_f16(qp, op, n, first_position + 1, key_tiles, values, head_dim, scale);
            }
        }
    } else if (head_dim == 64) {
        run_body(q, q_row_stride, rows, group, first_position, key_tiles, values, 64, scale, out, out_row_stride, 4, 0xFFFF, Q8);
    } else {
        const int64_t rest = head_dim % 16;
        run_body(q, q_row_stride, rows, group, first_position, key_tiles, values, head_dim, scale, out, out_row_stride,
                 (head_dim + 15) / 16, rest == 0 ? 0xFFFF : (__mmask16)((1u << rest) - 1), Q8);
    }
}

SLM_TARGET_AVX512 void slm_attention_rows_f16_avx512(const float *q, size_t q_row_stride, int64_t rows, int64_t group,
                                                     int64_t first_position, const uint16_t *key_tiles, const uint16_t *values,
                                                     int64_t head_dim, float scale, float *out, size_t out_row_stride) {
    attention_rows(q, q_row_stride, rows, group, first_position, key_tiles, values, head_dim, scale, out, out_row_stride, 0);
}

SLM_TARGET_AVX512 void slm_attention_rows_q8_avx512(const float *q, size_t q_row_stride, int64_t rows, int64_t group,
                                                    int64_t first_position, const uint8_t *key_tiles, const uint8_t *values,
                                                    int64_t head_dim, float scale, float *out, size_t out_row_stride) {
    attention_rows(q, q_row_stride, rows, group, first_position, key_tiles, values, head_dim, scale, out, out_row_stride, 1);
}

#else

void slm_attention_head_f16_avx2(const float *q, const uint16_t *key_tiles, const uint16_t *values, int64_t length,
                                 int64_t head_dim, float scale, float *scores, float *out) {
    (void)q; (void)key_tiles; (void)values; (void)length; (void)head_dim; (void)scale; (void)scores; (void)out;
    __builtin_trap();
}

void slm_attention_head_q8_avx2(const float *q, const uint8_t *key_tiles, const uint8_t *values, int64_t length,
                                int64_t head_dim, float scale, float *scores, float *out) {
    (void)q; (void)key_tiles; (void)values; (void)length; (void)head_dim; (void)scale; (void)scores; (void)out;
    __builtin_trap();
}

void slm_attention_rows_f16_avx512(const float *q, size_t q_row_stride, int64_t rows, int64_t group,
                                   int64_t first_position, const uint16_t *key_tiles, const uint16_t *values,
                                   int64_t head_dim, float scale, float *out, size_t out_row_stride) {
    (void)q; (void)q_row_stride; (void)rows; (void)group; (void)first_position; (void)key_tiles; (void)values;
    (void)head_dim; (void)scale; (void)out; (void)out_row_stride;
    __builtin_trap();
}

void slm_attention_rows_q8_avx512(const float *q, size_t q_row_stride, int64_t rows, int64_t group,
                                  int64_t first_position, const uint8_t *key_tiles, const uint8_t *values,
                                  int64_t head_dim, float scale, float *out, size_t out_row_stride) {
    (void)q; (void)q_row_stride; (void)rows; (void)group; (void)first_position; (void)key_tiles; (void)values;
    (void)head_dim; (void)scale; (void)out; (void)out_row_stride;
    __builtin_trap();
}
#endif
