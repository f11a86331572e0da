/// Attention and the element-wise kernels around the matrix products (x86-64), declared apart from the matrix kernels.
#ifndef SLM_ATTENTION_H
#define SLM_ATTENTION_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// MARK: Attention (AVX2 + FMA; any CPU with SLM_FEATURE_AVX2)

/// One query head of `head_dim` floats over `length` positions of keys and values, each position
/// `kv_stride` floats after the previous: `out = Σ_t softmax_t(q·k[t] · scale) · v[t]`, with
/// `scores` as scratch for `length` floats.
void slm_attention_head_f32(const float *q, const float *keys, const float *values, size_t kv_stride,
                            int64_t length, int64_t head_dim, float scale, float *scores, float *out);

// MARK: Attention of a run of positions (AVX-512F; any CPU with SLM_FEATURE_AVX512_VNNI)

/// Queries one call takes at most (`rows · group`).
#define SLM_ATTENTION_MAX_QUERIES 256

/// Causal attention of `group` query heads sharing one key/value head, for `rows` consecutive
/// positions `first_position ...` of one sequence. Query head g of row r is `head_dim` floats at
/// `q + r·q_row_stride + g·head_dim`, its output at `out + r·out_row_stride + g·head_dim`; row r
/// attends to positions `0 ... first_position + r`, position t's key and value `t·kv_stride`
/// floats after `keys` and `values`. Needs `rows · group ≤ SLM_ATTENTION_MAX_QUERIES`.
void slm_attention_rows_f32_avx512(const float *q, size_t q_row_stride, int64_t rows, int64_t group,
                                   int64_t first_position, const float *keys, const float *values,
                                   size_t kv_stride, int64_t head_dim, float scale,
                                   float *out, size_t out_row_stride);

// MARK: Element-wise (AVX-512F; any CPU with SLM_FEATURE_AVX512_VNNI)

/// `out = x / sqrt(mean(x²) + epsilon) · weight` over `n` floats.
void slm_rmsnorm_f32(float *out, const float *x, const float *weight, int64_t n, float epsilon);

/// `x += y`, then `out = rmsnorm(x) · weight`: a residual add and the next norm in one pass.
void slm_add_rmsnorm_f32(float *x, const float *y, float *out, const float *weight, int64_t n, float epsilon);

/// RoPE of adjacent pairs: for each of `heads` heads (`head_dim` floats apart) and each j below
/// `rotated` (even), `x[j] = x[j]·cos_table[j] + x[j ^ 1]·sin_table[j]`; the tables hold each
/// pair's cosine twice and its sine as (−sin, +sin).
void slm_rope_f32(float *x, int64_t heads, int64_t head_dim, int64_t rotated, const float *cos_table, const float *sin_table);

/// `gate = silu(gate) · up` over `n` floats, with `silu(g) = g / (1 + e^-g)`.
void slm_swiglu_f32(float *gate, const float *up, int64_t n);

#ifdef __cplusplus
}
#endif
#endif
