// Writing keys and values into the fp16 cache (F16C). SLMCore's `KeyValueCache.storeReference`
// is the scalar definition it is tested against.
#include "SLMKernelsC.h"

#if defined(__x86_64__)
#include <immintrin.h>

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

#else

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
