// The sampler's passes over a whole row of logits (SLMCore's `LogitPasses` holds the Swift
// definitions they are tested against): the softmax statistics every sampled token reports, and
// the weights a draw chooses from. Sums run in float lanes flushed to double every 1024 logits.
// A logit of −∞ (or NaN) weighs exactly 0.
#include "SLMKernelsC.h"

#if defined(__x86_64__)
#include <immintrin.h>
#include <math.h>

#include "ops_exp_x86.h"

enum { FLUSH = 1024 };

static const float SHIFT_FLOOR = -87.33654f;

/// Lanes below `n - i` (at most 16).
static inline __mmask16 live16(int64_t n, int64_t i) {
    return n - i >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (n - i)) - 1);
}

/// The largest of `n` floats, NaNs left out (−∞ when there is none).
SLM_TARGET_AVX512 static float maximum512(const float *x, int64_t n) {
    const __m512 none = _mm512_set1_ps(-INFINITY);
    __m512 a = none, b = none;
    int64_t i = 0;
    // vmaxps returns its second operand when either is NaN: the running maximum is second.
    for (; i + 32 <= n; i += 32) {
        a = _mm512_max_ps(_mm512_loadu_ps(x + i), a);
        b = _mm512_max_ps(_mm512_loadu_ps(x + i + 16), b);
    }
    for (; i < n; i += 16) a = _mm512_max_ps(_mm512_mask_loadu_ps(none, live16(n, i), x + i), a);
    return _mm512_reduce_max_ps(_mm512_max_ps(a, b));
}

SLM_TARGET_AVX512 void slm_softmax_stats_f32(const float *x, int64_t n, float *maximum, double sums[2]) {
    const float m = maximum512(x, n);
    const __m512 shift = _mm512_set1_ps(m), floor = _mm512_set1_ps(SHIFT_FLOOR), none = _mm512_set1_ps(-INFINITY);
    double sum = 0, weighted = 0;
    for (int64_t start = 0; start < n; start += FLUSH) {
        const int64_t end = start + FLUSH < n ? start + FLUSH : n;
        __m512 s = _mm512_setzero_ps(), w = _mm512_setzero_ps();
        for (int64_t i = start; i < end; i += 16) {
            const __mmask16 live = live16(end, i);
            const __m512 v = _mm512_mask_loadu_ps(none, live, x + i);
            // Finite and +∞ logits count; −∞, NaN and lanes past the end weigh 0.
            const __mmask16 counts = _mm512_cmp_ps_mask(v, none, _CMP_GT_OQ);
            const __m512 shifted = _mm512_max_ps(_mm512_sub_ps(v, shift), floor);
            const __m512 e = _mm512_maskz_mov_ps(counts, slm_exp512(shifted));
            s = _mm512_add_ps(s, e);
            w = _mm512_fmadd_ps(e, shifted, w);
        }
        sum += (double)_mm512_reduce_add_ps(s);
        weighted += (double)_mm512_reduce_add_ps(w);
    }
    *maximum = m;
    sums[0] = sum;
    sums[1] = weighted;
}

SLM_TARGET_AVX512 void slm_shifted_exp_f32(const float *x, int64_t n, float maximum, float factor, float *weights,
                                           double *block_sums) {
    const __m512 shift = _mm512_set1_ps(maximum), scale = _mm512_set1_ps(factor), none = _mm512_set1_ps(-INFINITY);
    for (int64_t start = 0, block = 0; start < n; start += FLUSH, block++) {
        const int64_t end = start + FLUSH < n ? start + FLUSH : n;
        __m512 s = _mm512_setzero_ps();
        for (int64_t i = start; i < end; i += 16) {
            const __mmask16 live = live16(end, i);
            const __m512 v = _mm512_mask_loadu_ps(none, live, x + i);
            const __mmask16 counts = _mm512_cmp_ps_mask(v, none, _CMP_GT_OQ);
            const __m512 e = _mm512_maskz_mov_ps(counts, slm_exp512(_mm512_mul_ps(_mm512_sub_ps(v, shift), scale)));
            _mm512_mask_storeu_ps(weights + i, live, e);
            s = _mm512_add_ps(s, e);
        }
        block_sums[block] = (double)_mm512_reduce_add_ps(s);
    }
}

SLM_TARGET_AVX512 int64_t slm_indices_at_least(const float *x, int64_t n, float threshold, int32_t *out) {
    const __m512 t = _mm512_set1_ps(threshold);
    __m512i index = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    const __m512i step = _mm512_set1_epi32(16);
    int64_t count = 0;
    for (int64_t i = 0; i < n; i += 16) {
        const __mmask16 live = live16(n, i);
        const __mmask16 kept = _mm512_mask_cmp_ps_mask(live, _mm512_maskz_loadu_ps(live, x + i), t, _CMP_GE_OQ);
        _mm512_mask_compressstoreu_epi32(out + count, kept, index);
        count += __builtin_popcount(kept);
        index = _mm512_add_epi32(index, step);
    }
    return count;
}

// MARK: AVX2

/// The first `n - i` lanes (at most 8) as a mask of all-ones lanes.
SLM_TARGET_AVX2 static inline __m256i live8(int64_t n, int64_t i) {
    const int64_t count = n - i >= 8 ? 8 : n - i;
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)count), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

/// Eight floats from `x + i`, −∞ in lanes past `n`.
SLM_TARGET_AVX2 static inline __m256 load8(const float *x, int64_t n, int64_t i) {
    if (n - i >= 8) return _mm256_loadu_ps(x + i);
    const __m256i live = live8(n, i);
    return _mm256_blendv_ps(_mm256_set1_ps(-INFINITY), _mm256_maskload_ps(x + i, live), _mm256_castsi256_ps(live));
}

SLM_TARGET_AVX2 static float maximum256(const float *x, int64_t n) {
    __m256 a = _mm256_set1_ps(-INFINITY);
    for (int64_t i = 0; i < n; i += 8) a = _mm256_max_ps(load8(x, n, i), a);
    float lanes[8], m = -INFINITY;
    _mm256_storeu_ps(lanes, a);
    for (int l = 0; l < 8; l++) m = lanes[l] > m ? lanes[l] : m;
    return m;
}

SLM_TARGET_AVX2 void slm_softmax_stats_f32_avx2(const float *x, int64_t n, float *maximum, double sums[2]) {
    const float m = maximum256(x, n);
    const __m256 shift = _mm256_set1_ps(m), floor = _mm256_set1_ps(SHIFT_FLOOR), none = _mm256_set1_ps(-INFINITY);
    double sum = 0, weighted = 0;
    for (int64_t start = 0; start < n; start += FLUSH) {
        const int64_t end = start + FLUSH < n ? start + FLUSH : n;
        __m256 s = _mm256_setzero_ps(), w = _mm256_setzero_ps();
        for (int64_t i = start; i < end; i += 8) {
            const __m256 v = load8(x, end, i);
            const __m256 counts = _mm256_cmp_ps(v, none, _CMP_GT_OQ);
            const __m256 shifted = _mm256_max_ps(_mm256_sub_ps(v, shift), floor);
            const __m256 e = _mm256_and_ps(counts, slm_exp256(shifted));
            s = _mm256_add_ps(s, e);
            w = _mm256_fmadd_ps(e, shifted, w);
        }
        sum += (double)slm_sum256(s);
        weighted += (double)slm_sum256(w);
    }
    *maximum = m;
    sums[0] = sum;
    sums[1] = weighted;
}

SLM_TARGET_AVX2 void slm_shifted_exp_f32_avx2(const float *x, int64_t n, float maximum, float factor, float *weights,
                                              double *block_sums) {
    const __m256 shift = _mm256_set1_ps(maximum), scale = _mm256_set1_ps(factor), none = _mm256_set1_ps(-INFINITY);
    for (int64_t start = 0, block = 0; start < n; start += FLUSH, block++) {
        const int64_t end = start + FLUSH < n ? start + FLUSH : n;
        __m256 s = _mm256_setzero_ps();
        for (int64_t i = start; i < end; i += 8) {
            const __m256 v = load8(x, end, i);
            const __m256 counts = _mm256_cmp_ps(v, none, _CMP_GT_OQ);
            const __m256 e = _mm256_and_ps(counts, slm_exp256(_mm256_mul_ps(_mm256_sub_ps(v, shift), scale)));
            if (end - i >= 8) _mm256_storeu_ps(weights + i, e);
            else _mm256_maskstore_ps(weights + i, live8(end, i), e);
            s = _mm256_add_ps(s, e);
        }
        block_sums[block] = (double)slm_sum256(s);
    }
}

SLM_TARGET_AVX2 int64_t slm_indices_at_least_avx2(const float *x, int64_t n, float threshold, int32_t *out) {
    const __m256 t = _mm256_set1_ps(threshold);
    int64_t count = 0, i = 0;
    for (; i + 8 <= n; i += 8) {
        unsigned kept = (unsigned)_mm256_movemask_ps(_mm256_cmp_ps(_mm256_loadu_ps(x + i), t, _CMP_GE_OQ));
        while (kept) {
            out[count++] = (int32_t)(i + __builtin_ctz(kept));
            kept &= kept - 1;
        }
    }
    for (; i < n; i++)
        if (x[i] >= threshold) out[count++] = (int32_t)i;
    return count;
}

#else
// Other architectures: never called (SLMCore checks the CPU's features first).
void slm_softmax_stats_f32(const float *x, int64_t n, float *maximum, double sums[2]) {
    (void)x; (void)n; (void)maximum; (void)sums;
    __builtin_trap();
}
void slm_shifted_exp_f32(const float *x, int64_t n, float maximum, float factor, float *weights, double *block_sums) {
    (void)x; (void)n; (void)maximum; (void)factor; (void)weights; (void)block_sums;
    __builtin_trap();
}
void slm_softmax_stats_f32_avx2(const float *x, int64_t n, float *maximum, double sums[2]) {
    (void)x; (void)n; (void)maximum; (void)sums;
    __builtin_trap();
}
void slm_shifted_exp_f32_avx2(const float *x, int64_t n, float maximum, float factor, float *weights, double *block_sums) {
    (void)x; (void)n; (void)maximum; (void)factor; (void)weights; (void)block_sums;
    __builtin_trap();
}
int64_t slm_indices_at_least(const float *x, int64_t n, float threshold, int32_t *out) {
    (void)x; (void)n; (void)threshold; (void)out;
    __builtin_trap();
}
int64_t slm_indices_at_least_avx2(const float *x, int64_t n, float threshold, int32_t *out) {
    (void)x; (void)n; (void)threshold; (void)out;
    __builtin_trap();
}
#endif
