// x86-64 row kernels for CPUs with AVX2 but without AVX-512 VNNI (vpmaddubsw + vpmaddwd); see
// gemm_x86_body.h. CPUs with AVX-512 VNNI run every batch size on the panel kernels of
// gemm_panel_x86.c instead. The body is written for any DOT_U8_S8, so another instruction set
// is one more include.
#include "SLMKernelsC.h"

#if defined(__x86_64__)
#include <immintrin.h>
#include <stdlib.h>
#include <string.h>

#include "ops_exp_x86.h"

// How far ahead of the block being multiplied the kernels ask for weight bytes: the hardware
// prefetcher alone left a decode step waiting on weight loads.
#ifndef SLM_PREFETCH_BYTES
#define SLM_PREFETCH_BYTES 4096
#endif

#define ISA avx2
#define ISA_TARGET "avx2,fma,f16c"
#define DOT_U8_S8(u, s) _mm256_madd_epi16(_mm256_maddubs_epi16((u), (s)), _mm256_set1_epi16(1))
#include "gemm_x86_body.h"
#undef ISA
#undef ISA_TARGET
#undef DOT_U8_S8

#else

// Not x86-64: the entry points exist so Swift links everywhere, but `slm_cpu_features` reports
// no feature, so SLMCore never calls them.
#define UNAVAILABLE(name)                                                                       \
    void name(const void *w, size_t w_stride, int64_t rows, int64_t blocks, const void *x,      \
              size_t x_stride, int64_t batch, float *y, size_t y_stride) {                      \
        (void)w; (void)w_stride; (void)rows; (void)blocks; (void)x; (void)x_stride;             \
        (void)batch; (void)y; (void)y_stride; __builtin_trap();                                 \
    }
UNAVAILABLE(slm_gemm_q4_0_q8_1_avx2)
UNAVAILABLE(slm_gemm_q4_1_q8_1_avx2)
UNAVAILABLE(slm_gemm_q8_0_q8_0_avx2)
#endif
