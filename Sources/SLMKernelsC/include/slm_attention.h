/// Attention kernels (AVX2 + FMA on x86-64), declared apart from the matrix kernels.
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

#ifdef __cplusplus
}
#endif
#endif
