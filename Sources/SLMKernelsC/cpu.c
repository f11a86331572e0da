// Run-time CPU feature detection and the spin-wait hint.
#include "SLMKernelsC.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

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

#else

uint32_t slm_cpu_features(void) { return 0; }

void slm_cpu_relax(void) {
#if defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

#endif
