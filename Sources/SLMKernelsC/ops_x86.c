// The element-wise work of the forward pass between the matrix products, 16 floats a step
// (AVX-512F), and the same eight floats a step (`…_avx2`, AVX2 + FMA). SLMCore's `TransformerOps`
// holds the scalar definitions they are tested against.
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

// MARK: AVX2 + FMA: eight floats a step, the tail one at a time as the scalar definitions do

SLM_TARGET_AVX2 static inline void scale_into_avx2(float *out, const float *x, const float *weight, int64_t n, float scale) {
    const __m256 s = _mm256_set1_ps(scale);
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(out + i, _mm256_mul_ps(_mm256_mul_ps(_mm256_loadu_ps(x + i), s), _mm256_loadu_ps(weight + i)));
    for (; i < n; i++) out[i] = x[i] * scale * weight[i];
}

SLM_TARGET_AVX2 void slm_rmsnorm_f32_avx2(float *out, const float *x, const float *weight, int64_t n, float epsilon) {
    __m256 a = _mm256_setzero_ps(), b = _mm256_setzero_ps();
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        const __m256 u = _mm256_loadu_ps(x + i), v = _mm256_loadu_ps(x + i + 8);
        a = _mm256_fmadd_ps(u, u, a);
        b = _mm256_fmadd_ps(v, v, b);
    }
    for (; i + 8 <= n; i += 8) {
        const __m256 u = _mm256_loadu_ps(x + i);
        a = _mm256_fmadd_ps(u, u, a);
    }
    float sum = slm_sum256(_mm256_add_ps(a, b));
    for (; i < n; i++) sum += x[i] * x[i];
    scale_into_avx2(out, x, weight, n, 1.0f / __builtin_sqrtf(sum / (float)n + epsilon));
}

SLM_TARGET_AVX2 void slm_add_rmsnorm_f32_avx2(float *x, const float *y, float *out, const float *weight, int64_t n,
                                              float epsilon) {
    __m256 a = _mm256_setzero_ps();
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 u = _mm256_add_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i));
        _mm256_storeu_ps(x + i, u);
        a = _mm256_fmadd_ps(u, u, a);
    }
    float sum = slm_sum256(a);
    for (; i < n; i++) {
        x[i] += y[i];
        sum += x[i] * x[i];
    }
    scale_into_avx2(out, x, weight, n, 1.0f / __builtin_sqrtf(sum / (float)n + epsilon));
}

SLM_TARGET_AVX2 void slm_rope_f32_avx2(float *x, int64_t heads, int64_t head_dim, int64_t rotated,
                                       const float *cos_table, const float *sin_table) {
    for (int64_t h = 0; h < heads; h++) {
        float *head = x + h * head_dim;
        int64_t i = 0;
        for (; i + 8 <= rotated; i += 8) {
            const __m256 v = _mm256_loadu_ps(head + i);
            // Lane j's partner, j ^ 1: adjacent pairs swapped within each 128-bit lane.
            const __m256 swapped = _mm256_permute_ps(v, 0xB1);
            _mm256_storeu_ps(head + i, _mm256_fmadd_ps(swapped, _mm256_loadu_ps(sin_table + i),
                                                       _mm256_mul_ps(v, _mm256_loadu_ps(cos_table + i))));
        }
        for (; i + 1 < rotated; i += 2) {
            const float x0 = head[i], x1 = head[i + 1];
            head[i] = x0 * cos_table[i] + x1 * sin_table[i];
            head[i + 1] = x1 * cos_table[i + 1] + x0 * sin_table[i + 1];
        }
    }
}

SLM_TARGET_AVX2 void slm_swiglu_f32_avx2(float *gate, const float *up, int64_t n) {
    const __m256 one = _mm256_set1_ps(1.0f), two = _mm256_set1_ps(2.0f);
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 g = _mm256_loadu_ps(gate + i);
        const __m256 d = _mm256_add_ps(one, slm_exp256(_mm256_sub_ps(_mm256_setzero_ps(), g)));
        // 1 / (1 + e^-g): the 12-bit reciprocal estimate and one Newton step.
        const __m256 estimate = _mm256_rcp_ps(d);
        const __m256 inverse = _mm256_mul_ps(estimate, _mm256_fnmadd_ps(d, estimate, two));
        _mm256_storeu_ps(gate + i, _mm256_mul_ps(_mm256_mul_ps(g, inverse), _mm256_loadu_ps(up + i)));
    }
    for (; i < n; i++) {
        const float g = gate[i];
        gate[i] = g / (1.0f + __builtin_expf(-g)) * up[i];
    }
}

#else

void slm_rmsnorm_f32_avx2(float *out, const float *x, const float *weight, int64_t n, float epsilon) {
    (void)out; (void)x; (void)weight; (void)n; (void)epsilon;
    __builtin_trap();
}
void slm_add_rmsnorm_f32_avx2(float *x, const float *y, float *out, const float *weight, int64_t n, float epsilon) {
    (void)x; (void)y; (void)out; (void)weight; (void)n; (void)epsilon;
    __builtin_trap();
}
void slm_rope_f32_avx2(float *x, int64_t heads, int64_t head_dim, int64_t rotated, const float *cos_table, const float *sin_table) {
    (void)x; (void)heads; (void)head_dim; (void)rotated; (void)cos_table; (void)sin_table;
    __builtin_trap();
}
void slm_swiglu_f32_avx2(float *gate, const float *up, int64_t n) {
    (void)gate; (void)up; (void)n;
    __builtin_trap();
}

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
