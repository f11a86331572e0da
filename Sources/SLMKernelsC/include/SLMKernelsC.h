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

/// The sum of `count` floats, read with four 256-bit accumulators (AVX2; SLM_FEATURE_AVX2 only):
/// the loop of read-bandwidth measurements, fast enough not to be what they measure.
float slm_read_sum_avx2(const float *p, int64_t count);

/// y[b * y_stride + r] = dot(weight row r, activation row b) for r < rows, b < batch.
///
/// Weight rows are `blocks` consecutive GGML blocks, `w_stride` bytes apart; activation rows are
/// `blocks` consecutive 8-bit blocks of the matching type (Q8_1 for Q4_0/Q4_1, Q8_0 for Q8_0,
/// Q8_K for the K-quants), `x_stride` bytes apart.
typedef void (*slm_gemm_fn)(const void *w, size_t w_stride, int64_t rows, int64_t blocks,
                            const void *x, size_t x_stride, int64_t batch,
                            float *y, size_t y_stride);

// MARK: Rows: AVX2 (vpmaddubsw), for CPUs without AVX-512 VNNI (gemm_x86.c)
void slm_gemm_q4_0_q8_1_avx2(const void *w, size_t w_stride, int64_t rows, int64_t blocks,
                             const void *x, size_t x_stride, int64_t batch, float *y, size_t y_stride);
void slm_gemm_q4_1_q8_1_avx2(const void *w, size_t w_stride, int64_t rows, int64_t blocks,
                             const void *x, size_t x_stride, int64_t batch, float *y, size_t y_stride);
void slm_gemm_q8_0_q8_0_avx2(const void *w, size_t w_stride, int64_t rows, int64_t blocks,
                             const void *x, size_t x_stride, int64_t batch, float *y, size_t y_stride);

// MARK: Rows: K-quants times Q8_K, AVX2 (vpmaddubsw), on AVX2 and AVX-512 VNNI CPUs (gemm_kquant_x86.c)
void slm_gemm_q4_K_q8_K_avx2(const void *w, size_t w_stride, int64_t rows, int64_t blocks,
                             const void *x, size_t x_stride, int64_t batch, float *y, size_t y_stride);
void slm_gemm_q5_K_q8_K_avx2(const void *w, size_t w_stride, int64_t rows, int64_t blocks,
                             const void *x, size_t x_stride, int64_t batch, float *y, size_t y_stride);
void slm_gemm_q6_K_q8_K_avx2(const void *w, size_t w_stride, int64_t rows, int64_t blocks,
                             const void *x, size_t x_stride, int64_t batch, float *y, size_t y_stride);

// MARK: Batches: AVX-512 VNNI on 512-bit registers, weights packed per call (gemm_panel_x86.c)

/// Bytes of scratch one call of a packed kernel needs for rows of `blocks` blocks.
size_t slm_gemm_panel_scratch_bytes(int64_t blocks);

/// Function type of the packed kernels: as `slm_gemm_fn`, plus `xs`, the [d_x, s_x] floats of
/// every activation block (`batch` rows of `blocks` pairs; see `slm_activation_scales_*`), and
/// `scratch` of `slm_gemm_panel_scratch_bytes(blocks)` bytes that no other thread uses meanwhile.
typedef void (*slm_gemm_panel_fn)(const void *w, size_t w_stride, int64_t rows, int64_t blocks,
                                   const void *x, size_t x_stride, const float *xs, int64_t batch,
                                   float *y, size_t y_stride, void *scratch);

void slm_gemm_panel_q4_0_q8_1_vnni(const void *w, size_t w_stride, int64_t rows, int64_t blocks,
                                    const void *x, size_t x_stride, const float *xs, int64_t batch,
                                    float *y, size_t y_stride, void *scratch);
void slm_gemm_panel_q4_1_q8_1_vnni(const void *w, size_t w_stride, int64_t rows, int64_t blocks,
                                    const void *x, size_t x_stride, const float *xs, int64_t batch,
                                    float *y, size_t y_stride, void *scratch);
void slm_gemm_panel_q8_0_q8_0_vnni(const void *w, size_t w_stride, int64_t rows, int64_t blocks,
                                    const void *x, size_t x_stride, const float *xs, int64_t batch,
                                    float *y, size_t y_stride, void *scratch);

// MARK: Weights repacked once into panel order (gemm_panel_x86.c)

/// Bytes `slm_pack_panels_*` writes for a matrix of `rows` rows of `blocks` blocks of `type`
/// (0: Q4_0, 1: Q4_1, 2: Q8_0).
size_t slm_panels_bytes(int type, int64_t rows, int64_t blocks);

/// Repacks `rows` weight rows (`w_stride` bytes apart) into panel order at `out`
/// (`slm_panels_bytes` bytes), for the `slm_gemm_panels_*` kernels. AVX-512 VNNI CPUs only.
void slm_pack_panels_q4_0(const void *w, size_t w_stride, int64_t rows, int64_t blocks, void *out);
void slm_pack_panels_q4_1(const void *w, size_t w_stride, int64_t rows, int64_t blocks, void *out);
void slm_pack_panels_q8_0(const void *w, size_t w_stride, int64_t rows, int64_t blocks, void *out);

/// Function type of the kernels over repacked weights: as `slm_gemm_panel_fn`, with `panels` the
/// repacked rows (the first a multiple of 16 rows into the matrix). The results
/// have the same bits as the `slm_gemm_panel_*` kernels on the original rows.
typedef void (*slm_gemm_panels_fn)(const void *panels, int64_t rows, int64_t blocks, const void *x, size_t x_stride,
                                    const float *xs, int64_t batch, float *y, size_t y_stride, void *scratch);

void slm_gemm_panels_q4_0_q8_1_vnni(const void *panels, int64_t rows, int64_t blocks, const void *x, size_t x_stride,
                                     const float *xs, int64_t batch, float *y, size_t y_stride, void *scratch);
void slm_gemm_panels_q4_1_q8_1_vnni(const void *panels, int64_t rows, int64_t blocks, const void *x, size_t x_stride,
                                     const float *xs, int64_t batch, float *y, size_t y_stride, void *scratch);
void slm_gemm_panels_q8_0_q8_0_vnni(const void *panels, int64_t rows, int64_t blocks, const void *x, size_t x_stride,
                                     const float *xs, int64_t batch, float *y, size_t y_stride, void *scratch);

// MARK: Three to eight activation rows, interleaved once for every product (gemm_panel_x86.c)

/// Activation rows `slm_interleave_activations_*` interleaves at most.
#define SLM_INTERLEAVED_MAX_ROWS 8

/// Bytes `slm_interleave_activations_*` writes for `rows` rows of `blocks` blocks: 40 a block and row.
size_t slm_interleaved_activation_bytes(int64_t rows, int64_t blocks);

/// Copies the quants and scales (`xs` as `slm_activation_scales_*` wrote them) of `rows` (1...8)
/// activation rows into `out` (64-byte aligned), in the order the interleaved kernels read them:
/// per block, each group of 4 quants of every row together, then every row's d_x, then its s_x.
void slm_interleave_activations_q8_1(const void *x, size_t x_stride, const float *xs, int64_t rows, int64_t blocks, void *out);
void slm_interleave_activations_q8_0(const void *x, size_t x_stride, const float *xs, int64_t rows, int64_t blocks, void *out);

/// The repacked-panel kernel for 3...8 activation rows already interleaved at `xi`, weights of
/// `type` (0: Q4_0, 1: Q4_1, 2: Q8_0): the same bits as `slm_gemm_panels_*`, without interleaving
/// on every call.
void slm_gemm_panels_interleaved_vnni(int type, const void *panels, int64_t rows, int64_t blocks, const void *xi, int64_t batch,
                                      float *y, size_t y_stride);

/// [d_x, s_x] as floats for every block of `rows` activation rows (`x_stride` bytes apart) into
/// `xs` (`rows * blocks * 2` floats): d and s of Q8_1 blocks; d and d·Σq of Q8_0 blocks.
void slm_activation_scales_q8_1(const void *x, size_t x_stride, int64_t rows, int64_t blocks, float *xs);
void slm_activation_scales_q8_0(const void *x, size_t x_stride, int64_t rows, int64_t blocks, float *xs);

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
