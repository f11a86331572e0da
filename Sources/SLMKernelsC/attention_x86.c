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

SLM_TARGET_AVX512 void slm_attention_rows_f32_avx512(const float *q, size_t q_row_stride, int64_t rows, int64_t group,
                                                     int64_t first_position, const float *keys, const float *values,
                                                     size_t kv_stride, int64_t head_dim, float scale,
                                                     float *out, size_t out_row_stride) {
    if (rows <= 0 || group <= 0 || head_dim <= 0 || rows * group > SLM_ATTENTION_MAX_QUERIES) __builtin_trap();
    if (head_dim == 64) {
        rows_body(q, q_row_stride, rows, group, first_position, keys, values, kv_stride, 64, scale, out, out_row_stride,
                  4, 0xFFFF);
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
