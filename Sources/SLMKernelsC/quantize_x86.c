// Activation quantizers for x86-64: float rows to Q8_0 / Q8_1 blocks of 32, byte for byte what
// SLMCore's `ActivationQuantizer.quantizeReference` writes (scale amax/127 rounded to f16, quants
// rounded to nearest with ties to even and clamped to ±127, Q8_1's sum d·Σq rounded to f16).
// One version for AVX-512 (two 16-float registers per block) and one for AVX2 (four of 8).
#include "SLMKernelsC.h"

#if defined(__x86_64__)
#include <immintrin.h>
#include <string.h>

#define T512 __attribute__((target("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512dq")))
#define T256 __attribute__((target("avx2,fma,f16c")))

static inline void store_half(uint8_t *p, uint16_t bits) { memcpy(p, &bits, 2); }

T512 static inline void quantize_blocks_512(const float *x, int64_t count, uint8_t *out, const int with_sum) {
    const size_t bytes = with_sum ? 36 : 34, quants = with_sum ? 4 : 2;
    const __m512 sign = _mm512_set1_ps(-0.0f);
    const __m512i lo = _mm512_set1_epi32(-127), hi = _mm512_set1_epi32(127);
    for (int64_t block = 0; block < count / 32; block++) {
        const __m512 a = _mm512_loadu_ps(x + block * 32), b = _mm512_loadu_ps(x + block * 32 + 16);
        const float amax = _mm512_reduce_max_ps(_mm512_max_ps(_mm512_andnot_ps(sign, a), _mm512_andnot_ps(sign, b)));
        const float d = amax / 127.0f;
        const float inverse = d != 0.0f ? 1.0f / d : 0.0f;
        const __m512 s = _mm512_set1_ps(inverse);
        // cvtps_epi32 rounds to nearest, ties to even (the default MXCSR mode).
        const __m512i qa = _mm512_min_epi32(hi, _mm512_max_epi32(lo, _mm512_cvtps_epi32(_mm512_mul_ps(a, s))));
        const __m512i qb = _mm512_min_epi32(hi, _mm512_max_epi32(lo, _mm512_cvtps_epi32(_mm512_mul_ps(b, s))));
        uint8_t *o = out + block * bytes;
        _mm_storeu_si128((__m128i *)(o + quants), _mm512_cvtepi32_epi8(qa));
        _mm_storeu_si128((__m128i *)(o + quants + 16), _mm512_cvtepi32_epi8(qb));
        store_half(o, (uint16_t)_mm_extract_epi16(_mm_cvtps_ph(_mm_set_ss(d), _MM_FROUND_TO_NEAREST_INT), 0));
        if (with_sum) {
            const int sum = _mm512_reduce_add_epi32(_mm512_add_epi32(qa, qb));
            store_half(o + 2, (uint16_t)_mm_extract_epi16(_mm_cvtps_ph(_mm_set_ss(d * (float)sum), _MM_FROUND_TO_NEAREST_INT), 0));
        }
    }
}

T256 static inline float hmax256(__m256 v) {
    __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    m = _mm_max_ps(m, _mm_movehl_ps(m, m));
    m = _mm_max_ss(m, _mm_movehdup_ps(m));
    return _mm_cvtss_f32(m);
}

T256 static inline void quantize_blocks_256(const float *x, int64_t count, uint8_t *out, const int with_sum) {
    const size_t bytes = with_sum ? 36 : 34, quants = with_sum ? 4 : 2;
    const __m256 sign = _mm256_set1_ps(-0.0f);
    const __m256i lo = _mm256_set1_epi32(-127), hi = _mm256_set1_epi32(127);
    const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
    for (int64_t block = 0; block < count / 32; block++) {
        const float *p = x + block * 32;
        __m256 v[4];
        for (int j = 0; j < 4; j++) v[j] = _mm256_loadu_ps(p + 8 * j);
        const __m256 m = _mm256_max_ps(_mm256_max_ps(_mm256_andnot_ps(sign, v[0]), _mm256_andnot_ps(sign, v[1])),
                                       _mm256_max_ps(_mm256_andnot_ps(sign, v[2]), _mm256_andnot_ps(sign, v[3])));
        const float amax = hmax256(m);
        const float d = amax / 127.0f;
        const float inverse = d != 0.0f ? 1.0f / d : 0.0f;
        const __m256 s = _mm256_set1_ps(inverse);
        __m256i q[4];
        for (int j = 0; j < 4; j++)
            q[j] = _mm256_min_epi32(hi, _mm256_max_epi32(lo, _mm256_cvtps_epi32(_mm256_mul_ps(v[j], s))));
        // Pack 32 int32 to 32 int8 (values fit, so saturation changes nothing), then undo the lane interleave.
        const __m256i w01 = _mm256_packs_epi32(q[0], q[1]), w23 = _mm256_packs_epi32(q[2], q[3]);
        const __m256i bytes8 = _mm256_permutevar8x32_epi32(_mm256_packs_epi16(w01, w23), order);
        uint8_t *o = out + block * bytes;
        _mm256_storeu_si256((__m256i *)(o + quants), bytes8);
        store_half(o, (uint16_t)_mm_extract_epi16(_mm_cvtps_ph(_mm_set_ss(d), _MM_FROUND_TO_NEAREST_INT), 0));
        if (with_sum) {
            __m256i t = _mm256_add_epi32(_mm256_add_epi32(q[0], q[1]), _mm256_add_epi32(q[2], q[3]));
            __m128i u = _mm_add_epi32(_mm256_castsi256_si128(t), _mm256_extracti128_si256(t, 1));
            u = _mm_add_epi32(u, _mm_shuffle_epi32(u, 0x4E));
            u = _mm_add_epi32(u, _mm_shuffle_epi32(u, 0xB1));
            const int sum = _mm_cvtsi128_si32(u);
            store_half(o + 2, (uint16_t)_mm_extract_epi16(_mm_cvtps_ph(_mm_set_ss(d * (float)sum), _MM_FROUND_TO_NEAREST_INT), 0));
        }
    }
}

T512 void slm_quantize_q8_0_avx512(const float *x, int64_t count, void *out) { quantize_blocks_512(x, count, out, 0); }
T512 void slm_quantize_q8_1_avx512(const float *x, int64_t count, void *out) { quantize_blocks_512(x, count, out, 1); }
T256 void slm_quantize_q8_0_avx2(const float *x, int64_t count, void *out) { quantize_blocks_256(x, count, out, 0); }
T256 void slm_quantize_q8_1_avx2(const float *x, int64_t count, void *out) { quantize_blocks_256(x, count, out, 1); }

#else

#define UNAVAILABLE(name) \
    void name(const float *x, int64_t count, void *out) { (void)x; (void)count; (void)out; __builtin_trap(); }
UNAVAILABLE(slm_quantize_q8_0_avx512)
UNAVAILABLE(slm_quantize_q8_1_avx512)
UNAVAILABLE(slm_quantize_q8_0_avx2)
UNAVAILABLE(slm_quantize_q8_1_avx2)
#endif
