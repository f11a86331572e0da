/// Attention over an fp16 key/value cache and the element-wise kernels around the matrix products
/// (x86-64), declared apart from the matrix kernels.
#ifndef SLM_ATTENTION_H
#define SLM_ATTENTION_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// MARK: The fp16 key/value cache (F16C; any CPU with SLM_FEATURE_AVX2)
//
// One key/value head of one layer of one sequence holds, for a capacity of C positions (a multiple
// of SLM_KV_TILE_POSITIONS) and heads of D dimensions, C·D halves (IEEE binary16 bit patterns) of
// keys and as many of values:
// - keys in transposed tiles: `[tile = t / 16][d = 0 ..< D][t % 16]`, so the scores of a query
//   against the 16 positions of a tile are Σ_d q[d] · tile[d] over 16 lanes;
// - values `[t][d]`, one row of D halves per position.

/// Positions per key tile.
#define SLM_KV_TILE_POSITIONS 16

/// Stores position `position`'s keys and values, `kv_heads` heads of `head_dim` floats at `k` and
/// `v`, as halves (rounded to nearest even): head h's keys into the tile layout at
/// `key_tiles + h·head_stride`, its values at `values + h·head_stride`.
void slm_kv_store_f16c(const float *k, const float *v, int64_t kv_heads, int64_t head_dim, int64_t position,
                       uint16_t *key_tiles, uint16_t *values, size_t head_stride);

/// `out[i] = half(x[i])` (rounded to nearest even) for `n` floats.
void slm_f32_to_f16_f16c(const float *x, uint16_t *out, int64_t n);

// MARK: Attention of one query head (AVX2 + FMA + F16C; any CPU with SLM_FEATURE_AVX2)

/// One query head of `head_dim` floats over positions `0 ..< length` of one key/value head of the
/// cache (`key_tiles`, `values` as above): `out = Σ_t softmax_t(q·k[t] · scale) · v[t]`, with
/// `scores` as scratch for `length` floats rounded up to 16.
void slm_attention_head_f16_avx2(const float *q, const uint16_t *key_tiles, const uint16_t *values, int64_t length,
                                 int64_t head_dim, float scale, float *scores, float *out);

/// `slm_attention_head_f16_avx2` over one key/value head of the 8-bit cache (AVX2 + FMA).
void slm_attention_head_q8_avx2(const float *q, const uint8_t *key_tiles, const uint8_t *values, int64_t length,
                                int64_t head_dim, float scale, float *scores, float *out);

// MARK: Attention of a run of positions (AVX-512F; any CPU with SLM_FEATURE_AVX512_VNNI)

// MARK: The 8-bit key/value cache (portable store; AVX-512F attention)
//
// The same tiles of 16 positions, at about half the bytes: each key/value head of a layer is a
// run of tiles of `slm_kv_q8_tile_bytes(D)` bytes for keys and as many for values. A tile holds
// - keys: int8 `[d = 0 ..< D][t % 16]`, then float scales `[block = d / 32][t % 16]`;
// - values: int8 `[t % 16][d = 0 ..< D]`, then float scales `[block = d / 32][t % 16]`.
// Each 32 dimensions (fewer in a last block) of a position's key or value have their own scale
// d = max|x| / 127; x ≈ q · d with q = x / d rounded to nearest even.

/// Bytes of one tile of keys (or of values) of a `head_dim`-wide head in the 8-bit cache.
size_t slm_kv_q8_tile_bytes(int64_t head_dim);

/// Stores position `position`'s keys and values (as `slm_kv_store_f16c`) in the 8-bit cache: head
/// h's key tiles at `key_tiles + h·head_stride`, its value tiles at `values + h·head_stride` (bytes).
void slm_kv_store_q8(const float *k, const float *v, int64_t kv_heads, int64_t head_dim, int64_t position,
                     uint8_t *key_tiles, uint8_t *values, size_t head_stride);

/// `slm_kv_store_q8` with AVX-512 (the same bytes).
void slm_kv_store_q8_avx512(const float *k, const float *v, int64_t kv_heads, int64_t head_dim, int64_t position,
                            uint8_t *key_tiles, uint8_t *values, size_t head_stride);

/// Queries one call takes at most (`rows · group`).
#define SLM_ATTENTION_MAX_QUERIES 256
/// Widest head the run kernel takes.
#define SLM_ATTENTION_MAX_HEAD_DIM 256

/// Causal attention of `group` query heads sharing one key/value head of the cache, for `rows`
/// consecutive positions `first_position ...` of one sequence. Query head g of row r is `head_dim`
/// floats at `q + r·q_row_stride + g·head_dim`, its output at `out + r·out_row_stride + g·head_dim`;
/// row r attends to positions `0 ... first_position + r`. Needs `rows · group ≤
/// SLM_ATTENTION_MAX_QUERIES` and `head_dim ≤ SLM_ATTENTION_MAX_HEAD_DIM`.
void slm_attention_rows_f16_avx512(const float *q, size_t q_row_stride, int64_t rows, int64_t group,
                                   int64_t first_position, const uint16_t *key_tiles, const uint16_t *values,
                                   int64_t head_dim, float scale, float *out, size_t out_row_stride);

/// `slm_attention_rows_f16_avx512` over one key/value head of the 8-bit cache.
void slm_attention_rows_q8_avx512(const float *q, size_t q_row_stride, int64_t rows, int64_t group,
                                  int64_t first_position, const uint8_t *key_tiles, const uint8_t *values,
                                  int64_t head_dim, float scale, float *out, size_t out_row_stride);

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

/// The index of the largest of `n` floats: the first on ties, NaNs never chosen, 0 when none
/// exceeds −∞ (argmax_x86.c).
int64_t slm_argmax_f32(const float *x, int64_t n);

/// Softmax statistics of `n` logits (sampling_x86.c): `*maximum` = the largest (NaNs left out,
/// −∞ when none), `sums[0]` = Σ e^(x − max) and `sums[1]` = Σ e^(x − max)·(x − max), each shift
/// raised to −87.33654 at least; a logit of −∞ or NaN adds 0.
void slm_softmax_stats_f32(const float *x, int64_t n, float *maximum, double sums[2]);

/// `weights[i] = e^((x[i] − maximum)·factor)` (the exponent raised to −87.33654 at least; 0 for a
/// logit of −∞ or NaN), and the sum of each run of 1024 weights in `block_sums` (⌈n / 1024⌉ of them).
void slm_shifted_exp_f32(const float *x, int64_t n, float maximum, float factor, float *weights, double *block_sums);

/// Writes to `out`, in increasing order, the index of every one of the `n` floats that is at least
/// `threshold` (NaNs never), and returns how many (at most `n`).
int64_t slm_indices_at_least(const float *x, int64_t n, float threshold, int32_t *out);

// MARK: Element-wise (AVX2 + FMA; any CPU with SLM_FEATURE_AVX2): the same four, eight floats a step

void slm_rmsnorm_f32_avx2(float *out, const float *x, const float *weight, int64_t n, float epsilon);
void slm_add_rmsnorm_f32_avx2(float *x, const float *y, float *out, const float *weight, int64_t n, float epsilon);
void slm_rope_f32_avx2(float *x, int64_t heads, int64_t head_dim, int64_t rotated, const float *cos_table, const float *sin_table);
void slm_swiglu_f32_avx2(float *gate, const float *up, int64_t n);
int64_t slm_argmax_f32_avx2(const float *x, int64_t n);
void slm_softmax_stats_f32_avx2(const float *x, int64_t n, float *maximum, double sums[2]);
void slm_shifted_exp_f32_avx2(const float *x, int64_t n, float maximum, float factor, float *weights, double *block_sums);
int64_t slm_indices_at_least_avx2(const float *x, int64_t n, float threshold, int32_t *out);

#ifdef __cplusplus
}
#endif
#endif
