// Run-time CPU feature detection, the spin-wait hint, and the read loop of bandwidth measurements.
#include "SLMKernelsC.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#include "ops_exp_x86.h"

uint32_t slm_cpu_features(void) {
    __builtin_cpu_init();
    uint32_t features = 0;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
        __builtin_cpu_supports("f16c")) {
        features |= SLM_FEATURE_AVX2;
    }
    if ((features & SLM_FEATURE_AVX2) && __builtin_cpu_supports("avx512f") &&
        __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
        __builtin_cpu_supports("avx512vnni")) {
        features |= SLM_FEATURE_AVX512_VNNI;
    }
    return features;
}

void slm_cpu_relax(void) { _mm_pause(); }

__attribute__((target("avx2,fma"))) float slm_read_sum_avx2(const float *p, int64_t count) {
    __m256 a = _mm256_setzero_ps(), b = a, c = a, d = a;
    int64_t i = 0;
    for (; i + 32 <= count; i += 32) {
        a = _mm256_add_ps(a, _mm256_loadu_ps(p + i));
        b = _mm256_add_ps(b, _mm256_loadu_ps(p + i + 8));
        c = _mm256_add_ps(c, _mm256_loadu_ps(p + i + 16));
        d = _mm256_add_ps(d, _mm256_loadu_ps(p + i + 24));
    }
    float sum = slm_sum256(_mm256_add_ps(_mm256_add_ps(a, b), _mm256_add_ps(c, d)));
    for (; i < count; i++) sum += p[i];
    return sum;
}

#else

uint32_t slm_cpu_features(void) { return 0; }

float slm_read_sum_avx2(const float *p, int64_t count) {
    (void)p; (void)count;
    __builtin_trap();
}

void slm_cpu_relax(void) {
#if defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

#endif
