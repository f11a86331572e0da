// The index of a row's largest float in one pass: each lane keeps its largest value and where it
// was, four sets of lanes at once so the compare-and-keep chains overlap, and the lanes are
// reduced at the end. The tests hold them to a scalar scan (as SLMCore's `Argmax.indexPortable`):
// the first index on ties, NaNs never chosen, 0 when no value exceeds −∞.
#include "SLMKernelsC.h"

#if defined(__x86_64__)
#include <immintrin.h>
#include <math.h>

#include "ops_exp_x86.h"

/// Keeps, per lane, `v` where it exceeds `best` (NaN never does), with its indices.
#define KEEP_512(best, where, v, index)                                             \
    do {                                                                            \
        const __mmask16 greater = _mm512_cmp_ps_mask((v), (best), _CMP_GT_OQ);      \
        best = _mm512_mask_mov_ps(best, greater, (v));                              \
        where = _mm512_mask_mov_epi32(where, greater, (index));                     \
    } while (0)

SLM_TARGET_AVX512 int64_t slm_argmax_f32(const float *x, int64_t n) {
    const __m512 none = _mm512_set1_ps(-INFINITY);
    __m512 best[4] = {none, none, none, none};
    __m512i where[4], index[4];
    for (int s = 0; s < 4; s++) {
        where[s] = _mm512_setzero_si512();
        index[s] = _mm512_add_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                                    _mm512_set1_epi32(16 * s));
    }
    const __m512i step = _mm512_set1_epi32(64), single = _mm512_set1_epi32(16);
    int64_t i = 0;
    for (; i + 64 <= n; i += 64) {
        for (int s = 0; s < 4; s++) {
            KEEP_512(best[s], where[s], _mm512_loadu_ps(x + i + 16 * s), index[s]);
            index[s] = _mm512_add_epi32(index[s], step);
        }
    }
    // The rest, 16 at a time into the first set (its index vector is already at i); lanes past
    // the end read −∞, which is never kept.
    for (; i < n; i += 16) {
        const __mmask16 live = n - i >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (n - i)) - 1);
        KEEP_512(best[0], where[0], _mm512_mask_loadu_ps(none, live, x + i), index[0]);
        index[0] = _mm512_add_epi32(index[0], single);
    }
    const float maximum = _mm512_reduce_max_ps(_mm512_max_ps(_mm512_max_ps(best[0], best[1]), _mm512_max_ps(best[2], best[3])));
    if (!(maximum > -INFINITY)) return 0;
    // The smallest index among the lanes that hold the maximum (each lane kept its first).
    const __m512 target = _mm512_set1_ps(maximum);
    int64_t first = n;
    for (int s = 0; s < 4; s++) {
        const __mmask16 holds = _mm512_cmp_ps_mask(best[s], target, _CMP_EQ_OQ);
        if (holds) {
            const int32_t at = _mm512_mask_reduce_min_epi32(holds, where[s]);
            if (at < first) first = at;
        }
    }
    return first;
}

SLM_TARGET_AVX2 int64_t slm_argmax_f32_avx2(const float *x, int64_t n) {
    const __m256 none = _mm256_set1_ps(-INFINITY);
    __m256 best[4] = {none, none, none, none};
    __m256i where[4], index[4];
    for (int s = 0; s < 4; s++) {
        where[s] = _mm256_setzero_si256();
        index[s] = _mm256_add_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), _mm256_set1_epi32(8 * s));
    }
    const __m256i step = _mm256_set1_epi32(32);
    int64_t i = 0;
    for (; i + 32 <= n; i += 32) {
        for (int s = 0; s < 4; s++) {
            const __m256 v = _mm256_loadu_ps(x + i + 8 * s);
            const __m256 greater = _mm256_cmp_ps(v, best[s], _CMP_GT_OQ);
            best[s] = _mm256_blendv_ps(best[s], v, greater);
            where[s] = _mm256_castps_si256(_mm256_blendv_ps(_mm256_castsi256_ps(where[s]), _mm256_castsi256_ps(index[s]), greater));
            index[s] = _mm256_add_epi32(index[s], step);
        }
    }
    float lanes[32];
    int32_t at[32];
    for (int s = 0; s < 4; s++) {
        _mm256_storeu_ps(lanes + 8 * s, best[s]);
        _mm256_storeu_si256((__m256i *)(at + 8 * s), where[s]);
    }
    float maximum = -INFINITY;
    int64_t first = 0;
    for (int l = 0; l < 32; l++) {
        if (lanes[l] > maximum || (lanes[l] == maximum && at[l] < first)) {
            maximum = lanes[l];
            first = at[l];
        }
    }
    // The rest, in order: a later index wins only with a larger value.
    for (; i < n; i++) {
        if (x[i] > maximum) {
            maximum = x[i];
            first = i;
        }
    }
    return maximum > -INFINITY ? first : 0;
}
#else
// Other architectures: never called (SLMCore checks the CPU's features first).
int64_t slm_argmax_f32(const float *x, int64_t n) {
    (void)x; (void)n;
    __builtin_trap();
}
int64_t slm_argmax_f32_avx2(const float *x, int64_t n) {
    (void)x; (void)n;
    __builtin_trap();
}
#endif
