// Writing keys and values into the fp16 cache (F16C) and the 8-bit cache (AVX-512). SLMCore's `KeyValueCache.storeReference`
// is the scalar definition it is tested against.
#include "SLMKernelsC.h"

#if defined(__x86_64__)
#include <immintrin.h>
#include <string.h>

#define TF16C __attribute__((target("avx2,fma,f16c")))

/// `count` (below 8) floats from `x` as halves into `out`.
TF16C static inline void convert_tail(const float *x, uint16_t *out, int64_t count) {
    float in[8] = {0};
    uint16_t half[8];
    for (int64_t i = 0; i < count; i++) in[i] = x[i];
    _mm_storeu_si128((__m128i *)half, _mm256_cvtps_ph(_mm256_loadu_ps(in), _MM_FROUND_TO_NEAREST_INT));
    for (int64_t i = 0; i < count; i++) out[i] = half[i];
}

TF16C void slm_f32_to_f16_f16c(const float *x, uint16_t *out, int64_t n) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm_storeu_si128((__m128i *)(out + i), _mm256_cvtps_ph(_mm256_loadu_ps(x + i), _MM_FROUND_TO_NEAREST_INT));
    if (i < n) convert_tail(x + i, out + i, n - i);
}

TF16C void slm_kv_store_f16c(const float *k, const float *v, int64_t kv_heads, int64_t head_dim, int64_t position,
                             uint16_t *key_tiles, uint16_t *values, size_t head_stride) {
    const int64_t tile = position / SLM_KV_TILE_POSITIONS, lane = position % SLM_KV_TILE_POSITIONS;
    for (int64_t h = 0; h < kv_heads; h++) {
        const float *kh = k + h * head_dim;
        // Keys: dimension d goes to lane `lane` of row d of the position's tile.
        uint16_t *column = key_tiles + (size_t)h * head_stride + (size_t)(tile * head_dim) * SLM_KV_TILE_POSITIONS + lane;
        int64_t d = 0;
        for (; d + 8 <= head_dim; d += 8) {
            uint16_t half[8];
            _mm_storeu_si128((__m128i *)half, _mm256_cvtps_ph(_mm256_loadu_ps(kh + d), _MM_FROUND_TO_NEAREST_INT));
            for (int j = 0; j < 8; j++) column[(size_t)(d + j) * SLM_KV_TILE_POSITIONS] = half[j];
        }
        if (d < head_dim) {
            uint16_t half[8];
            convert_tail(kh + d, half, head_dim - d);
            for (int64_t j = 0; j < head_dim - d; j++) column[(size_t)(d + j) * SLM_KV_TILE_POSITIONS] = half[j];
        }
        // Values: one contiguous row.
        slm_f32_to_f16_f16c(v + h * head_dim, values + (size_t)h * head_stride + (size_t)(position * head_dim), head_dim);
    }
}

#define T512 __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq")))

T512 void slm_kv_store_q8_avx512(const float *k, const float *v, int64_t kv_heads, int64_t head_dim, int64_t position,
                                 uint8_t *key_tiles, uint8_t *values, size_t head_stride) {
    const size_t tile_bytes = slm_kv_q8_tile_bytes(head_dim), scales = (size_t)(SLM_KV_TILE_POSITIONS * head_dim);
    const int64_t tile = position / SLM_KV_TILE_POSITIONS, lane = position % SLM_KV_TILE_POSITIONS;
    const __m512 sign = _mm512_set1_ps(-0.0f);
    const __m512i lo = _mm512_set1_epi32(-127), hi = _mm512_set1_epi32(127);
    for (int64_t h = 0; h < kv_heads; h++) {
        uint8_t *kt = key_tiles + (size_t)h * head_stride + (size_t)tile * tile_bytes;
        uint8_t *vt = values + (size_t)h * head_stride + (size_t)tile * tile_bytes;
        for (int64_t first = 0; first < head_dim; first += 32) {
            const int64_t n = head_dim - first < 32 ? head_dim - first : 32, block = first / 32;
            const __mmask16 m0 = n >= 16 ? 0xFFFF : (__mmask16)((1u << n) - 1);
            const __mmask16 m1 = n >= 32 ? 0xFFFF : n <= 16 ? 0 : (__mmask16)((1u << (n - 16)) - 1);
            for (int which = 0; which < 2; which++) {
                const float *x = (which == 0 ? k : v) + h * head_dim + first;
                const __m512 a = _mm512_maskz_loadu_ps(m0, x), b = _mm512_maskz_loadu_ps(m1, x + 16);
                // The scalar definition's steps: d = max|x| / 127, q = x · (1/d) rounded to nearest
                // even (cvtps_epi32 under the default MXCSR) and clamped to ±127.
                const float amax = _mm512_reduce_max_ps(_mm512_max_ps(_mm512_andnot_ps(sign, a), _mm512_andnot_ps(sign, b)));
                const float d = amax / 127.0f, inverse = d != 0.0f ? 1.0f / d : 0.0f;
                const __m512 s = _mm512_set1_ps(inverse);
                const __m128i qa = _mm512_cvtepi32_epi8(_mm512_min_epi32(hi, _mm512_max_epi32(lo, _mm512_cvtps_epi32(_mm512_mul_ps(a, s)))));
                const __m128i qb = _mm512_cvtepi32_epi8(_mm512_min_epi32(hi, _mm512_max_epi32(lo, _mm512_cvtps_epi32(_mm512_mul_ps(b, s)))));
                uint8_t *tileBase = which == 0 ? kt : vt;
                memcpy(tileBase + scales + (size_t)(block * SLM_KV_TILE_POSITIONS + lane) * 4, &d, 4);
                if (which == 1) {
                    // Values: the position's row.
                    _mm_mask_storeu_epi8(vt + lane * head_dim + first, m0, qa);
                    _mm_mask_storeu_epi8(vt + lane * head_dim + first + 16, m1, qb);
                } else {
                    // Keys: dimension d in lane `lane` of row d.
                    uint8_t q[32];
                    _mm_storeu_si128((__m128i *)q, qa);
                    _mm_storeu_si128((__m128i *)(q + 16), qb);
                    for (int64_t i = 0; i < n; i++) kt[(first + i) * SLM_KV_TILE_POSITIONS + lane] = q[i];
                }
            }
        }
    }
}

#else

void slm_kv_store_q8_avx512(const float *k, const float *v, int64_t kv_heads, int64_t head_dim, int64_t position,
                            uint8_t *key_tiles, uint8_t *values, size_t head_stride) {
    (void)k; (void)v; (void)kv_heads; (void)head_dim; (void)position; (void)key_tiles; (void)values; (void)head_stride;
    __builtin_trap();
}

void slm_f32_to_f16_f16c(const float *x, uint16_t *out, int64_t n) {
    (void)x; (void)out; (void)n;
    __builtin_trap();
}

void slm_kv_store_f16c(const float *k, const float *v, int64_t kv_heads, int64_t head_dim, int64_t position,
                       uint16_t *key_tiles, uint16_t *values, size_t head_stride) {
    (void)k; (void)v; (void)kv_heads; (void)head_dim; (void)position; (void)key_tiles; (void)values; (void)head_stride;
    __builtin_trap();
}
#endif
