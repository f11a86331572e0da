// K-quant row kernels (Q4_K, Q5_K and Q6_K weights times Q8_K activations) for x86-64 with AVX2, also
// run on AVX-512 VNNI CPUs, which have no panel kernel for these types. Per 256-element super-block
// the integer sums are exact (vpmaddubsw pairs fit 16 bits: at most 63·128·2), and they are
// scaled to floats in the order of SLMCore's `ReferenceDot`, so a row's dot product has the same
// bits as the scalar definition.
#include "SLMKernelsC.h"

#if defined(__x86_64__)
#include <immintrin.h>
#include <string.h>

#define KQ_FN static inline __attribute__((always_inline, target("avx2,fma,f16c")))
#define KQ_TARGET __attribute__((target("avx2,fma,f16c")))

KQ_FN int32_t kq_hsum(__m256i v) {
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4E));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xB1));
    return _mm_cvtsi128_si32(s);
}

KQ_FN float kq_half(const uint8_t *p) {
    uint16_t bits;
    memcpy(&bits, p, 2);
    return _cvtsh_ss(bits);
}

/// Bytes 0..31 of `v` shifted right by `bits` within each byte.
KQ_FN __m256i kq_shift_bytes(__m256i v, int bits, __m256i mask) { return _mm256_and_si256(_mm256_srli_epi16(v, bits), mask); }

/// The Q8_K block's 16 sums of 16 activations each.
KQ_FN const int16_t *kq_bsums(const uint8_t *xb) { return (const int16_t *)(xb + 260); }

/// Activation rows one weight row is multiplied with at a time: its blocks are unpacked once for
/// all of them.
#define KQ_TILE 4

/// Q4_K or (`high`) Q5_K · Q8_K for `nx` (1...KQ_TILE) activation rows `x_stride` apart, into
/// `out[0 ..< nx]`: eight groups of 32 with 6-bit scales and mins; Q5_K adds a fifth bit per
/// value from `qh` (bit g of byte l for element l of group g). Per row, Σ_g sc_g·Σ q·x (exact)
/// times d·d_x, less Σ_g m_g·(sums of the group's activations) times dmin·d_x.
KQ_FN void kq_dot_q45_K(const uint8_t *w, const uint8_t *x, size_t x_stride, const int nx, int64_t blocks, float *out,
                        const int high) {
    const __m256i low = _mm256_set1_epi8(0x0F), one = _mm256_set1_epi8(0x01);
    const size_t block_bytes = high ? 176 : 144, quants = high ? 48 : 16;
    float total[KQ_TILE] = {0};
    for (int64_t b = 0; b < blocks; b++) {
        const uint8_t *wb = w + b * block_bytes, *s = wb + 4;
        const __m256i qh = high ? _mm256_loadu_si256((const __m256i *)(wb + 16)) : _mm256_setzero_si256();
        int32_t scale[8], minimum[8];
        for (int g = 0; g < 4; g++) {
            scale[g] = s[g] & 63;
            minimum[g] = s[g + 4] & 63;
            scale[g + 4] = (s[g + 8] & 0xF) | ((s[g] >> 6) << 4);
            minimum[g + 4] = (s[g + 8] >> 4) | ((s[g + 4] >> 6) << 4);
        }
        __m256i acc[KQ_TILE];
        for (int i = 0; i < nx; i++) acc[i] = _mm256_setzero_si256();
        for (int k = 0; k < 4; k++) {
            const __m256i q = _mm256_loadu_si256((const __m256i *)(wb + quants + 32 * k));
            __m256i q0 = _mm256_and_si256(q, low), q1 = kq_shift_bytes(q, 4, low);
            if (high) {
                q0 = _mm256_or_si256(q0, _mm256_slli_epi16(kq_shift_bytes(qh, 2 * k, one), 4));
                q1 = _mm256_or_si256(q1, _mm256_slli_epi16(kq_shift_bytes(qh, 2 * k + 1, one), 4));
            }
            const __m256i s0 = _mm256_set1_epi16((int16_t)scale[2 * k]), s1 = _mm256_set1_epi16((int16_t)scale[2 * k + 1]);
            for (int i = 0; i < nx; i++) {
                const uint8_t *xq = x + (size_t)i * x_stride + b * 292 + 4 + 64 * k;
                const __m256i p0 = _mm256_maddubs_epi16(q0, _mm256_loadu_si256((const __m256i *)xq));
                const __m256i p1 = _mm256_maddubs_epi16(q1, _mm256_loadu_si256((const __m256i *)(xq + 32)));
                acc[i] = _mm256_add_epi32(acc[i], _mm256_add_epi32(_mm256_madd_epi16(p0, s0), _mm256_madd_epi16(p1, s1)));
            }
        }
        const float d = kq_half(wb), dmin = kq_half(wb + 2);
        for (int i = 0; i < nx; i++) {
            const uint8_t *xb = x + (size_t)i * x_stride + b * 292;
            const int16_t *bsums = kq_bsums(xb);
            int32_t sumMins = 0;
            for (int g = 0; g < 8; g++) sumMins += minimum[g] * ((int32_t)bsums[2 * g] + (int32_t)bsums[2 * g + 1]);
            float dx;
            memcpy(&dx, xb, 4);
            // The reference's order: (d·d_x)·Σ − (dmin·d_x)·Σm, nothing fused.
            const float scaled = d * dx * (float)kq_hsum(acc[i]);
            const float mins = dmin * dx * (float)sumMins;
            total[i] += scaled - mins;
        }
    }
    for (int i = 0; i < nx; i++) out[i] = total[i];
}

KQ_FN void kq_dot_q4_K(const uint8_t *w, const uint8_t *x, size_t x_stride, const int nx, int64_t blocks, float *out) {
    kq_dot_q45_K(w, x, x_stride, nx, blocks, out, 0);
}

KQ_FN void kq_dot_q5_K(const uint8_t *w, const uint8_t *x, size_t x_stride, const int nx, int64_t blocks, float *out) {
    kq_dot_q45_K(w, x, x_stride, nx, blocks, out, 1);
}

/// Q6_K · Q8_K for `nx` (1...KQ_TILE) activation rows, as `kq_dot_q45_K`: sixteen groups of 16
/// with int8 scales, q = 4 low bits | 2 high bits << 4, weight d·sc·(q − 32). The −32 comes off
/// through the activations' group sums.
KQ_FN void kq_dot_q6_K(const uint8_t *w, const uint8_t *x, size_t x_stride, const int nx, int64_t blocks, float *out) {
    const __m256i low = _mm256_set1_epi8(0x0F), two = _mm256_set1_epi8(0x03);
    float total[KQ_TILE] = {0};
    for (int64_t b = 0; b < blocks; b++) {
        const uint8_t *wb = w + b * 210;
        const int8_t *scales = (const int8_t *)(wb + 192);
        __m256i acc[KQ_TILE];
        for (int i = 0; i < nx; i++) acc[i] = _mm256_setzero_si256();
        for (int half = 0; half < 2; half++) {
            const __m256i l0 = _mm256_loadu_si256((const __m256i *)(wb + 64 * half));
            const __m256i l1 = _mm256_loadu_si256((const __m256i *)(wb + 64 * half + 32));
            const __m256i h = _mm256_loadu_si256((const __m256i *)(wb + 128 + 32 * half));
            __m256i q[4];
            q[0] = _mm256_or_si256(_mm256_and_si256(l0, low), _mm256_slli_epi16(_mm256_and_si256(h, two), 4));
            q[1] = _mm256_or_si256(_mm256_and_si256(l1, low), _mm256_slli_epi16(kq_shift_bytes(h, 2, two), 4));
            q[2] = _mm256_or_si256(kq_shift_bytes(l0, 4, low), _mm256_slli_epi16(kq_shift_bytes(h, 4, two), 4));
            q[3] = _mm256_or_si256(kq_shift_bytes(l1, 4, low), _mm256_slli_epi16(kq_shift_bytes(h, 6, two), 4));
            for (int k = 0; k < 4; k++) {
                const int g = 8 * half + 2 * k;  // the group of elements 0-15 of these 32; g + 1 has 16-31
                const __m256i sc = _mm256_set_m128i(_mm_set1_epi16(scales[g + 1]), _mm_set1_epi16(scales[g]));
                for (int i = 0; i < nx; i++) {
                    const uint8_t *xq = x + (size_t)i * x_stride + b * 292 + 4 + 128 * half + 32 * k;
                    const __m256i p = _mm256_maddubs_epi16(q[k], _mm256_loadu_si256((const __m256i *)xq));
                    acc[i] = _mm256_add_epi32(acc[i], _mm256_madd_epi16(p, sc));
                }
            }
        }
        const float d = kq_half(wb + 208);
        for (int i = 0; i < nx; i++) {
            const uint8_t *xb = x + (size_t)i * x_stride + b * 292;
            const int16_t *bsums = kq_bsums(xb);
            int32_t offset = 0;
            for (int g = 0; g < 16; g++) offset += (int32_t)scales[g] * (int32_t)bsums[g];
            float dx;
            memcpy(&dx, xb, 4);
            const float block = d * dx * (float)(kq_hsum(acc[i]) - 32 * offset);  // not fused into the sum
            total[i] += block;
        }
    }
    for (int i = 0; i < nx; i++) out[i] = total[i];
}

typedef void (*kq_dot_fn)(const uint8_t *, const uint8_t *, size_t, int, int64_t, float *);

/// Every weight row times every activation row with `dot`, KQ_TILE activation rows at a time
/// (each tile size its own inlined instance).
KQ_FN void kq_gemm(kq_dot_fn dot, const void *w, size_t w_stride, int64_t rows, int64_t blocks, const void *x,
                   size_t x_stride, int64_t batch, float *y, size_t y_stride) {
    float out[KQ_TILE];
    for (int64_t r = 0; r < rows; r++) {
        const uint8_t *row = (const uint8_t *)w + (size_t)r * w_stride;
        for (int64_t b = 0; b < batch; b += KQ_TILE) {
            const uint8_t *xb = (const uint8_t *)x + (size_t)b * x_stride;
            const int64_t nx = batch - b < KQ_TILE ? batch - b : KQ_TILE;
            switch (nx) {
            case 1: dot(row, xb, x_stride, 1, blocks, out); break;
            case 2: dot(row, xb, x_stride, 2, blocks, out); break;
            case 3: dot(row, xb, x_stride, 3, blocks, out); break;
            default: dot(row, xb, x_stride, 4, blocks, out); break;
            }
            for (int64_t i = 0; i < nx; i++) y[(size_t)(b + i) * y_stride + (size_t)r] = out[i];
        }
    }
}

KQ_TARGET void slm_gemm_q4_K_q8_K_avx2(const void *w, size_t w_stride, int64_t rows, int64_t blocks, const void *x,
                                       size_t x_stride, int64_t batch, float *y, size_t y_stride) {
    kq_gemm(kq_dot_q4_K, w, w_stride, rows, blocks, x, x_stride, batch, y, y_stride);
}

KQ_TARGET void slm_gemm_q5_K_q8_K_avx2(const void *w, size_t w_stride, int64_t rows, int64_t blocks, const void *x,
                                       size_t x_stride, int64_t batch, float *y, size_t y_stride) {
    kq_gemm(kq_dot_q5_K, w, w_stride, rows, blocks, x, x_stride, batch, y, y_stride);
}

KQ_TARGET void slm_gemm_q6_K_q8_K_avx2(const void *w, size_t w_stride, int64_t rows, int64_t blocks, const void *x,
                                       size_t x_stride, int64_t batch, float *y, size_t y_stride) {
    kq_gemm(kq_dot_q6_K, w, w_stride, rows, blocks, x, x_stride, batch, y, y_stride);
}

#else

// Not x86-64: the entry points exist so Swift links everywhere; SLMCore never calls them there.
void slm_gemm_q4_K_q8_K_avx2(const void *w, size_t w_stride, int64_t rows, int64_t blocks, const void *x,
                             size_t x_stride, int64_t batch, float *y, size_t y_stride) {
    (void)w; (void)w_stride; (void)rows; (void)blocks; (void)x; (void)x_stride; (void)batch; (void)y; (void)y_stride;
    __builtin_trap();
}
void slm_gemm_q5_K_q8_K_avx2(const void *w, size_t w_stride, int64_t rows, int64_t blocks, const void *x,
                             size_t x_stride, int64_t batch, float *y, size_t y_stride) {
    (void)w; (void)w_stride; (void)rows; (void)blocks; (void)x; (void)x_stride; (void)batch; (void)y; (void)y_stride;
    __builtin_trap();
}
void slm_gemm_q6_K_q8_K_avx2(const void *w, size_t w_stride, int64_t rows, int64_t blocks, const void *x,
                             size_t x_stride, int64_t batch, float *y, size_t y_stride) {
    (void)w; (void)w_stride; (void)rows; (void)blocks; (void)x; (void)x_stride; (void)batch; (void)y; (void)y_stride;
    __builtin_trap();
}
#endif
