// Attention kernels over fp32 keys and values. SLMCore's `AttentionKernel.headReference` and
// `rowsReference` are the scalar definitions they are tested against.
//
// - `slm_attention_head_f32` (AVX2 + FMA): one query head, two passes over the scores.
// - `slm_attention_rows_f32_avx512` (AVX-512F): the query heads of one key/value head for a run of
//   consecutive positions of one sequence, flash-attention style: keys and values are read in
//   blocks of 16 positions, once for every query of the run, with a running maximum and sum per
//   query instead of a row of scores, and e^x computed 16 lanes at a time.
#include "SLMKernelsC.h"

#if defined(__x86_64__)
#include <immintrin.h>
#include <math.h>
#include <string.h>

#include "ops_exp_x86.h"

#define T256 __attribute__((target("avx2,fma")))

/// Queries from which a run with 64-wide heads takes the transposed-key path.
#define SLM_ATTENTION_QUAD_MIN_QUERIES 8

// MARK: One head (AVX2)

T256 static inline float hsum8(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

T256 void slm_attention_head_f32(const float *q, const float *keys, const float *values, size_t kv_stride,
                                 int64_t length, int64_t head_dim, float scale, float *scores, float *out) {
    float maximum = -INFINITY;
    for (int64_t t = 0; t < length; t++) {
        const float *k = keys + (size_t)t * kv_stride;
        __m256 a = _mm256_setzero_ps(), b = _mm256_setzero_ps();
        int64_t i = 0;
        for (; i + 16 <= head_dim; i += 16) {
            a = _mm256_fmadd_ps(_mm256_loadu_ps(q + i), _mm256_loadu_ps(k + i), a);
            b = _mm256_fmadd_ps(_mm256_loadu_ps(q + i + 8), _mm256_loadu_ps(k + i + 8), b);
        }
        for (; i + 8 <= head_dim; i += 8) a = _mm256_fmadd_ps(_mm256_loadu_ps(q + i), _mm256_loadu_ps(k + i), a);
        float s = hsum8(_mm256_add_ps(a, b));
        for (; i < head_dim; i++) s += q[i] * k[i];
        s *= scale;
        scores[t] = s;
        if (s > maximum) maximum = s;
    }
    float sum = 0;
    for (int64_t t = 0; t < length; t++) {
        scores[t] = expf(scores[t] - maximum);
        sum += scores[t];
    }
    const float inverse = 1.0f / sum;
    int64_t i = 0;
    for (; i + 8 <= head_dim; i += 8) {
        __m256 acc = _mm256_setzero_ps();
        for (int64_t t = 0; t < length; t++)
            acc = _mm256_fmadd_ps(_mm256_set1_ps(scores[t]), _mm256_loadu_ps(values + (size_t)t * kv_stride + i), acc);
        _mm256_storeu_ps(out + i, _mm256_mul_ps(acc, _mm256_set1_ps(inverse)));
    }
    for (; i < head_dim; i++) {
        float acc = 0;
        for (int64_t t = 0; t < length; t++) acc += scores[t] * values[(size_t)t * kv_stride + i];
        out[i] = acc * inverse;
    }
}

// MARK: Query runs (AVX-512)

/// Lane t of the result is the sum of the 16 lanes of a[t].
SLM_TARGET_AVX512 static inline __m512 sum16x16(const __m512 a[16]) {
    __m512 b[8], c[4];
    // Per 128-bit lane: [a0 lo, a1 lo, a0 hi, a1 hi] halves of each pair.
    for (int i = 0; i < 8; i++)
        b[i] = _mm512_add_ps(_mm512_unpacklo_ps(a[2 * i], a[2 * i + 1]), _mm512_unpackhi_ps(a[2 * i], a[2 * i + 1]));
    // Per 128-bit lane: the lane sums of a[4j ... 4j+3].
    for (int j = 0; j < 4; j++)
        c[j] = _mm512_add_ps(_mm512_shuffle_ps(b[2 * j], b[2 * j + 1], 0x44), _mm512_shuffle_ps(b[2 * j], b[2 * j + 1], 0xEE));
    // Add the four 128-bit lanes, keeping a[t] in lane t.
    const __m512 d0 = _mm512_add_ps(_mm512_shuffle_f32x4(c[0], c[1], 0x88), _mm512_shuffle_f32x4(c[0], c[1], 0xDD));
    const __m512 d1 = _mm512_add_ps(_mm512_shuffle_f32x4(c[2], c[3], 0x88), _mm512_shuffle_f32x4(c[2], c[3], 0xDD));
    return _mm512_add_ps(_mm512_shuffle_f32x4(d0, d1, 0x88), _mm512_shuffle_f32x4(d0, d1, 0xDD));
}

/// Lane t: q·k[t] for the `count` (1...16) keys at `k`; lanes from `count` on repeat the last key.
SLM_TARGET_AVX512 static inline __m512 block_scores(const float *q, const float *k, size_t stride, int64_t count,
                                                    int64_t chunks, __mmask16 tail) {
    const float *rows[16];
    for (int t = 0; t < 16; t++) rows[t] = k + (size_t)(t < count ? t : count - 1) * stride;
    __m512 acc[16];
    for (int t = 0; t < 16; t++) acc[t] = _mm512_setzero_ps();
    for (int64_t c = 0; c < chunks; c++) {
        const __mmask16 m = c == chunks - 1 ? tail : 0xFFFF;
        const __m512 qv = _mm512_maskz_loadu_ps(m, q + 16 * c);
#pragma clang loop unroll(full)
        for (int t = 0; t < 16; t++) acc[t] = _mm512_fmadd_ps(qv, _mm512_maskz_loadu_ps(m, rows[t] + 16 * c), acc[t]);
    }
    return sum16x16(acc);
}

/// `out = out · corrections + Σ_t weights[t] · v[t]` over `count` (1...16) positions, two
/// accumulators per 16 floats so the sum over positions is two chains, not one.
SLM_TARGET_AVX512 static inline void accumulate_values(float *out, const float *v, size_t stride, const float *weights,
                                                       int64_t count, __m512 corrections, int64_t chunks, __mmask16 tail) {
    if (chunks == 4 && tail == 0xFFFF) {
        __m512 a0 = _mm512_mul_ps(_mm512_loadu_ps(out), corrections), a1 = _mm512_mul_ps(_mm512_loadu_ps(out + 16), corrections);
        __m512 a2 = _mm512_mul_ps(_mm512_loadu_ps(out + 32), corrections), a3 = _mm512_mul_ps(_mm512_loadu_ps(out + 48), corrections);
        __m512 b0 = _mm512_setzero_ps(), b1 = _mm512_setzero_ps(), b2 = _mm512_setzero_ps(), b3 = _mm512_setzero_ps();
        int64_t t = 0;
        for (; t + 1 < count; t += 2) {
            const float *v0 = v + (size_t)t * stride, *v1 = v0 + stride;
            const __m512 p0 = _mm512_set1_ps(weights[t]), p1 = _mm512_set1_ps(weights[t + 1]);
            a0 = _mm512_fmadd_ps(p0, _mm512_loadu_ps(v0), a0);
            a1 = _mm512_fmadd_ps(p0, _mm512_loadu_ps(v0 + 16), a1);
            a2 = _mm512_fmadd_ps(p0, _mm512_loadu_ps(v0 + 32), a2);
            a3 = _mm512_fmadd_ps(p0, _mm512_loadu_ps(v0 + 48), a3);
            b0 = _mm512_fmadd_ps(p1, _mm512_loadu_ps(v1), b0);
            b1 = _mm512_fmadd_ps(p1, _mm512_loadu_ps(v1 + 16), b1);
            b2 = _mm512_fmadd_ps(p1, _mm512_loadu_ps(v1 + 32), b2);
            b3 = _mm512_fmadd_ps(p1, _mm512_loadu_ps(v1 + 48), b3);
        }
        if (t < count) {
            const float *v0 = v + (size_t)t * stride;
            const __m512 p0 = _mm512_set1_ps(weights[t]);
            a0 = _mm512_fmadd_ps(p0, _mm512_loadu_ps(v0), a0);
            a1 = _mm512_fmadd_ps(p0, _mm512_loadu_ps(v0 + 16), a1);
            a2 = _mm512_fmadd_ps(p0, _mm512_loadu_ps(v0 + 32), a2);
            a3 = _mm512_fmadd_ps(p0, _mm512_loadu_ps(v0 + 48), a3);
        }
        _mm512_storeu_ps(out, _mm512_add_ps(a0, b0));
        _mm512_storeu_ps(out + 16, _mm512_add_ps(a1, b1));
        _mm512_storeu_ps(out + 32, _mm512_add_ps(a2, b2));
        _mm512_storeu_ps(out + 48, _mm512_add_ps(a3, b3));
        return;
    }
    for (int64_t c = 0; c < chunks; c++) {
        const __mmask16 m = c == chunks - 1 ? tail : 0xFFFF;
        __m512 a = _mm512_mul_ps(_mm512_maskz_loadu_ps(m, out + 16 * c), corrections), b = _mm512_setzero_ps();
        int64_t t = 0;
        for (; t + 1 < count; t += 2) {
            a = _mm512_fmadd_ps(_mm512_set1_ps(weights[t]), _mm512_maskz_loadu_ps(m, v + (size_t)t * stride + 16 * c), a);
            b = _mm512_fmadd_ps(_mm512_set1_ps(weights[t + 1]), _mm512_maskz_loadu_ps(m, v + (size_t)(t + 1) * stride + 16 * c), b);
        }
        if (t < count) a = _mm512_fmadd_ps(_mm512_set1_ps(weights[t]), _mm512_maskz_loadu_ps(m, v + (size_t)t * stride + 16 * c), a);
        _mm512_mask_storeu_ps(out + 16 * c, m, _mm512_add_ps(a, b));
    }
}

/// The body of `slm_attention_rows_f32_avx512`; inlined once with `chunks` 4 (head width 64) as a constant.
SLM_TARGET_AVX512 __attribute__((always_inline)) static inline void
rows_body(const float *q, size_t q_row_stride, int64_t rows, int64_t group, int64_t first_position,
          const float *keys, const float *values, size_t kv_stride, int64_t head_dim, float scale,
          float *out, size_t out_row_stride, int64_t chunks, __mmask16 tail) {
    float maximum[SLM_ATTENTION_MAX_QUERIES], sum[SLM_ATTENTION_MAX_QUERIES];
    float weights[16] __attribute__((aligned(64)));
    for (int64_t r = 0; r < rows; r++)
        for (int64_t g = 0; g < group; g++) {
            memset(out + (size_t)r * out_row_stride + (size_t)(g * head_dim), 0, sizeof(float) * (size_t)head_dim);
            maximum[r * group + g] = -INFINITY;
            sum[r * group + g] = 0;
        }
    const __m512 scales = _mm512_set1_ps(scale), minusInfinity = _mm512_set1_ps(-INFINITY);
    const int64_t length = first_position + rows;
    for (int64_t t0 = 0; t0 < length; t0 += 16) {
        const float *k = keys + (size_t)t0 * kv_stride, *v = values + (size_t)t0 * kv_stride;
        for (int64_t r = 0; r < rows; r++) {
            // Row r sees positions 0...first_position + r.
            const int64_t visible = first_position + r + 1 - t0;
            if (visible <= 0) continue;
            const int64_t count = visible < 16 ? visible : 16;
            const __mmask16 live = count == 16 ? 0xFFFF : (__mmask16)((1u << count) - 1);
            for (int64_t g = 0; g < group; g++) {
                const int64_t query = r * group + g;
                const float *qp = q + (size_t)r * q_row_stride + (size_t)(g * head_dim);
                float *op = out + (size_t)r * out_row_stride + (size_t)(g * head_dim);
                __m512 s = _mm512_mul_ps(block_scores(qp, k, kv_stride, count, chunks, tail), scales);
                s = _mm512_mask_blend_ps(live, minusInfinity, s);
                const float previous = maximum[query];
                const float blockMax = _mm512_reduce_max_ps(s);
                const float newMax = blockMax > previous ? blockMax : previous;
                const __m512 e = _mm512_maskz_mov_ps(live, slm_exp512(_mm512_sub_ps(s, _mm512_set1_ps(newMax))));
                // Rescale what the earlier blocks accumulated by e^(old max − new max): 1 when the
                // maximum stayed, about 2^-126 (times a zero sum and output) on the first block.
                // Branch-free, as the maximum grows at unpredictable blocks.
                const __m512 corrections = slm_exp512(_mm512_set1_ps(previous - newMax));
                sum[query] = sum[query] * _mm512_cvtss_f32(corrections) + _mm512_reduce_add_ps(e);
                maximum[query] = newMax;
                _mm512_store_ps(weights, e);
                accumulate_values(op, v, kv_stride, weights, count, corrections, chunks, tail);
            }
        }
    }
    for (int64_t r = 0; r < rows; r++)
        for (int64_t g = 0; g < group; g++) {
            float *op = out + (size_t)r * out_row_stride + (size_t)(g * head_dim);
            const __m512 inverse = _mm512_set1_ps(1.0f / sum[r * group + g]);
            for (int64_t c = 0; c < chunks; c++) {
                const __mmask16 m = c == chunks - 1 ? tail : 0xFFFF;
                _mm512_mask_storeu_ps(op + 16 * c, m, _mm512_mul_ps(_mm512_maskz_loadu_ps(m, op + 16 * c), inverse));
            }
        }
}

// MARK: Query runs, 64-wide heads, four queries at a time

/// Writes the 16×16 block `rows[i][offset ..< offset + 16]` transposed: `out[j·16 + i] = rows[i][offset + j]`.
SLM_TARGET_AVX512 static inline void transpose16(const float *const rows[16], int64_t offset, float *out) {
    __m512 t[16], u[16], v[16];
    for (int i = 0; i < 8; i++) {
        const __m512 a = _mm512_loadu_ps(rows[2 * i] + offset), b = _mm512_loadu_ps(rows[2 * i + 1] + offset);
        t[2 * i] = _mm512_unpacklo_ps(a, b);      // per 128-bit lane: a0 b0 a1 b1
        t[2 * i + 1] = _mm512_unpackhi_ps(a, b);  // a2 b2 a3 b3
    }
    for (int g = 0; g < 4; g++) {
        // Per 128-bit lane L, u[4g + c] holds column 4L + c of rows 4g ... 4g + 3.
        const __m512d a = _mm512_castps_pd(t[4 * g]), b = _mm512_castps_pd(t[4 * g + 1]);
        const __m512d c = _mm512_castps_pd(t[4 * g + 2]), d = _mm512_castps_pd(t[4 * g + 3]);
        u[4 * g] = _mm512_castpd_ps(_mm512_unpacklo_pd(a, c));
        u[4 * g + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(a, c));
        u[4 * g + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(b, d));
        u[4 * g + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(b, d));
    }
    for (int j = 0; j < 4; j++) {
        // v[j]: columns j and j + 8 of rows 0-7; v[j + 4]: columns j + 4 and j + 12; v[j + 8], v[j + 12]: rows 8-15.
        v[j] = _mm512_shuffle_f32x4(u[j], u[j + 4], 0x88);
        v[j + 4] = _mm512_shuffle_f32x4(u[j], u[j + 4], 0xDD);
        v[j + 8] = _mm512_shuffle_f32x4(u[j + 8], u[j + 12], 0x88);
        v[j + 12] = _mm512_shuffle_f32x4(u[j + 8], u[j + 12], 0xDD);
    }
    for (int j = 0; j < 4; j++) {
        _mm512_store_ps(out + 16 * j, _mm512_shuffle_f32x4(v[j], v[j + 8], 0x88));
        _mm512_store_ps(out + 16 * (j + 8), _mm512_shuffle_f32x4(v[j], v[j + 8], 0xDD));
        _mm512_store_ps(out + 16 * (j + 4), _mm512_shuffle_f32x4(v[j + 4], v[j + 12], 0x88));
        _mm512_store_ps(out + 16 * (j + 12), _mm512_shuffle_f32x4(v[j + 4], v[j + 12], 0xDD));
    }
}

/// `rows_body` for 64-wide heads, four queries at a time, so their softmax updates interleave
/// and each value row is loaded once for four queries. With `transposed` (runs of many queries)
/// each block of 16 keys is transposed once and the scores come from broadcast multiply-adds with
/// no horizontal sums.
SLM_TARGET_AVX512 __attribute__((always_inline)) static inline void
rows_body_quads(const float *q, size_t q_row_stride, int64_t rows, int64_t group, int64_t first_position,
                const float *keys, const float *values, size_t kv_stride, float scale, float *out,
                size_t out_row_stride, int transposed) {
    enum { D = 64 };
    float maximum[SLM_ATTENTION_MAX_QUERIES], sum[SLM_ATTENTION_MAX_QUERIES];
    float kt[D * 16] __attribute__((aligned(64)));
    float weights[4][16] __attribute__((aligned(64)));
    const int64_t queries = rows * group;
    for (int64_t i = 0; i < queries; i++) {
        memset(out + (size_t)(i / group) * out_row_stride + (size_t)((i % group) * D), 0, sizeof(float) * D);
        maximum[i] = -INFINITY;
        sum[i] = 0;
    }
    const __m512 scales = _mm512_set1_ps(scale), minusInfinity = _mm512_set1_ps(-INFINITY);
    const int64_t length = first_position + rows;
    for (int64_t t0 = 0; t0 < length; t0 += 16) {
        const int64_t blockCount = length - t0 < 16 ? length - t0 : 16;
        const float *k = keys + (size_t)t0 * kv_stride, *v = values + (size_t)t0 * kv_stride;
        const float *keyRows[16];
        for (int t = 0; t < 16; t++) keyRows[t] = k + (size_t)(t < blockCount ? t : blockCount - 1) * kv_stride;
        if (transposed)
            for (int64_t c = 0; c < D / 16; c++) transpose16(keyRows, 16 * c, kt + 16 * 16 * c);
        // Rows before t0 - first_position see none of this block.
        const int64_t firstRow = t0 > first_position ? t0 - first_position : 0;
        for (int64_t first = firstRow * group; first < queries; first += 4) {
            const int64_t n = queries - first < 4 ? queries - first : 4;
            const float *qp[4];
            float *op[4];
            int64_t count[4];
            for (int i = 0; i < 4; i++) {
                const int64_t query = first + (i < n ? i : n - 1), r = query / group, g = query % group;
                qp[i] = q + (size_t)r * q_row_stride + (size_t)(g * D);
                op[i] = out + (size_t)r * out_row_stride + (size_t)(g * D);
                const int64_t visible = first_position + r + 1 - t0;
                count[i] = visible < blockCount ? visible : blockCount;
            }
            // Scores of four queries: from the transposed block, two partial sums each (eight chains
            // of multiply-adds); else dot products with horizontal sums, one query at a time.
            __m512 a[4], b[4];
            for (int i = 0; i < 4; i++) { a[i] = _mm512_setzero_ps(); b[i] = _mm512_setzero_ps(); }
            if (transposed) {
                for (int d = 0; d < D; d += 2) {
                    const __m512 k0 = _mm512_load_ps(kt + 16 * d), k1 = _mm512_load_ps(kt + 16 * (d + 1));
                    for (int i = 0; i < 4; i++) {
                        a[i] = _mm512_fmadd_ps(_mm512_set1_ps(qp[i][d]), k0, a[i]);
                        b[i] = _mm512_fmadd_ps(_mm512_set1_ps(qp[i][d + 1]), k1, b[i]);
                    }
                }
            } else {
                for (int i = 0; i < 4; i++)
                    if (i < n) a[i] = block_scores(qp[i], k, kv_stride, blockCount, D / 16, 0xFFFF);
            }
            __m512 corrections[4];
            for (int i = 0; i < 4; i++) {
                const __mmask16 live = (__mmask16)((1u << count[i]) - 1);
                const __m512 s = _mm512_mask_blend_ps(live, minusInfinity, _mm512_mul_ps(_mm512_add_ps(a[i], b[i]), scales));
                const int64_t query = first + i;
                const float previous = i < n ? maximum[query] : 0;
                const float blockMax = _mm512_reduce_max_ps(s);
                const float newMax = blockMax > previous ? blockMax : previous;
                const __m512 e = _mm512_maskz_mov_ps(live, slm_exp512(_mm512_sub_ps(s, _mm512_set1_ps(newMax))));
                corrections[i] = slm_exp512(_mm512_set1_ps(previous - newMax));
                _mm512_store_ps(weights[i], e);
                if (i < n) {
                    sum[query] = sum[query] * _mm512_cvtss_f32(corrections[i]) + _mm512_reduce_add_ps(e);
                    maximum[query] = newMax;
                }
            }
            // Values: out[i] = out[i] · correction[i] + Σ_t weights[i][t] · v[t], v[t] loaded once.
            __m512 acc[4][4];
            for (int i = 0; i < 4; i++)
                for (int c = 0; c < 4; c++) acc[i][c] = _mm512_mul_ps(_mm512_loadu_ps(op[i] + 16 * c), corrections[i]);
            const int64_t last = count[n - 1];  // the last query's row sees the most positions
            for (int64_t t = 0; t < last; t++) {
                const float *vt = v + (size_t)t * kv_stride;
                const __m512 v0 = _mm512_loadu_ps(vt), v1 = _mm512_loadu_ps(vt + 16);
                const __m512 v2 = _mm512_loadu_ps(vt + 32), v3 = _mm512_loadu_ps(vt + 48);
                for (int i = 0; i < 4; i++) {
                    const __m512 p = _mm512_set1_ps(weights[i][t]);
                    acc[i][0] = _mm512_fmadd_ps(p, v0, acc[i][0]);
                    acc[i][1] = _mm512_fmadd_ps(p, v1, acc[i][1]);
                    acc[i][2] = _mm512_fmadd_ps(p, v2, acc[i][2]);
                    acc[i][3] = _mm512_fmadd_ps(p, v3, acc[i][3]);
                }
            }
            for (int i = 0; i < 4; i++) {
                if (i >= n) break;
                for (int c = 0; c < 4; c++) _mm512_storeu_ps(op[i] + 16 * c, acc[i][c]);
            }
        }
    }
    for (int64_t i = 0; i < queries; i++) {
        float *o = out + (size_t)(i / group) * out_row_stride + (size_t)((i % group) * D);
        const __m512 inverse = _mm512_set1_ps(1.0f / sum[i]);
        for (int c = 0; c < 4; c++) _mm512_storeu_ps(o + 16 * c, _mm512_mul_ps(_mm512_loadu_ps(o + 16 * c), inverse));
    }
}

SLM_TARGET_AVX512 void slm_attention_rows_f32_avx512(const float *q, size_t q_row_stride, int64_t rows, int64_t group,
                                                     int64_t first_position, const float *keys, const float *values,
                                                     size_t kv_stride, int64_t head_dim, float scale,
                                                     float *out, size_t out_row_stride) {
    if (rows <= 0 || group <= 0 || head_dim <= 0 || rows * group > SLM_ATTENTION_MAX_QUERIES) __builtin_trap();
    if (head_dim == 64 && rows * group >= SLM_ATTENTION_QUAD_MIN_QUERIES) {
        rows_body_quads(q, q_row_stride, rows, group, first_position, keys, values, kv_stride, scale, out, out_row_stride, 1);
    } else if (head_dim == 64) {
        rows_body_quads(q, q_row_stride, rows, group, first_position, keys, values, kv_stride, scale, out, out_row_stride, 0);
    } else {
        const int64_t chunks = (head_dim + 15) / 16, rest = head_dim % 16;
        rows_body(q, q_row_stride, rows, group, first_position, keys, values, kv_stride, head_dim, scale, out,
                  out_row_stride, chunks, rest == 0 ? 0xFFFF : (__mmask16)((1u << rest) - 1));
    }
}

#else

void slm_attention_head_f32(const float *q, const float *keys, const float *values, size_t kv_stride,
                            int64_t length, int64_t head_dim, float scale, float *scores, float *out) {
    (void)q; (void)keys; (void)values; (void)kv_stride; (void)length; (void)head_dim; (void)scale;
    (void)scores; (void)out;
    __builtin_trap();
}

void slm_attention_rows_f32_avx512(const float *q, size_t q_row_stride, int64_t rows, int64_t group,
                                   int64_t first_position, const float *keys, const float *values,
                                   size_t kv_stride, int64_t head_dim, float scale,
                                   float *out, size_t out_row_stride) {
    (void)q; (void)q_row_stride; (void)rows; (void)group; (void)first_position; (void)keys; (void)values;
    (void)kv_stride; (void)head_dim; (void)scale; (void)out; (void)out_row_stride;
    __builtin_trap();
}
#endif
