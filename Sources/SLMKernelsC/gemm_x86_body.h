// The quantized matrix kernels for one x86 instruction set. Included once per instruction set by
// gemm_x86.c with these macros defined:
//   ISA          the suffix of the public names (vnni, avx2)
//   ISA_TARGET   the function target attribute
//   DOT_U8_S8(u, s)  eight int32 lanes, each the sum of four products u8 * s8 (as __m256i)
// Every gemm walks the weight rows once and, for each row, the activation rows in tiles of four,
// so each weight block is unpacked once per tile and read from memory once per call.

#define CAT2(a, b) a##_##b
#define CAT(a, b) CAT2(a, b)
#define LOCAL(name) CAT(name, ISA)
#define ISA_FN static inline __attribute__((always_inline, target(ISA_TARGET)))

ISA_FN float LOCAL(hsum)(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

ISA_FN float LOCAL(half)(uint16_t h) { return _cvtsh_ss(h); }

/// The 32 nibbles of a Q4 block as bytes 0..15: low nibbles first (elements 0-15), then high.
ISA_FN __m256i LOCAL(unpack_nibbles)(const uint8_t *qs) {
    const __m128i q = _mm_loadu_si128((const __m128i *)qs);
    const __m128i mask = _mm_set1_epi8(0x0F);
    const __m128i lo = _mm_and_si128(q, mask);
    const __m128i hi = _mm_and_si128(_mm_srli_epi16(q, 4), mask);
    return _mm256_inserti128_si256(_mm256_castsi128_si256(lo), hi, 1);
}

// MARK: Q4_1 x Q8_1: d_w*d_x*sum(q_w*q_x) + m_w*s_x

ISA_FN void LOCAL(tile_q4_1)(const slm_block_q4_1 *w, int64_t blocks, const uint8_t *x,
                             size_t x_stride, float *y, size_t y_stride, const int nb) {
    __m256 acc[4];
    float accm[4];
    for (int k = 0; k < nb; k++) { acc[k] = _mm256_setzero_ps(); accm[k] = 0.0f; }
    for (int64_t i = 0; i < blocks; i++) {
        const __m256i wq = LOCAL(unpack_nibbles)(w[i].qs);
        const float dw = LOCAL(half)(w[i].d), mw = LOCAL(half)(w[i].m);
        for (int k = 0; k < nb; k++) {
            const slm_block_q8_1 *xb = (const slm_block_q8_1 *)(x + (size_t)k * x_stride) + i;
            const __m256i p = DOT_U8_S8(wq, _mm256_loadu_si256((const __m256i *)xb->qs));
            acc[k] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(p), _mm256_set1_ps(dw * LOCAL(half)(xb->d)), acc[k]);
            accm[k] += mw * LOCAL(half)(xb->s);
        }
    }
    for (int k = 0; k < nb; k++) y[(size_t)k * y_stride] = LOCAL(hsum)(acc[k]) + accm[k];
}

// MARK: Q4_0 x Q8_1: d_w*d_x*sum(q_w*q_x) - 8*d_w*s_x  (q_w stored as 0..15, value q_w - 8)

ISA_FN void LOCAL(tile_q4_0)(const slm_block_q4_0 *w, int64_t blocks, const uint8_t *x,
                             size_t x_stride, float *y, size_t y_stride, const int nb) {
    __m256 acc[4];
    float accm[4];
    for (int k = 0; k < nb; k++) { acc[k] = _mm256_setzero_ps(); accm[k] = 0.0f; }
    for (int64_t i = 0; i < blocks; i++) {
        const __m256i wq = LOCAL(unpack_nibbles)(w[i].qs);
        const float dw = LOCAL(half)(w[i].d);
        for (int k = 0; k < nb; k++) {
            const slm_block_q8_1 *xb = (const slm_block_q8_1 *)(x + (size_t)k * x_stride) + i;
            const __m256i p = DOT_U8_S8(wq, _mm256_loadu_si256((const __m256i *)xb->qs));
            acc[k] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(p), _mm256_set1_ps(dw * LOCAL(half)(xb->d)), acc[k]);
            accm[k] -= 8.0f * dw * LOCAL(half)(xb->s);
        }
    }
    for (int k = 0; k < nb; k++) y[(size_t)k * y_stride] = LOCAL(hsum)(acc[k]) + accm[k];
}

// MARK: Q8_0 x Q8_0: d_w*d_x*sum(q_w*q_x), as |q_w| * (q_x with the sign of q_w)

ISA_FN void LOCAL(tile_q8_0)(const slm_block_q8_0 *w, int64_t blocks, const uint8_t *x,
                             size_t x_stride, float *y, size_t y_stride, const int nb) {
    __m256 acc[4];
    for (int k = 0; k < nb; k++) acc[k] = _mm256_setzero_ps();
    for (int64_t i = 0; i < blocks; i++) {
        const __m256i wq = _mm256_loadu_si256((const __m256i *)w[i].qs);
        const __m256i wabs = _mm256_abs_epi8(wq);
        const float dw = LOCAL(half)(w[i].d);
        for (int k = 0; k < nb; k++) {
            const slm_block_q8_0 *xb = (const slm_block_q8_0 *)(x + (size_t)k * x_stride) + i;
            const __m256i xs = _mm256_sign_epi8(_mm256_loadu_si256((const __m256i *)xb->qs), wq);
            const __m256i p = DOT_U8_S8(wabs, xs);
            acc[k] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(p), _mm256_set1_ps(dw * LOCAL(half)(xb->d)), acc[k]);
        }
    }
    for (int k = 0; k < nb; k++) y[(size_t)k * y_stride] = LOCAL(hsum)(acc[k]);
}

// MARK: Row and tile loops

#define DEFINE_GEMM(name, tile, block_t)                                                          \
    __attribute__((target(ISA_TARGET))) void CAT(name, ISA)(                                   \
        const void *w, size_t w_stride, int64_t rows, int64_t blocks, const void *x,            \
        size_t x_stride, int64_t batch, float *y, size_t y_stride) {                            \
        for (int64_t r = 0; r < rows; r++) {                                                    \
            const block_t *wr = (const block_t *)((const uint8_t *)w + (size_t)r * w_stride);   \
            int64_t b = 0;                                                                      \
            for (; b + 4 <= batch; b += 4)                                                      \
                LOCAL(tile)(wr, blocks, (const uint8_t *)x + (size_t)b * x_stride, x_stride,    \
                            y + (size_t)b * y_stride + r, y_stride, 4);                         \
            const uint8_t *xt = (const uint8_t *)x + (size_t)b * x_stride;                      \
            float *yt = y + (size_t)b * y_stride + r;                                           \
            switch (batch - b) {                                                                \
            case 3: LOCAL(tile)(wr, blocks, xt, x_stride, yt, y_stride, 3); break;              \
            case 2: LOCAL(tile)(wr, blocks, xt, x_stride, yt, y_stride, 2); break;              \
            case 1: LOCAL(tile)(wr, blocks, xt, x_stride, yt, y_stride, 1); break;              \
            default: break;                                                                     \
            }                                                                                   \
        }                                                                                       \
    }

DEFINE_GEMM(slm_gemm_q4_1_q8_1, tile_q4_1, slm_block_q4_1)
DEFINE_GEMM(slm_gemm_q4_0_q8_1, tile_q4_0, slm_block_q4_0)
DEFINE_GEMM(slm_gemm_q8_0_q8_0, tile_q8_0, slm_block_q8_0)

#undef DEFINE_GEMM
#undef ISA_FN
#undef LOCAL
#undef CAT
#undef CAT2
