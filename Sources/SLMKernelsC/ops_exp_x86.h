// e^x sixteen lanes at a time (AVX-512F) or eight (AVX2), and the sum of eight lanes, shared by
// the x86 kernels.
//
// Cephes' expf, as SLMCore's `VectorExp` (eight lanes, Swift): x = n·ln 2 + r with |r| ≤ ln 2 / 2,
// a degree-7 polynomial for e^r, and 2^n built in the exponent bits. Within 2 ulp of `expf` for x
// in [-87.3, 88]; smaller x gives 2^-126 or less (callers that need an exact 0 mask it), larger x
// is clamped. Private to SLMKernelsC: include it only from files compiled for x86-64.
#ifndef SLM_OPS_EXP_X86_H
#define SLM_OPS_EXP_X86_H

#include <immintrin.h>

#define SLM_TARGET_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,fma")))

SLM_TARGET_AVX512 static inline __m512 slm_exp512(__m512 input) {
    const __m512 x = _mm512_min_ps(_mm512_max_ps(input, _mm512_set1_ps(-87.33654f)), _mm512_set1_ps(88.0f));
    // n = round(x / ln 2): adding 1.5·2^23 rounds to an integer in the low mantissa bits.
    const __m512 magic = _mm512_set1_ps(12582912.0f);
    const __m512 shifted = _mm512_fmadd_ps(x, _mm512_set1_ps(1.44269504f), magic);
    const __m512 n = _mm512_sub_ps(shifted, magic);
    // r = x - n·ln 2, with ln 2 split in two for precision.
    __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), x);
    r = _mm512_fnmadd_ps(n, _mm512_set1_ps(-2.12194440e-4f), r);
    __m512 p = _mm512_set1_ps(1.9875691500e-4f);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.3981999507e-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(8.3334519073e-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(4.1665795894e-2f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.6666665459e-1f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(5.0000001201e-1f));
    p = _mm512_fmadd_ps(p, _mm512_mul_ps(r, r), _mm512_add_ps(r, _mm512_set1_ps(1.0f)));
    // 2^n: n sits in the low bits of `shifted`; move it into the exponent field.
    const __m512i bits = _mm512_sub_epi32(_mm512_castps_si512(shifted), _mm512_set1_epi32(0x4B400000));
    const __m512 scale = _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(bits, _mm512_set1_epi32(127)), 23));
    return _mm512_mul_ps(p, scale);
}

#define SLM_TARGET_AVX2 __attribute__((target("avx2,fma")))

/// The sum of the eight lanes of `v` (AVX).
SLM_TARGET_AVX2 static inline float slm_sum256(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

/// `slm_exp512` eight lanes at a time (AVX2 + FMA), the same steps and constants.

SLM_TARGET_AVX2 static inline __m256 slm_exp256(__m256 input) {
    const __m256 x = _mm256_min_ps(_mm256_max_ps(input, _mm256_set1_ps(-87.33654f)), _mm256_set1_ps(88.0f));
    const __m256 magic = _mm256_set1_ps(12582912.0f);
    const __m256 shifted = _mm256_fmadd_ps(x, _mm256_set1_ps(1.44269504f), magic);
    const __m256 n = _mm256_sub_ps(shifted, magic);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
    __m256 p = _mm256_set1_ps(1.9875691500e-4f);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
    p = _mm256_fmadd_ps(p, _mm256_mul_ps(r, r), _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
    const __m256i bits = _mm256_sub_epi32(_mm256_castps_si256(shifted), _mm256_set1_epi32(0x4B400000));
    const __m256 scale = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(bits, _mm256_set1_epi32(127)), 23));
    return _mm256_mul_ps(p, scale);
}

#endif
