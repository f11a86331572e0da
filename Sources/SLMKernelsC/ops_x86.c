// The element-wise work of the forward pass between the matrix products, 16 floats a step
// (AVX-512F). SLMCore's `TransformerOps` holds the scalar definitions they are tested against.
#include "SLMKernelsC.h"

#if defined(__x86_64__)
#include <immintrin.h>

#include "ops_exp_x86.h"

/// Mask of the first `n` (0...16) lanes.
static inline __mmask16 lanes(int64_t n) { return n >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << n) - 1); }

SLM_TARGET_AVX512 static inline void scale_into(float *out, const float *x, const float *weight, int64_t n, float scale) {
    const __m512 s = _mm512_set1_ps(scale);
    for (int64_t i = 0; i < n; i += 16) {
        const __mmask16 m = lanes(n - i);
        const __m512 v = _mm512_mul_ps(_mm512_maskz_loadu_ps(m, x + i), s);
        _mm512_mask_storeu_ps(out + i, m, _mm512_mul_ps(v, _mm512_maskz_loadu_ps(m, weight + i)));
    }
}

SLM_TARGET_AVX512 void slm_rmsnorm_f32(float *out, const float *x, const float *weight, int64_t n, float epsilon) {
    __m512 a = _mm512_setzero_ps(), b = _mm512_setzero_ps();
    int64_t i = 0;
    for (; i + 32 <= n; i += 32) {
        const __m512 u = _mm512_loadu_ps(x + i), v = _mm512_loadu_ps(x + i + 16);
        a = _mm512_fmadd_ps(u, u, a);
        b = _mm512_fmadd_ps(v, v, b);
    }
    for (; i < n; i += 16) {
        const __m512 u = _mm512_maskz_loadu_ps(lanes(n - i), x + i);
        a = _mm512_fmadd_ps(u, u, a);
    }
    const float meanSquare = _mm512_reduce_add_ps(_mm512_add_ps(a, b)) / (float)n;
    scale_into(out, x, weight, n, 1.0f / __builtin_sqrtf(meanSquare + epsilon));
}

SLM_TARGET_AVX512 void slm_add_rmsnorm_f32(float *x, const float *y, float *out, const float *weight, int64_t n,
                                           float epsilon) {
    __m512 a = _mm512_setzero_ps();
    for (int64_t i = 0; i < n; i += 16) {
        const __mmask16 m = lanes(n - i);
        const __m512 u = _mm512_add_ps(_mm512_maskz_loadu_ps(m, x + i), _mm512_maskz_loadu_ps(m, y + i));
        _mm512_mask_storeu_ps(x + i, m, u);
        a = _mm512_fmadd_ps(u, u, a);
    }
    const float meanSquare = _mm512_reduce_add_ps(a) / (float)n;
    scale_into(out, x, weight, n, 1.0f / __builtin_sqrtf(meanSquare + epsilon));
}

SLM_TARGET_AVX512 void slm_rope_f32(float *x, int64_t heads, int64_t head_dim, int64_t rotated,
                                    const float *cos_table, const float *sin_table) {
    for (int64_t h = 0; h < heads; h++) {
        float *head = x + h * head_dim;
        for (int64_t i = 0; i < rotated; i += 16) {
            const __mmask16 m = lanes(rotated - i);
            const __m512 v = _mm512_maskz_loadu_ps(m, head + i);
            // Lane j's partner, j ^ 1: adjacent pairs swapped within each 128-bit lane.
            const __m512 swapped = _mm512_permute_ps(v, 0xB1);
            const __m512 r = _mm512_fmadd_ps(swapped, _mm512_maskz_loadu_ps(m, sin_table + i),
                                             _mm512_mul_ps(v, _mm512_maskz_loadu_ps(m, cos_table + i)));
            _mm512_mask_storeu_ps(head + i, m, r);
        }
    }
}

SLM_TARGET_AVX512 void slm_swiglu_f32(float *gate, const float *up, int64_t n) {
    const __m512 one = _mm512_set1_ps(1.0f);
    for (int64_t i = 0; i < n; i += 16) {
        const __mmask16 m = lanes(n - i);
        const __m512 g = _mm512_maskz_loadu_ps(m, gate + i);
        const __m512 e = slm_exp512(_mm512_sub_ps(_mm512_setzero_ps(), g));
        // 1 / (1 + e): the 14-bit reciprocal estimate and one Newton step (a division costs more).
        const __m512 d = _mm512_add_ps(one, e);
        const __m512 estimate = _mm512_rcp14_ps(d);
        const __m512 inverse = _mm512_mul_ps(estimate, _mm512_fnmadd_ps(d, estimate, _mm512_set1_ps(2.0f)));
        const __m512 silu = _mm512_mul_ps(g, inverse);
        _mm512_mask_storeu_ps(gate + i, m, _mm512_mul_ps(silu, _mm512_maskz_loadu_ps(m, up + i)));
    }
}

#else

void slm_rmsnorm_f32(float *out, const float *x, const float *weight, int64_t n, float epsilon) {
    (void)out; (void)x; (void)weight; (void)n; (void)epsilon;
    __builtin_trap();
}
void slm_add_rmsnorm_f32(float *x, const float *y, float *out, const float *weight, int64_t n, float epsilon) {
    (void)x; (void)y; (void)out; (void)weight; (void)n; (void)epsilon;
    __builtin_trap();
}
void slm_rope_f32(float *x, int64_t heads, int64_t head_dim, int64_t rotated, const float *cos_table, const float *sin_table) {
    (void)x; (void)heads; (void)head_dim; (void)rotated; (void)cos_table; (void)sin_table;
    __builtin_trap();
}
void slm_swiglu_f32(float *gate, const float *up, int64_t n) {
    (void)gate; (void)up; (void)n;
    __builtin_trap();
}
#endif
