/// Integer dot-product kernels for x86-64 with AVX2 or AVX-512 VNNI, each compiled for its own
/// instruction set through function target attributes so the library still loads on older CPUs.
/// Swift picks one of them at run time (see `KernelSet` in SLMCore); on other CPUs every entry
/// point here reports "not available" and SLMCore uses its portable Swift kernels.
#ifndef SLM_KERNELS_C_H
#define SLM_KERNELS_C_H

#include <stddef.h>
#include <stdint.h>

#include "slm_attention.h"

#ifdef __cplusplus
extern "C" {
#endif

/// Instruction sets this CPU and OS support that the kernels can use.
typedef enum {
    SLM_FEATURE_AVX2 = 1 << 0,        ///< AVX2 + FMA + F16C
    SLM_FEATURE_AVX512_VNNI = 1 << 1, ///< AVX-512 F/BW/VL + VNNI (512-bit register state enabled)
} slm_cpu_feature;

/// The `slm_cpu_feature` bits supported here (0 on non-x86 CPUs).
uint32_t slm_cpu_features(void);

/// One instance of the spin-wait hint (`pause` on x86, `yield` on ARM).
void slm_cpu_relax(void);

/// y[b * y_stride + r] = dot(weight row r, activation row b) for r < rows, b < batch.
///
/// Weight rows are `blocks` consecutive GGML blocks, `w_stride` bytes apart; activation rows are
/// `blocks` consecutive 8-bit blocks of the matching type (Q8_1 for Q4_0/Q4_1, Q8_0 for Q8_0,
/// Q8_K for the K-quants), `x_stride` bytes apart.
typedef void (*slm_gemm_fn)(const void *w, size_t w_stride, int64_t rows, int64_t blocks,
                            const void *x, size_t x_stride, int64_t batch,
                            float *y, size_t y_stride);

// MARK: AVX-512 VNNI (256-bit vpdpbusd)
void slm_gemm_q4_0_q8_1_vnni(const void *w, size_t w_stride, int64_t rows, int64_t blocks,
                             const void *x, size_t x_stride, int64_t batch, float *y, size_t y_stride);
void slm_gemm_q4_1_q8_1_vnni(const void *w, size_t w_stride, int64_t rows, int64_t blocks,
                             const void *x, size_t x_stride, int64_t batch, float *y, size_t y_stride);
void slm_gemm_q8_0_q8_0_vnni(const void *w, size_t w_stride, int64_t rows, int64_t blocks,
                             const void *x, size_t x_stride, int64_t batch, float *y, size_t y_stride);

// MARK: AVX2 (vpmaddubsw)
void slm_gemm_q4_0_q8_1_avx2(const void *w, size_t w_stride, int64_t rows, int64_t blocks,
                             const void *x, size_t x_stride, int64_t batch, float *y, size_t y_stride);
void slm_gemm_q4_1_q8_1_avx2(const void *w, size_t w_stride, int64_t rows, int64_t blocks,
                             const void *x, size_t x_stride, int64_t batch, float *y, size_t y_stride);
void slm_gemm_q8_0_q8_0_avx2(const void *w, size_t w_stride, int64_t rows, int64_t blocks,
                             const void *x, size_t x_stride, int64_t batch, float *y, size_t y_stride);

// MARK: Activation quantizers (`count` floats, a multiple of 32, to Q8_0 or Q8_1 blocks)

/// Function type of the quantizers: `count` floats at `x` to `count / 32` blocks at `out`.
typedef void (*slm_quantize_fn)(const float *x, int64_t count, void *out);

void slm_quantize_q8_0_avx512(const float *x, int64_t count, void *out);
void slm_quantize_q8_1_avx512(const float *x, int64_t count, void *out);
void slm_quantize_q8_0_avx2(const float *x, int64_t count, void *out);
void slm_quantize_q8_1_avx2(const float *x, int64_t count, void *out);

#ifdef __cplusplus
}
#endif
#endif
