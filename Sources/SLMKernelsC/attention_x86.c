// Attention of one query head over a run of fp32 keys and values (AVX2 + FMA, 8 floats a step):
// scores = softmax(q·kᵀ · scale), out = Σ scores[t] · v[t]. SLMCore's `AttentionKernel.headReference`
// is the scalar definition it is tested against.
#include "SLMKernelsC.h"

#if defined(__x86_64__)
#include <immintrin.h>
#include <math.h>

#define T256 __attribute__((target("avx2,fma")))

T256 static inline float hsum8(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

T256 void slm_attention_head_f32(const float *q, const float *keys, const float *values, size_t kv_stride,
                                 int64_t length, int64_t head_dim, float scale, float *scores, float *out) {
    float maximum = -INFINITY;
    for (int64_t t = 0; t < length; t++) {
        const float *k = keys + (size_t)t * kv_stride;
        __m256 a = _mm256_setzero_ps(), b = _mm256_setzero_ps();
        int64_t i = 0;
        for (; i + 16 <= head_dim; i += 16) {
            a = _mm256_fmadd_ps(_mm256_loadu_ps(q + i), _mm256_loadu_ps(k + i), a);
            b = _mm256_fmadd_ps(_mm256_loadu_ps(q + i + 8), _mm256_loadu_ps(k + i + 8), b);
        }
        for (; i + 8 <= head_dim; i += 8) a = _mm256_fmadd_ps(_mm256_loadu_ps(q + i), _mm256_loadu_ps(k + i), a);
        float s = hsum8(_mm256_add_ps(a, b));
        for (; i < head_dim; i++) s += q[i] * k[i];
        s *= scale;
        scores[t] = s;
        if (s > maximum) maximum = s;
    }
    float sum = 0;
    for (int64_t t = 0; t < length; t++) {
        scores[t] = expf(scores[t] - maximum);
        sum += scores[t];
    }
    const float inverse = 1.0f / sum;
    int64_t i = 0;
    for (; i + 8 <= head_dim; i += 8) {
        __m256 acc = _mm256_setzero_ps();
        for (int64_t t = 0; t < length; t++)
            acc = _mm256_fmadd_ps(_mm256_set1_ps(scores[t]), _mm256_loadu_ps(values + (size_t)t * kv_stride + i), acc);
        _mm256_storeu_ps(out + i, _mm256_mul_ps(acc, _mm256_set1_ps(inverse)));
    }
    for (; i < head_dim; i++) {
        float acc = 0;
        for (int64_t t = 0; t < length; t++) acc += scores[t] * values[(size_t)t * kv_stride + i];
        out[i] = acc * inverse;
    }
}

#else

void slm_attention_head_f32(const float *q, const float *keys, const float *values, size_t kv_stride,
                            int64_t length, int64_t head_dim, float scale, float *scores, float *out) {
    (void)q; (void)keys; (void)values; (void)kv_stride; (void)length; (void)head_dim; (void)scale;
    (void)scores; (void)out;
    __builtin_trap();
}
#endif
