// The quantized matrix kernels for one x86 instruction set. Included once per instruction set by
// gemm_x86.c with these macros defined:
//   ISA          the suffix of the public names (vnni, avx2)
//   ISA_TARGET   the function target attribute
//   DOT_U8_S8(u, s)  eight int32 lanes, each the sum of four products u8 * s8 (as __m256i)
//
// Each gemm takes the activation rows in tiles of four. For a tile it converts the activations'
// f16 scales to floats once, then walks the weight rows: each weight block is unpacked once and
// multiplied with the four activation rows, so it is read from memory once per call. Two
// accumulators per activation row (even and odd blocks) keep the FMA latency off the critical path.

#define CAT2(a, b) a##_##b
#define CAT(a, b) CAT2(a, b)
#define LOCAL(name) CAT(name, ISA)
#define ISA_FN static inline __attribute__((always_inline, target(ISA_TARGET)))

/// The two f16 values at `p` as floats in lanes 0 and 1.
ISA_FN __m128 LOCAL(half2)(const void *p) {
    int32_t bits;
    memcpy(&bits, p, 4);
    return _mm_cvtph_ps(_mm_cvtsi32_si128(bits));
}

/// The 32 nibbles of a Q4 block as bytes 0..15: low nibbles first (elements 0-15), then high.
ISA_FN __m256i LOCAL(unpack_nibbles)(const uint8_t *qs) {
    const __m128i q = _mm_loadu_si128((const __m128i *)qs);
    const __m128i mask = _mm_set1_epi8(0x0F);
    const __m128i lo = _mm_and_si128(q, mask);
    const __m128i hi = _mm_and_si128(_mm_srli_epi16(q, 4), mask);
    return _mm256_inserti128_si256(_mm256_castsi128_si256(lo), hi, 1);
}

// MARK: Q4_0 / Q4_1 x Q8_1
// Per block: d_w*d_x*Σq_w*q_x + c_w*s_x, with c_w = m_w (Q4_1) or -8*d_w (Q4_0). `ws` holds
// [d_w, c_w] and `xs` [d_x, s_x], so one multiply gives both products.

ISA_FN void LOCAL(step_q4)(__m256i wq, __m128 ws, const uint8_t *xq, const float *xs, __m256 *acc, __m128 *accm) {
    const __m256i p = DOT_U8_S8(wq, _mm256_loadu_si256((const __m256i *)xq));
    const __m128 t = _mm_mul_ps(ws, _mm_castpd_ps(_mm_load_sd((const double *)xs)));
    *acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(p), _mm256_broadcastss_ps(t), *acc);
    *accm = _mm_add_ps(*accm, t);
}

ISA_FN __m128 LOCAL(weight_scales)(const uint8_t *block, int has_min) {
    if (has_min) return LOCAL(half2)(block);
    const __m128 d = _mm_set1_ps(_cvtsh_ss(*(const uint16_t *)block));
    return _mm_mul_ps(d, _mm_setr_ps(1.0f, -8.0f, 0.0f, 0.0f));
}

ISA_FN void LOCAL(tile_q4)(const uint8_t *w, int64_t blocks, const uint8_t *x, size_t x_stride,
                           const float *xs, float *y, size_t y_stride, const int nb, const int has_min) {
    const size_t wb = has_min ? 20 : 18, qs = has_min ? 4 : 2;
    __m256 acc0[4], acc1[4];
    __m128 accm[4];
    for (int k = 0; k < nb; k++) { acc0[k] = acc1[k] = _mm256_setzero_ps(); accm[k] = _mm_setzero_ps(); }
    int64_t i = 0;
    for (; i + 2 <= blocks; i += 2) {
        // Weight rows of a call are consecutive, so this reaches into the next rows too.
        _mm_prefetch((const char *)(w + i * wb + SLM_PREFETCH_BYTES), _MM_HINT_T0);
        const __m256i wq0 = LOCAL(unpack_nibbles)(w + i * wb + qs);
        const __m256i wq1 = LOCAL(unpack_nibbles)(w + (i + 1) * wb + qs);
        const __m128 ws0 = LOCAL(weight_scales)(w + i * wb, has_min);
        const __m128 ws1 = LOCAL(weight_scales)(w + (i + 1) * wb, has_min);
        for (int k = 0; k < nb; k++) {
            const uint8_t *xb = x + (size_t)k * x_stride + (size_t)i * 36;
            const float *s = xs + ((size_t)k * blocks + i) * 2;
            LOCAL(step_q4)(wq0, ws0, xb + 4, s, &acc0[k], &accm[k]);
            LOCAL(step_q4)(wq1, ws1, xb + 40, s + 2, &acc1[k], &accm[k]);
        }
    }
    if (i < blocks) {
        const __m256i wq = LOCAL(unpack_nibbles)(w + i * wb + qs);
        const __m128 ws = LOCAL(weight_scales)(w + i * wb, has_min);
        for (int k = 0; k < nb; k++)
            LOCAL(step_q4)(wq, ws, x + (size_t)k * x_stride + (size_t)i * 36 + 4, xs + ((size_t)k * blocks + i) * 2, &acc0[k], &accm[k]);
    }
    for (int k = 0; k < nb; k++) {
        y[(size_t)k * y_stride] = slm_sum256(_mm256_add_ps(acc0[k], acc1[k])) + _mm_cvtss_f32(_mm_movehdup_ps(accm[k]));
    }
}

/// [d_x, s_x] of every Q8_1 block of `nb` activation rows, as floats.
ISA_FN void LOCAL(scales_q8_1)(const uint8_t *x, size_t x_stride, int64_t blocks, int nb, float *xs) {
    for (int k = 0; k < nb; k++)
        for (int64_t i = 0; i < blocks; i++)
            _mm_storel_pi((__m64 *)(xs + ((size_t)k * blocks + i) * 2), LOCAL(half2)(x + (size_t)k * x_stride + (size_t)i * 36));
}

// MARK: Q8_0 x Q8_0: d_w*d_x*Σq_w*q_x, as |q_w| * (q_x with the sign of q_w)

ISA_FN void LOCAL(step_q8)(__m256i wq, __m256i wabs, float dw, const uint8_t *xq, float dx, __m256 *acc) {
    const __m256i xsigned = _mm256_sign_epi8(_mm256_loadu_si256((const __m256i *)xq), wq);
    const __m256i p = DOT_U8_S8(wabs, xsigned);
    *acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(p), _mm256_set1_ps(dw * dx), *acc);
}

ISA_FN void LOCAL(tile_q8_0)(const uint8_t *w, int64_t blocks, const uint8_t *x, size_t x_stride,
                             const float *xs, float *y, size_t y_stride, const int nb) {
    __m256 acc0[4], acc1[4];
    for (int k = 0; k < nb; k++) acc0[k] = acc1[k] = _mm256_setzero_ps();
    int64_t i = 0;
    for (; i + 2 <= blocks; i += 2) {
        _mm_prefetch((const char *)(w + i * 34 + SLM_PREFETCH_BYTES), _MM_HINT_T0);
        _mm_prefetch((const char *)(w + i * 34 + SLM_PREFETCH_BYTES + 64), _MM_HINT_T0);
        const __m256i wq0 = _mm256_loadu_si256((const __m256i *)(w + i * 34 + 2));
        const __m256i wq1 = _mm256_loadu_si256((const __m256i *)(w + (i + 1) * 34 + 2));
        const __m256i wa0 = _mm256_abs_epi8(wq0), wa1 = _mm256_abs_epi8(wq1);
        const float d0 = _cvtsh_ss(*(const uint16_t *)(w + i * 34));
        const float d1 = _cvtsh_ss(*(const uint16_t *)(w + (i + 1) * 34));
        for (int k = 0; k < nb; k++) {
            const uint8_t *xb = x + (size_t)k * x_stride + (size_t)i * 34;
            const float *s = xs + (size_t)k * blocks + i;
            LOCAL(step_q8)(wq0, wa0, d0, xb + 2, s[0], &acc0[k]);
            LOCAL(step_q8)(wq1, wa1, d1, xb + 36, s[1], &acc1[k]);
        }
    }
    if (i < blocks) {
        const __m256i wq = _mm256_loadu_si256((const __m256i *)(w + i * 34 + 2));
        const float d = _cvtsh_ss(*(const uint16_t *)(w + i * 34));
        for (int k = 0; k < nb; k++)
            LOCAL(step_q8)(wq, _mm256_abs_epi8(wq), d, x + (size_t)k * x_stride + (size_t)i * 34 + 2,
                           xs[(size_t)k * blocks + i], &acc0[k]);
    }
    for (int k = 0; k < nb; k++) y[(size_t)k * y_stride] = slm_sum256(_mm256_add_ps(acc0[k], acc1[k]));
}

/// d_x of every Q8_0 block of `nb` activation rows, as floats.
ISA_FN void LOCAL(scales_q8_0)(const uint8_t *x, size_t x_stride, int64_t blocks, int nb, float *xs) {
    for (int k = 0; k < nb; k++)
        for (int64_t i = 0; i < blocks; i++)
            xs[(size_t)k * blocks + i] = _cvtsh_ss(*(const uint16_t *)(x + (size_t)k * x_stride + (size_t)i * 34));
}

// MARK: Tile and row loops

/// Floats of converted activation scales a tile needs on the stack; larger rows use the heap.
#define SCALES_ON_STACK 4096

#define DEFINE_GEMM(name, scales, floats_per_block, TILE_CALL)                                    \
    __attribute__((target(ISA_TARGET))) void CAT(name, ISA)(                                   \
        const void *w, size_t w_stride, int64_t rows, int64_t blocks, const void *x,            \
        size_t x_stride, int64_t batch, float *y, size_t y_stride) {                            \
        float stack[SCALES_ON_STACK];                                                           \
        const size_t needed = (size_t)4 * (size_t)blocks * floats_per_block;                    \
        float *xs = needed <= SCALES_ON_STACK ? stack : (float *)malloc(needed * sizeof(float)); \
        for (int64_t b = 0; b < batch; b += 4) {                                                \
            const int nb = batch - b < 4 ? (int)(batch - b) : 4;                                \
            const uint8_t *xt = (const uint8_t *)x + (size_t)b * x_stride;                      \
            LOCAL(scales)(xt, x_stride, blocks, nb, xs);                                        \
            for (int64_t r = 0; r < rows; r++) {                                                \
                const uint8_t *wr = (const uint8_t *)w + (size_t)r * w_stride;                  \
                float *yt = y + (size_t)b * y_stride + r;                                       \
                switch (nb) {                                                                   \
                case 4: TILE_CALL(4); break;                                                    \
                case 3: TILE_CALL(3); break;                                                    \
                case 2: TILE_CALL(2); break;                                                    \
                default: TILE_CALL(1); break;                                                   \
                }                                                                               \
            }                                                                                   \
        }                                                                                       \
        if (xs != stack) free(xs);                                                              \
    }

#define TILE_Q4_1(n) LOCAL(tile_q4)(wr, blocks, xt, x_stride, xs, yt, y_stride, n, 1)
#define TILE_Q4_0(n) LOCAL(tile_q4)(wr, blocks, xt, x_stride, xs, yt, y_stride, n, 0)
#define TILE_Q8_0(n) LOCAL(tile_q8_0)(wr, blocks, xt, x_stride, xs, yt, y_stride, n)

DEFINE_GEMM(slm_gemm_q4_1_q8_1, scales_q8_1, 2, TILE_Q4_1)
DEFINE_GEMM(slm_gemm_q4_0_q8_1, scales_q8_1, 2, TILE_Q4_0)
DEFINE_GEMM(slm_gemm_q8_0_q8_0, scales_q8_0, 1, TILE_Q8_0)

#undef TILE_Q4_1
#undef TILE_Q4_0
#undef TILE_Q8_0
#undef DEFINE_GEMM
#undef SCALES_ON_STACK
#undef ISA_FN
#undef LOCAL
#undef CAT
#undef CAT2
