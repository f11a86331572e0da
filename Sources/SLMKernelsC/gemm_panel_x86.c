// Matrix products on AVX-512 VNNI with 512-bit registers, for every batch size (decode, batched
// decode, prefill).
//
// Row kernels (gemm_x86_body.h) compute one dot product per weight row and activation row and
// reduce each block's lanes to a scalar: about eight instructions per 32 multiply-adds. Here each
// of the 16 lanes of a register belongs to a different weight row (a panel of 16 rows): a block of
// a panel is transposed into 8 registers, one per group of 4 elements, each holding those 4
// elements of all 16 rows, so one vpdpbusd multiplies them with the same 4 elements of one
// activation row (broadcast), and a block's integer sums for 16 rows land in one register, scaled
// by 16 weight scales at once.
//
// Batches of up to eight rows transpose each block into registers and use it at once (each
// weight byte is read once; two panels at a time for one or two rows, one panel for three to
// eight). Larger batches pack a pair of panels into the caller's scratch first and then run every
// tile of four activation rows over the packed copy. Both paths share
// `block_step`, the only place that does arithmetic, so an output has the same bits whatever the
// batch it was computed in.
//
// Each block of weight row r and activation row k contributes
//     d_w[r]·d_x[k]·Σ q_w·q_x  +  c_w[r]·s_x[k]
// with c_w = m (Q4_1), -8·d (Q4_0), -128·d (Q8_0, whose signed quants are packed as q + 128),
// and s_x = d_x·Σ q_x (`slm_activation_scales_*` computes d_x and s_x).
#include "SLMKernelsC.h"

#if defined(__x86_64__)
#include <immintrin.h>
#include <string.h>

#define PK_TARGET __attribute__((target("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512dq,avx512vnni")))
#define PK_FN static inline __attribute__((always_inline)) PK_TARGET

enum {
    PANEL_ROWS = 16,           // weight rows per panel: one per 32-bit lane
    PANEL_QUANT_BYTES = 512,   // bytes of quants per block of a panel: 16 rows x 32 elements
    PANEL_SCALE_FLOATS = 32,   // floats of scales per block of a panel: d_w[16], then c_w[16]
    TILE_ACTIVATIONS = 4,      // activation rows per tile of a packed pair of panels
    MAX_ACTIVATIONS = 8,       // activation rows one panel takes at once (direct path)
};

/// Where one packed panel lives in the scratch.
typedef struct {
    uint8_t *quants;  ///< blocks x 512 bytes
    float *scales;    ///< blocks x 32 floats
} panel_t;

size_t slm_gemm_panel_scratch_bytes(int64_t blocks) {
    return (size_t)2 * (size_t)blocks * (PANEL_QUANT_BYTES + PANEL_SCALE_FLOATS * sizeof(float)) + 64;
}

static panel_t panel_at(void *scratch, int64_t blocks, int index) {
    uint8_t *base = (uint8_t *)(((uintptr_t)scratch + 63) & ~(uintptr_t)63);
    const size_t quants = (size_t)blocks * PANEL_QUANT_BYTES, scales = (size_t)blocks * PANEL_SCALE_FLOATS * sizeof(float);
    uint8_t *p = base + (size_t)index * (quants + scales);
    return (panel_t){.quants = p, .scales = (float *)(p + quants)};
}

/// Byte offsets of the panel's 16 rows from the first; rows past `rows` repeat the last row, so
/// every load stays inside the matrix (their lanes are never stored).
PK_FN __m512i row_offsets(size_t stride, int rows) {
    const __m512i lane = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    const __m512i row = _mm512_min_epi32(lane, _mm512_set1_epi32(rows - 1));
    return _mm512_mullo_epi32(row, _mm512_set1_epi32((int32_t)stride));
}

/// The four 16-byte runs at `p[0..3] + offset` in one register, run j in 128-bit lane j.
PK_FN __m512i load4x16(const uint8_t *const *p, size_t offset) {
    __m512i v = _mm512_castsi128_si512(_mm_loadu_si128((const __m128i *)(p[0] + offset)));
    v = _mm512_inserti32x4(v, _mm_loadu_si128((const __m128i *)(p[1] + offset)), 1);
    v = _mm512_inserti32x4(v, _mm_loadu_si128((const __m128i *)(p[2] + offset)), 2);
    return _mm512_inserti32x4(v, _mm_loadu_si128((const __m128i *)(p[3] + offset)), 3);
}

// MARK: Reading weight blocks as panels

/// Where a panel's rows are: `rows` (1...16) rows from `first`, `stride` bytes apart. A partial
/// panel also lists 16 row pointers, rows past `rows` repeating the last row, so every load stays
/// inside the matrix (their lanes are never stored); a full panel is addressed by stride alone.
typedef struct {
    const uint8_t *first;  ///< row 0, the base of `offsets`
    size_t stride;
    int rows;
    __m512i offsets;       ///< byte offset of each lane's row from `first`
    const uint8_t *row[PANEL_ROWS];
} panel_rows_t;

PK_FN panel_rows_t panel_rows(const uint8_t *w, size_t stride, int rows) {
    panel_rows_t p;
    p.first = w;
    p.stride = stride;
    p.rows = rows;
    p.offsets = row_offsets(stride, rows);
    for (int j = 0; j < PANEL_ROWS; j++) p.row[j] = w + (size_t)(j < rows ? j : rows - 1) * stride;
    return p;
}

/// The four 16-byte runs at offset `at` of rows 4m..4m+3, run j in 128-bit lane j.
PK_FN __m512i rows4x16(const panel_rows_t *p, const int full, int m, size_t at) {
    if (!full) return load4x16(p->row + 4 * m, at);
    const uint8_t *r = p->first + at + (size_t)(4 * m) * p->stride;
    const size_t s = p->stride;
    __m512i v = _mm512_castsi128_si512(_mm_loadu_si128((const __m128i *)r));
    v = _mm512_inserti32x4(v, _mm_loadu_si128((const __m128i *)(r + s)), 1);
    v = _mm512_inserti32x4(v, _mm_loadu_si128((const __m128i *)(r + 2 * s)), 2);
    return _mm512_inserti32x4(v, _mm_loadu_si128((const __m128i *)(r + 3 * s)), 3);
}

/// The 32 bytes at offset `at` of rows 2m and 2m+1, one per 256-bit half.
PK_FN __m512i rows2x32(const panel_rows_t *p, const int full, int m, size_t at) {
    const uint8_t *r0 = full ? p->first + at + (size_t)(2 * m) * p->stride : p->row[2 * m] + at;
    const uint8_t *r1 = full ? r0 + p->stride : p->row[2 * m + 1] + at;
    return _mm512_inserti64x4(_mm512_castsi256_si512(_mm256_loadu_si256((const __m256i *)r0)),
                              _mm256_loadu_si256((const __m256i *)r1), 1);
}

/// Block `b` of a Q4_0/Q4_1 panel: the 8 groups of 4 elements x 16 rows as unsigned bytes, d_w and c_w.
PK_FN void q4_block(const panel_rows_t *p, const int full, int64_t b, int has_min, __m512i g[8], __m512 *d, __m512 *c) {
    const size_t block_bytes = has_min ? 20 : 18, quant_offset = has_min ? 4 : 2;
    const size_t at = (size_t)b * block_bytes;
    const __m512i r0 = rows4x16(p, full, 0, at + quant_offset), r1 = rows4x16(p, full, 1, at + quant_offset);
    const __m512i r2 = rows4x16(p, full, 2, at + quant_offset), r3 = rows4x16(p, full, 3, at + quant_offset);
    // Dword k of the 16-byte quants of rows 0-3 (r0) and 4-7 (r1) into lanes 0-7; likewise rows 8-15.
    const __m512i pick = _mm512_setr_epi32(0, 4, 8, 12, 16, 20, 24, 28, 0, 4, 8, 12, 16, 20, 24, 28);
    const __m512i low_nibbles = _mm512_set1_epi8(0x0F);
    for (int k = 0; k < 4; k++) {
        const __m512i index = _mm512_add_epi32(pick, _mm512_set1_epi32(k));
        const __m512i lo = _mm512_permutex2var_epi32(r0, index, r1);
        const __m512i hi = _mm512_permutex2var_epi32(r2, index, r3);
        const __m512i dword = _mm512_inserti64x4(lo, _mm512_castsi512_si256(hi), 1);
        // Elements 4k..4k+3 are the low nibbles of dword k; elements 16+4k.. its high nibbles.
        g[k] = _mm512_and_si512(dword, low_nibbles);
        g[k + 4] = _mm512_and_si512(_mm512_srli_epi16(dword, 4), low_nibbles);
    }
    const __m512i header = _mm512_i32gather_epi32(_mm512_add_epi32(p->offsets, _mm512_set1_epi32((int32_t)at)), p->first, 1);
    *d = _mm512_cvtph_ps(_mm512_cvtepi32_epi16(header));
    *c = has_min ? _mm512_cvtph_ps(_mm512_cvtepi32_epi16(_mm512_srli_epi32(header, 16))) : _mm512_mul_ps(*d, _mm512_set1_ps(-8.0f));
}

/// Block `b` of a Q8_0 panel: quants + 128 as unsigned bytes, d_w, and c_w = -128·d_w.
///
/// The 16 rows' 8 dwords of quants are transposed in three rounds of two-register permutes, each
/// round halving the groups and doubling the rows a register holds: (2 rows x 8 groups) ->
/// (4 x 4) -> (8 x 2) -> (16 x 1).
PK_FN void q8_0_block(const panel_rows_t *p, const int full, int64_t b, __m512i g[8], __m512 *d, __m512 *c) {
    const size_t at = (size_t)b * 34;
    __m512i in[8];
    for (int m = 0; m < 8; m++) in[m] = rows2x32(p, full, m, at + 2);
    // Round 1: rows 4t..4t+3 (in[2t] rows 4t, 4t+1; in[2t+1] rows 4t+2, 4t+3), lane = 4·group + row.
    const __m512i r1_lo = _mm512_setr_epi32(0, 8, 16, 24, 1, 9, 17, 25, 2, 10, 18, 26, 3, 11, 19, 27);
    const __m512i r1_hi = _mm512_setr_epi32(4, 12, 20, 28, 5, 13, 21, 29, 6, 14, 22, 30, 7, 15, 23, 31);
    __m512i q[8];  // q[t] groups 0-3 of rows 4t..; q[4+t] groups 4-7
    for (int t = 0; t < 4; t++) {
        q[t] = _mm512_permutex2var_epi32(in[2 * t], r1_lo, in[2 * t + 1]);
        q[4 + t] = _mm512_permutex2var_epi32(in[2 * t], r1_hi, in[2 * t + 1]);
    }
    // Round 2: rows 8u..8u+7 from q[2u] (rows 8u..8u+3) and q[2u+1], lane = 8·group + row.
    const __m512i r2_lo = _mm512_setr_epi32(0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 20, 21, 22, 23);
    const __m512i r2_hi = _mm512_setr_epi32(8, 9, 10, 11, 24, 25, 26, 27, 12, 13, 14, 15, 28, 29, 30, 31);
    __m512i e[8];  // e[2h + u]: rows 8u.., groups 4h+{0,1}; e[4 + 2h + u]: groups 4h+{2,3}
    for (int h = 0; h < 2; h++)
        for (int u = 0; u < 2; u++) {
            e[2 * h + u] = _mm512_permutex2var_epi32(q[4 * h + 2 * u], r2_lo, q[4 * h + 2 * u + 1]);
            e[4 + 2 * h + u] = _mm512_permutex2var_epi32(q[4 * h + 2 * u], r2_hi, q[4 * h + 2 * u + 1]);
        }
    // Round 3: all 16 rows from e[.. u=0] (rows 0-7) and e[.. u=1] (rows 8-15), one group each.
    const __m512i r3_lo = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23);
    const __m512i r3_hi = _mm512_setr_epi32(8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31);
    const __m512i bias = _mm512_set1_epi8((char)0x80);
    for (int h = 0; h < 2; h++) {
        // Groups 4h, 4h+1 come from e[2h + u]; groups 4h+2, 4h+3 from e[4 + 2h + u].
        g[4 * h] = _mm512_xor_si512(_mm512_permutex2var_epi32(e[2 * h], r3_lo, e[2 * h + 1]), bias);
        g[4 * h + 1] = _mm512_xor_si512(_mm512_permutex2var_epi32(e[2 * h], r3_hi, e[2 * h + 1]), bias);
        g[4 * h + 2] = _mm512_xor_si512(_mm512_permutex2var_epi32(e[4 + 2 * h], r3_lo, e[4 + 2 * h + 1]), bias);
        g[4 * h + 3] = _mm512_xor_si512(_mm512_permutex2var_epi32(e[4 + 2 * h], r3_hi, e[4 + 2 * h + 1]), bias);
    }
    const __m512i header = _mm512_i32gather_epi32(_mm512_add_epi32(p->offsets, _mm512_set1_epi32((int32_t)at)), p->first, 1);
    *d = _mm512_cvtph_ps(_mm512_cvtepi32_epi16(header));
    *c = _mm512_mul_ps(*d, _mm512_set1_ps(-128.0f));
}

/// Block `b` of a panel of weights of type `type` (0: Q4_0, 1: Q4_1, 2: Q8_0); `full` when the
/// panel has all 16 rows.
PK_FN void weight_block(const int type, const panel_rows_t *p, const int full, int64_t b, __m512i g[8], __m512 *d, __m512 *c) {
    if (type == 2) q8_0_block(p, full, b, g, d, c);
    else q4_block(p, full, b, type, g, d, c);
}

// MARK: Arithmetic (one definition, so every path gives the same bits)

/// Adds block `b`'s contribution for `np` panels (1 or 2) and `nx` activation rows (1...4, or
/// up to 8 with one panel) to `f`:
/// the 8 groups' integer products summed exactly, then f += float(Σ)·(d_w·d_x), f += c_w·s_x.
/// `x` points at the quants of block 0 of activation row 0, `xs` at its [d_x, s_x] pairs.
PK_FN void block_step(const __m512i g0[8], __m512 d0, __m512 c0, const __m512i g1[8], __m512 d1, __m512 c1, const int np,
                      const uint8_t *x, size_t x_stride, size_t x_block, const float *xs, size_t xs_stride, int64_t b,
                      const int nx, __m512 f[2][MAX_ACTIVATIONS]) {
    __m512i a[2][MAX_ACTIVATIONS];
    for (int p = 0; p < np; p++)
        for (int k = 0; k < nx; k++) a[p][k] = _mm512_setzero_si512();
    const uint8_t *xb = x + (size_t)b * x_block;
    for (int q = 0; q < 8; q++) {
        for (int k = 0; k < nx; k++) {
            int32_t four;
            memcpy(&four, xb + (size_t)k * x_stride + 4 * q, 4);
            const __m512i xv = _mm512_set1_epi32(four);
            a[0][k] = _mm512_dpbusd_epi32(a[0][k], g0[q], xv);
            if (np > 1) a[1][k] = _mm512_dpbusd_epi32(a[1][k], g1[q], xv);
        }
    }
    for (int k = 0; k < nx; k++) {
        const __m512 dx = _mm512_set1_ps(xs[(size_t)k * xs_stride + 2 * b]);
        const __m512 sx = _mm512_set1_ps(xs[(size_t)k * xs_stride + 2 * b + 1]);
        f[0][k] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(a[0][k]), _mm512_mul_ps(d0, dx), f[0][k]);
        f[0][k] = _mm512_fmadd_ps(c0, sx, f[0][k]);
        if (np > 1) {
            f[1][k] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(a[1][k]), _mm512_mul_ps(d1, dx), f[1][k]);
            f[1][k] = _mm512_fmadd_ps(c1, sx, f[1][k]);
        }
    }
}

PK_FN void store_tile(__m512 f[2][MAX_ACTIVATIONS], const int np, const int nx, float *y, size_t y_stride, __mmask16 m0, __mmask16 m1) {
    for (int k = 0; k < nx; k++) {
        _mm512_mask_storeu_ps(y + (size_t)k * y_stride, m0, f[0][k]);
        if (np > 1) _mm512_mask_storeu_ps(y + (size_t)k * y_stride + 16, m1, f[1][k]);
    }
}

// MARK: Small batches: weights read straight into registers

/// Block `b`'s share of the next panels' bytes, `lines` cache lines from `from`: issued a share
/// per block, so they arrive while the current panels are multiplied.
PK_FN void prefetch_share(const uint8_t *from, size_t lines, int64_t b) {
    for (size_t l = 0; l < lines; l++) _mm_prefetch((const char *)(from + ((size_t)b * lines + l) * 64), _MM_HINT_T0);
}

/// `np` panels times `nx` activation rows (the whole batch: 1...2 with two panels, 1...8 with
/// one), each weight block read once.
PK_FN void direct_tile(const int type, const int full, const panel_rows_t *p0, const panel_rows_t *p1, const int np,
                       int64_t blocks, const uint8_t *x, size_t x_stride, size_t x_block, const float *xs, const int nx,
                       const uint8_t *prefetch_from, size_t prefetch_lines_per_block,
                       float *y, size_t y_stride, __mmask16 m0, __mmask16 m1) {
    __m512 f[2][MAX_ACTIVATIONS];
    for (int p = 0; p < 2; p++)
        for (int k = 0; k < MAX_ACTIVATIONS; k++) f[p][k] = _mm512_setzero_ps();
    for (int64_t b = 0; b < blocks; b++) {
        prefetch_share(prefetch_from, prefetch_lines_per_block, b);
        __m512i g0[8], g1[8];
        __m512 d0, c0, d1 = _mm512_setzero_ps(), c1 = _mm512_setzero_ps();
        weight_block(type, p0, full, b, g0, &d0, &c0);
        if (np > 1) weight_block(type, p1, full, b, g1, &d1, &c1);
        block_step(g0, d0, c0, g1, d1, c1, np, x, x_stride, x_block, xs, (size_t)blocks * 2, b, nx, f);
    }
    store_tile(f, np, nx, y, y_stride, m0, m1);
}

// MARK: Larger batches: weights packed once per call, then every tile reads the packed panel

/// Packs every block of a panel into `out`.
PK_FN void pack_panel(const int type, const int full, const panel_rows_t *p, int64_t blocks, panel_t out) {
    for (int64_t b = 0; b < blocks; b++) {
        __m512i g[8];
        __m512 d, c;
        weight_block(type, p, full, b, g, &d, &c);
        uint8_t *q = out.quants + (size_t)b * PANEL_QUANT_BYTES;
        for (int k = 0; k < 8; k++) _mm512_store_si512((__m512i *)(q + k * 64), g[k]);
        float *s = out.scales + (size_t)b * PANEL_SCALE_FLOATS;
        _mm512_store_ps(s, d);
        _mm512_store_ps(s + 16, c);
    }
}

/// `np` packed panels times `nx` (1...4) activation rows.
PK_FN void packed_tile(panel_t p0, panel_t p1, const int np, int64_t blocks, const uint8_t *x, size_t x_stride, size_t x_block,
                       const float *xs, const int nx, const uint8_t *prefetch_from, size_t prefetch_lines_per_block,
                       float *y, size_t y_stride, __mmask16 m0, __mmask16 m1) {
    __m512 f[2][MAX_ACTIVATIONS];
    for (int p = 0; p < 2; p++)
        for (int k = 0; k < MAX_ACTIVATIONS; k++) f[p][k] = _mm512_setzero_ps();
    for (int64_t b = 0; b < blocks; b++) {
        prefetch_share(prefetch_from, prefetch_lines_per_block, b);
        __m512i g0[8], g1[8];
        const uint8_t *q0 = p0.quants + (size_t)b * PANEL_QUANT_BYTES, *q1 = p1.quants + (size_t)b * PANEL_QUANT_BYTES;
        for (int k = 0; k < 8; k++) {
            g0[k] = _mm512_load_si512((const __m512i *)(q0 + k * 64));
            g1[k] = np > 1 ? _mm512_load_si512((const __m512i *)(q1 + k * 64)) : g0[k];
        }
        const float *s0 = p0.scales + (size_t)b * PANEL_SCALE_FLOATS, *s1 = p1.scales + (size_t)b * PANEL_SCALE_FLOATS;
        const __m512 d0 = _mm512_load_ps(s0), c0 = _mm512_load_ps(s0 + 16);
        const __m512 d1 = np > 1 ? _mm512_load_ps(s1) : d0, c1 = np > 1 ? _mm512_load_ps(s1 + 16) : c0;
        block_step(g0, d0, c0, g1, d1, c1, np, x, x_stride, x_block, xs, (size_t)blocks * 2, b, nx, f);
    }
    store_tile(f, np, nx, y, y_stride, m0, m1);
}

/// Every tile of the batch against packed panels p0 (and p1 when np is 2); the first tile also
/// prefetches `prefetch_lines_per_block` lines per block from `prefetch_from` (the next panels),
/// so memory reads overlap the arithmetic.
PK_FN void packed_panels_times_batch(panel_t p0, panel_t p1, const int np, int64_t blocks, const uint8_t *x, size_t x_stride,
                                     size_t x_block, const float *xs, int64_t batch, const uint8_t *prefetch_from,
                                     size_t prefetch_lines_per_block, float *y, size_t y_stride, __mmask16 m0, __mmask16 m1) {
    const size_t xs_stride = (size_t)blocks * 2;
    int64_t k = 0;
    for (; k + TILE_ACTIVATIONS <= batch; k += TILE_ACTIVATIONS) {
        const size_t lines = k == 0 ? prefetch_lines_per_block : 0;
        packed_tile(p0, p1, np, blocks, x + (size_t)k * x_stride, x_stride, x_block, xs + (size_t)k * xs_stride, TILE_ACTIVATIONS,
                    prefetch_from, lines, y + (size_t)k * y_stride, y_stride, m0, m1);
    }
    const uint8_t *xk = x + (size_t)k * x_stride;
    const float *xsk = xs + (size_t)k * xs_stride;
    float *yk = y + (size_t)k * y_stride;
    const size_t lines = k == 0 ? prefetch_lines_per_block : 0;
    switch (batch - k) {
    case 3: packed_tile(p0, p1, np, blocks, xk, x_stride, x_block, xsk, 3, prefetch_from, lines, yk, y_stride, m0, m1); break;
    case 2: packed_tile(p0, p1, np, blocks, xk, x_stride, x_block, xsk, 2, prefetch_from, lines, yk, y_stride, m0, m1); break;
    case 1: packed_tile(p0, p1, np, blocks, xk, x_stride, x_block, xsk, 1, prefetch_from, lines, yk, y_stride, m0, m1); break;
    default: break;
    }
}

static inline __mmask16 lanes(int64_t rows) { return rows >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << rows) - 1); }

/// Batches up to this size read weights straight into registers (two panels at a time up to
/// DIRECT_PAIR_MAX_BATCH rows, one panel at a time above); larger ones pack them first.
#define DIRECT_MAX_BATCH 8
#define DIRECT_PAIR_MAX_BATCH 2

/// One panel times the whole batch (1...8 rows) on the direct path, `nx` a constant for each case.
PK_FN void direct_panel(const int type, const int full, const panel_rows_t *p, int64_t blocks, const uint8_t *x,
                        size_t x_stride, size_t x_block, const float *xs, int64_t batch, const uint8_t *prefetch_from,
                        size_t lines, float *y, size_t y_stride, __mmask16 m) {
#define DIRECT_PANEL_CASE(n) case n: direct_tile(type, full, p, p, 1, blocks, x, x_stride, x_block, xs, n, prefetch_from, lines, y, y_stride, m, 0); break;
    switch (batch) {
    DIRECT_PANEL_CASE(1) DIRECT_PANEL_CASE(2) DIRECT_PANEL_CASE(3) DIRECT_PANEL_CASE(4)
    DIRECT_PANEL_CASE(5) DIRECT_PANEL_CASE(6) DIRECT_PANEL_CASE(7) DIRECT_PANEL_CASE(8)
    default: break;
    }
#undef DIRECT_PANEL_CASE
}

/// The loop every entry point shares: pairs of 16-row panels, direct or packed by batch size.
PK_FN void panel_gemm(const int type, const uint8_t *w, size_t w_stride, int64_t rows, int64_t blocks, const uint8_t *x,
                      size_t x_stride, size_t x_block, const float *xs, int64_t batch, float *y, size_t y_stride, void *scratch) {
    const panel_t packed0 = panel_at(scratch, blocks, 0), packed1 = panel_at(scratch, blocks, 1);
    const size_t pair_bytes = 2 * PANEL_ROWS * w_stride;
    const size_t prefetch_lines = (pair_bytes / 64 + (size_t)blocks - 1) / (size_t)blocks;
    for (int64_t r = 0; r < rows; r += 2 * PANEL_ROWS) {
        const int64_t n0 = rows - r < PANEL_ROWS ? rows - r : PANEL_ROWS;
        const int64_t n1 = rows - r - n0 < PANEL_ROWS ? rows - r - n0 : PANEL_ROWS;
        const panel_rows_t p0 = panel_rows(w + (size_t)r * w_stride, w_stride, (int)n0);
        const panel_rows_t p1 = panel_rows(w + (size_t)(r + (n1 > 0 ? n0 : 0)) * w_stride, w_stride, (int)(n1 > 0 ? n1 : n0));
        const int np = n1 > 0 ? 2 : 1;
        float *yr = y + r;
        const int full = n0 == PANEL_ROWS && (np == 1 || n1 == PANEL_ROWS);
        // Prefetch the next pair of panels while this one is read, if it is inside the matrix.
        const int64_t next = r + 2 * PANEL_ROWS;
        const uint8_t *ahead = next + 2 * PANEL_ROWS <= rows ? w + (size_t)next * w_stride : 0;
        const size_t lines = ahead ? prefetch_lines : 0;
        if (batch <= DIRECT_PAIR_MAX_BATCH && full && np == 2) {
            const __mmask16 m0 = lanes(n0), m1 = lanes(n1);
            if (batch == 1)
                direct_tile(type, 1, &p0, &p1, 2, blocks, x, x_stride, x_block, xs, 1, ahead, lines, yr, y_stride, m0, m1);
            else
                direct_tile(type, 1, &p0, &p1, 2, blocks, x, x_stride, x_block, xs, 2, ahead, lines, yr, y_stride, m0, m1);
        } else if (batch <= DIRECT_MAX_BATCH) {
            // One panel at a time; each prefetches half of the next pair.
            const uint8_t *ahead1 = ahead ? ahead + (lines / 2) * (size_t)blocks * 64 : 0;
            if (full) direct_panel(type, 1, &p0, blocks, x, x_stride, x_block, xs, batch, ahead, lines / 2, yr, y_stride, lanes(n0));
            else direct_panel(type, 0, &p0, blocks, x, x_stride, x_block, xs, batch, ahead, lines / 2, yr, y_stride, lanes(n0));
            if (np == 2) {
                if (full) direct_panel(type, 1, &p1, blocks, x, x_stride, x_block, xs, batch, ahead1, lines - lines / 2, yr + PANEL_ROWS, y_stride, lanes(n1));
                else direct_panel(type, 0, &p1, blocks, x, x_stride, x_block, xs, batch, ahead1, lines - lines / 2, yr + PANEL_ROWS, y_stride, lanes(n1));
            }
        } else {
            if (full) pack_panel(type, 1, &p0, blocks, packed0);
            else pack_panel(type, 0, &p0, blocks, packed0);
            if (np == 2) {
                if (full) pack_panel(type, 1, &p1, blocks, packed1);
                else pack_panel(type, 0, &p1, blocks, packed1);
                packed_panels_times_batch(packed0, packed1, 2, blocks, x, x_stride, x_block, xs, batch, ahead, lines, yr, y_stride,
                                          lanes(n0), lanes(n1));
            } else {
                packed_panels_times_batch(packed0, packed0, 1, blocks, x, x_stride, x_block, xs, batch, ahead, lines, yr, y_stride,
                                          lanes(n0), 0);
            }
        }
    }
}

PK_TARGET void slm_gemm_panel_q4_0_q8_1_vnni(const void *w, size_t w_stride, int64_t rows, int64_t blocks,
                                              const void *x, size_t x_stride, const float *xs, int64_t batch,
                                              float *y, size_t y_stride, void *scratch) {
    panel_gemm(0, (const uint8_t *)w, w_stride, rows, blocks, (const uint8_t *)x + 4, x_stride, 36, xs, batch, y, y_stride, scratch);
}

PK_TARGET void slm_gemm_panel_q4_1_q8_1_vnni(const void *w, size_t w_stride, int64_t rows, int64_t blocks,
                                              const void *x, size_t x_stride, const float *xs, int64_t batch,
                                              float *y, size_t y_stride, void *scratch) {
    panel_gemm(1, (const uint8_t *)w, w_stride, rows, blocks, (const uint8_t *)x + 4, x_stride, 36, xs, batch, y, y_stride, scratch);
}

PK_TARGET void slm_gemm_panel_q8_0_q8_0_vnni(const void *w, size_t w_stride, int64_t rows, int64_t blocks,
                                              const void *x, size_t x_stride, const float *xs, int64_t batch,
                                              float *y, size_t y_stride, void *scratch) {
    panel_gemm(2, (const uint8_t *)w, w_stride, rows, blocks, (const uint8_t *)x + 2, x_stride, 34, xs, batch, y, y_stride, scratch);
}

// MARK: Weights repacked once into panel order

// A matrix repacked by `slm_pack_panels` is its panels one after the other, each its blocks one
// after the other, each block of a panel stored as the registers `weight_block` would build from
// the original rows (less the nibble split and the scale conversions, which are cheap):
//   Q4_0: 4 x 64 bytes (dword k of lane r = quant bytes 4k..4k+3 of row r), 16 halves d   = 288
//   Q4_1: the same 256 bytes, 16 halves d, 16 halves m                                   = 320
//   Q8_0: 8 x 64 bytes (group q of lane r = quants 4q..4q+3 of row r, plus 128), 16 halves d = 544
// Rows past the matrix's last row repeat it (their lanes are never stored). A product then reads
// each panel as one sequential stream, with no transposition per call.

static size_t packed_block_bytes(int type) { return type == 0 ? 288 : type == 1 ? 320 : 544; }

size_t slm_panels_bytes(int type, int64_t rows, int64_t blocks) {
    return (size_t)((rows + PANEL_ROWS - 1) / PANEL_ROWS) * (size_t)blocks * packed_block_bytes(type);
}

/// Writes block `b` of panel `p` in the packed layout at `out`.
PK_FN void pack_block(const int type, const panel_rows_t *p, const int full, int64_t b, uint8_t *out) {
    if (type == 2) {
        __m512i g[8];
        __m512 d, c;
        q8_0_block(p, full, b, g, &d, &c);
        for (int k = 0; k < 8; k++) _mm512_storeu_si512((__m512i *)(out + 64 * k), g[k]);
        _mm256_storeu_si256((__m256i *)(out + 512), _mm512_cvtps_ph(d, _MM_FROUND_TO_NEAREST_INT));
        return;
    }
    const size_t block_bytes = type == 1 ? 20 : 18, quant_offset = type == 1 ? 4 : 2;
    const size_t at = (size_t)b * block_bytes;
    const __m512i r0 = rows4x16(p, full, 0, at + quant_offset), r1 = rows4x16(p, full, 1, at + quant_offset);
    const __m512i r2 = rows4x16(p, full, 2, at + quant_offset), r3 = rows4x16(p, full, 3, at + quant_offset);
    const __m512i pick = _mm512_setr_epi32(0, 4, 8, 12, 16, 20, 24, 28, 0, 4, 8, 12, 16, 20, 24, 28);
    for (int k = 0; k < 4; k++) {
        const __m512i index = _mm512_add_epi32(pick, _mm512_set1_epi32(k));
        const __m512i lo = _mm512_permutex2var_epi32(r0, index, r1);
        const __m512i hi = _mm512_permutex2var_epi32(r2, index, r3);
        _mm512_storeu_si512((__m512i *)(out + 64 * k), _mm512_inserti64x4(lo, _mm512_castsi512_si256(hi), 1));
    }
    const __m512i header = _mm512_i32gather_epi32(_mm512_add_epi32(p->offsets, _mm512_set1_epi32((int32_t)at)), p->first, 1);
    _mm256_storeu_si256((__m256i *)(out + 256), _mm512_cvtepi32_epi16(header));
    if (type == 1) _mm256_storeu_si256((__m256i *)(out + 288), _mm512_cvtepi32_epi16(_mm512_srli_epi32(header, 16)));
}

PK_FN void pack_panels(const int type, const uint8_t *w, size_t w_stride, int64_t rows, int64_t blocks, uint8_t *out) {
    const size_t block_bytes = packed_block_bytes(type);
    for (int64_t r = 0; r < rows; r += PANEL_ROWS) {
        const int n = rows - r < PANEL_ROWS ? (int)(rows - r) : PANEL_ROWS;
        const panel_rows_t p = panel_rows(w + (size_t)r * w_stride, w_stride, n);
        uint8_t *panel = out + (size_t)(r / PANEL_ROWS) * (size_t)blocks * block_bytes;
        for (int64_t b = 0; b < blocks; b++) {
            if (n == PANEL_ROWS) pack_block(type, &p, 1, b, panel + (size_t)b * block_bytes);
            else pack_block(type, &p, 0, b, panel + (size_t)b * block_bytes);
        }
    }
}

PK_TARGET void slm_pack_panels_q4_0(const void *w, size_t w_stride, int64_t rows, int64_t blocks, void *out) {
    pack_panels(0, (const uint8_t *)w, w_stride, rows, blocks, (uint8_t *)out);
}
PK_TARGET void slm_pack_panels_q4_1(const void *w, size_t w_stride, int64_t rows, int64_t blocks, void *out) {
    pack_panels(1, (const uint8_t *)w, w_stride, rows, blocks, (uint8_t *)out);
}
PK_TARGET void slm_pack_panels_q8_0(const void *w, size_t w_stride, int64_t rows, int64_t blocks, void *out) {
    pack_panels(2, (const uint8_t *)w, w_stride, rows, blocks, (uint8_t *)out);
}

/// Block `b` of a packed panel: the 8 groups as unsigned bytes, d_w and c_w.
PK_FN void packed_block(const int type, const uint8_t *panel, int64_t b, __m512i g[8], __m512 *d, __m512 *c) {
    const uint8_t *o = panel + (size_t)b * packed_block_bytes(type);
    if (type == 2) {
        for (int k = 0; k < 8; k++) g[k] = _mm512_loadu_si512((const __m512i *)(o + 64 * k));
        *d = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(o + 512)));
        *c = _mm512_mul_ps(*d, _mm512_set1_ps(-128.0f));
        return;
    }
    const __m512i low_nibbles = _mm512_set1_epi8(0x0F);
    for (int k = 0; k < 4; k++) {
        const __m512i dword = _mm512_loadu_si512((const __m512i *)(o + 64 * k));
        g[k] = _mm512_and_si512(dword, low_nibbles);
        g[k + 4] = _mm512_and_si512(_mm512_srli_epi16(dword, 4), low_nibbles);
    }
    *d = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(o + 256)));
    *c = type == 1 ? _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(o + 288))) : _mm512_mul_ps(*d, _mm512_set1_ps(-8.0f));
}

/// Blocks ahead of the one being multiplied that the packed kernels prefetch: panels lie one after
/// another, so this runs on into the next panel.
#define PACKED_PREFETCH_BLOCKS 16

/// `np` packed panels (1 or 2) times `nx` activation rows (1...8 with one panel, 1...2 with two);
/// with `prefetch`, each block of each panel is fetched PACKED_PREFETCH_BLOCKS blocks ahead.
PK_FN void packed_panel_tile(const int type, const uint8_t *p0, const uint8_t *p1, const int np, int64_t blocks,
                             const uint8_t *x, size_t x_stride, size_t x_block, const float *xs, size_t xs_stride,
                             const int nx, const int prefetch, float *y, size_t y_stride, __mmask16 m0, __mmask16 m1) {
    const size_t block_bytes = packed_block_bytes(type), ahead = PACKED_PREFETCH_BLOCKS * block_bytes;
    __m512 f[2][MAX_ACTIVATIONS];
    for (int p = 0; p < 2; p++)
        for (int k = 0; k < MAX_ACTIVATIONS; k++) f[p][k] = _mm512_setzero_ps();
    for (int64_t b = 0; b < blocks; b++) {
        if (prefetch)
            for (size_t l = 0; l < block_bytes; l += 64) {
                _mm_prefetch((const char *)(p0 + (size_t)b * block_bytes + ahead + l), _MM_HINT_T0);
                if (np > 1) _mm_prefetch((const char *)(p1 + (size_t)b * block_bytes + ahead + l), _MM_HINT_T0);
            }
        __m512i g0[8], g1[8];
        __m512 d0, c0, d1 = _mm512_setzero_ps(), c1 = _mm512_setzero_ps();
        packed_block(type, p0, b, g0, &d0, &c0);
        if (np > 1) packed_block(type, p1, b, g1, &d1, &c1);
        block_step(g0, d0, c0, g1, d1, c1, np, x, x_stride, x_block, xs, xs_stride, b, nx, f);
    }
    store_tile(f, np, nx, y, y_stride, m0, m1);
}

/// One packed panel times `nx` (1 or 2) rows, `nx` a constant in each case.
PK_FN void packed_panel_rows(const int type, const uint8_t *p, int64_t blocks, const uint8_t *x, size_t x_stride,
                             size_t x_block, const float *xs, size_t xs_stride, int64_t nx, const int prefetch,
                             float *y, size_t y_stride, __mmask16 m) {
#define PACKED_ROWS_CASE(n) case n: packed_panel_tile(type, p, p, 1, blocks, x, x_stride, x_block, xs, xs_stride, n, prefetch, y, y_stride, m, 0); break;
    switch (nx) {
    PACKED_ROWS_CASE(1) PACKED_ROWS_CASE(2)
    default: break;
    }
#undef PACKED_ROWS_CASE
}

// MARK: Three to eight activation rows, interleaved

/// Copies the activation quants of `nx` rows into `xq`, interleaved so that one block's group q
/// of every row lies together: xq[(b·8 + q)·nx + k] = quants 4q..4q+3 of row k, block b. Their
/// scales go to `xsc`: per block, nx values of d_x, then nx of s_x. The tile loop then finds
/// every broadcast at a constant offset from one pointer per block.
PK_FN void interleave_activations(const uint8_t *x, size_t x_stride, size_t x_block, const float *xs, size_t xs_stride,
                                  int64_t blocks, const int nx, uint32_t *xq, float *xsc) {
    for (int64_t b = 0; b < blocks; b++)
        for (int k = 0; k < nx; k++) {
            const uint8_t *quants = x + (size_t)k * x_stride + (size_t)b * x_block;
            for (int q = 0; q < 8; q++) memcpy(xq + ((size_t)b * 8 + (size_t)q) * (size_t)nx + (size_t)k, quants + 4 * q, 4);
            xsc[(size_t)b * 2 * (size_t)nx + (size_t)k] = xs[(size_t)k * xs_stride + 2 * (size_t)b];
            xsc[(size_t)b * 2 * (size_t)nx + (size_t)nx + (size_t)k] = xs[(size_t)k * xs_stride + 2 * (size_t)b + 1];
        }
}

/// `block_step` for one panel and interleaved activations (`xq`, `xsc` at the block): the same
/// operations in the same order, so the same bits.
PK_FN void interleaved_block_step(const __m512i g[8], __m512 d, __m512 c, const uint32_t *xq, const float *xsc, const int nx,
                                  __m512 f[MAX_ACTIVATIONS]) {
    __m512i a[MAX_ACTIVATIONS];
#pragma clang loop unroll(full)
    for (int k = 0; k < nx; k++) a[k] = _mm512_setzero_si512();
#pragma clang loop unroll(full)
    for (int q = 0; q < 8; q++)
#pragma clang loop unroll(full)
        for (int k = 0; k < nx; k++) a[k] = _mm512_dpbusd_epi32(a[k], g[q], _mm512_set1_epi32((int32_t)xq[q * nx + k]));
#pragma clang loop unroll(full)
    for (int k = 0; k < nx; k++) {
        const __m512 dx = _mm512_set1_ps(xsc[k]), sx = _mm512_set1_ps(xsc[nx + k]);
        f[k] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(a[k]), _mm512_mul_ps(d, dx), f[k]);
        f[k] = _mm512_fmadd_ps(c, sx, f[k]);
    }
}

/// Blocks ahead that the 3-8 row kernel prefetches, into L2 rather than L1: its blocks take
/// longer, so it looks further ahead, and L2 tracks more lines in flight than L1 does (measured:
/// `bench kernels --batch 8` about 8 % faster than 16 blocks into L1).
#define INTERLEAVED_PREFETCH_BLOCKS 32

/// One packed panel times `nx` (3...8) interleaved activation rows, each block fetched
/// INTERLEAVED_PREFETCH_BLOCKS blocks ahead.
PK_FN void interleaved_panel_tile(const int type, const uint8_t *panel, int64_t blocks, const uint32_t *xq, const float *xsc,
                                  const int nx, float *y, size_t y_stride, __mmask16 m) {
    const size_t block_bytes = packed_block_bytes(type), ahead = INTERLEAVED_PREFETCH_BLOCKS * block_bytes;
    __m512 f[MAX_ACTIVATIONS];
    for (int k = 0; k < MAX_ACTIVATIONS; k++) f[k] = _mm512_setzero_ps();
    for (int64_t b = 0; b < blocks; b++) {
        for (size_t l = 0; l < block_bytes; l += 64) _mm_prefetch((const char *)(panel + (size_t)b * block_bytes + ahead + l), _MM_HINT_T1);
        __m512i g[8];
        __m512 d, c;
        packed_block(type, panel, b, g, &d, &c);
        interleaved_block_step(g, d, c, xq + (size_t)b * 8 * (size_t)nx, xsc + (size_t)b * 2 * (size_t)nx, nx, f);
    }
    for (int k = 0; k < nx; k++) _mm512_mask_storeu_ps(y + (size_t)k * y_stride, m, f[k]);
}

/// Where the interleaved activations of `rows` rows of `blocks` blocks live: quants, then scales.
PK_FN void interleaved_parts(const void *xi, int64_t rows, int64_t blocks, const uint32_t **xq, const float **xsc) {
    *xq = (const uint32_t *)xi;
    *xsc = (const float *)(*xq + (size_t)blocks * 8 * (size_t)rows);
}

/// Every panel times a batch of 3...8 interleaved rows (`nx` a constant in each call).
PK_FN void interleaved_panels(const int type, const uint8_t *panels, int64_t rows, int64_t blocks, const void *xi, const int nx,
                              float *y, size_t y_stride) {
    const uint32_t *xq;
    const float *xsc;
    interleaved_parts(xi, nx, blocks, &xq, &xsc);
    const size_t panel_bytes = (size_t)blocks * packed_block_bytes(type);
    for (int64_t p = 0; p * PANEL_ROWS < rows; p++)
        interleaved_panel_tile(type, panels + (size_t)p * panel_bytes, blocks, xq, xsc, nx, y + p * PANEL_ROWS, y_stride,
                               lanes(rows - p * PANEL_ROWS));
}

/// `interleaved_panels` for a run-time batch of 3...8 rows.
PK_FN void interleaved_gemm(const int type, const uint8_t *panels, int64_t rows, int64_t blocks, const void *xi, int64_t batch,
                            float *y, size_t y_stride) {
#define INTERLEAVED_CASE(n) case n: interleaved_panels(type, panels, rows, blocks, xi, n, y, y_stride); break;
    switch (batch) {
    INTERLEAVED_CASE(3) INTERLEAVED_CASE(4) INTERLEAVED_CASE(5) INTERLEAVED_CASE(6) INTERLEAVED_CASE(7) INTERLEAVED_CASE(8)
    default: break;
    }
#undef INTERLEAVED_CASE
}

size_t slm_interleaved_activation_bytes(int64_t rows, int64_t blocks) { return (size_t)rows * (size_t)blocks * 40; }

PK_TARGET void slm_interleave_activations_q8_1(const void *x, size_t x_stride, const float *xs, int64_t rows, int64_t blocks, void *out) {
    uint32_t *xq = (uint32_t *)out;
    interleave_activations((const uint8_t *)x + 4, x_stride, 36, xs, (size_t)blocks * 2, blocks, (int)rows, xq,
                           (float *)(xq + (size_t)blocks * 8 * (size_t)rows));
}

PK_TARGET void slm_interleave_activations_q8_0(const void *x, size_t x_stride, const float *xs, int64_t rows, int64_t blocks, void *out) {
    uint32_t *xq = (uint32_t *)out;
    interleave_activations((const uint8_t *)x + 2, x_stride, 34, xs, (size_t)blocks * 2, blocks, (int)rows, xq,
                           (float *)(xq + (size_t)blocks * 8 * (size_t)rows));
}

PK_TARGET void slm_gemm_panels_interleaved_vnni(int type, const void *panels, int64_t rows, int64_t blocks, const void *xi,
                                                 int64_t batch, float *y, size_t y_stride) {
    switch (type) {
    case 0: interleaved_gemm(0, (const uint8_t *)panels, rows, blocks, xi, batch, y, y_stride); break;
    case 1: interleaved_gemm(1, (const uint8_t *)panels, rows, blocks, xi, batch, y, y_stride); break;
    case 2: interleaved_gemm(2, (const uint8_t *)panels, rows, blocks, xi, batch, y, y_stride); break;
    default: __builtin_trap();
    }
}

/// The loop of every packed entry point: a pair of panels at a time for batches of one or two
/// rows; one panel at a time times interleaved activations for three to eight; above that a pair
/// of panels unpacked into the scratch and every tile of four rows over it. The next panels are
/// prefetched meanwhile.
PK_FN void packed_gemm(const int type, const uint8_t *panels, int64_t rows, int64_t blocks, const uint8_t *x, size_t x_stride,
                       size_t x_block, const float *xs, int64_t batch, float *y, size_t y_stride, void *scratch) {
    const size_t panel_bytes = (size_t)blocks * packed_block_bytes(type);
    const size_t xs_stride = (size_t)blocks * 2;
    const int64_t panel_count = (rows + PANEL_ROWS - 1) / PANEL_ROWS;
    if (batch <= DIRECT_PAIR_MAX_BATCH) {
        for (int64_t p = 0; p < panel_count; p += 2) {
            const uint8_t *p0 = panels + (size_t)p * panel_bytes;
            const __mmask16 m0 = lanes(rows - p * PANEL_ROWS);
            float *yp = y + p * PANEL_ROWS;
            if (p + 1 == panel_count) {
                packed_panel_rows(type, p0, blocks, x, x_stride, x_block, xs, xs_stride, batch, 0, yp, y_stride, m0);
                continue;
            }
            const __mmask16 m1 = lanes(rows - (p + 1) * PANEL_ROWS);
            // Each panel prefetches itself ahead, which runs into the panel after the pair.
            if (batch == 1) packed_panel_tile(type, p0, p0 + panel_bytes, 2, blocks, x, x_stride, x_block, xs, xs_stride, 1, 1, yp, y_stride, m0, m1);
            else packed_panel_tile(type, p0, p0 + panel_bytes, 2, blocks, x, x_stride, x_block, xs, xs_stride, 2, 1, yp, y_stride, m0, m1);
        }
        return;
    }
    if (batch <= DIRECT_MAX_BATCH) {
        // Callers that multiply the same rows many times interleave them once instead
        // (`slm_interleave_activations_*`, `slm_gemm_panels_interleaved_*`).
        uint32_t *xq = (uint32_t *)(((uintptr_t)scratch + 63) & ~(uintptr_t)63);
        interleave_activations(x, x_stride, x_block, xs, xs_stride, blocks, (int)batch, xq, (float *)(xq + (size_t)blocks * 8 * (size_t)batch));
        interleaved_gemm(type, panels, rows, blocks, xq, batch, y, y_stride);
        return;
    }
    // Larger batches: a pair of panels unpacked into the scratch once, then every tile of four rows.
    const panel_t unpacked0 = panel_at(scratch, blocks, 0), unpacked1 = panel_at(scratch, blocks, 1);
    const size_t lines = (2 * panel_bytes / 64 + (size_t)blocks - 1) / (size_t)blocks;
    for (int64_t p = 0; p < panel_count; p += 2) {
        const uint8_t *p0 = panels + (size_t)p * panel_bytes;
        const int np = p + 1 < panel_count ? 2 : 1;
        const uint8_t *ahead = p + 2 < panel_count ? p0 + 2 * panel_bytes : 0;
        for (int i = 0; i < np; i++) {
            const panel_t out = i == 0 ? unpacked0 : unpacked1;
            for (int64_t b = 0; b < blocks; b++) {
                __m512i g[8];
                __m512 d, c;
                packed_block(type, p0 + (size_t)i * panel_bytes, b, g, &d, &c);
                uint8_t *q = out.quants + (size_t)b * PANEL_QUANT_BYTES;
                for (int k = 0; k < 8; k++) _mm512_store_si512((__m512i *)(q + k * 64), g[k]);
                _mm512_store_ps(out.scales + (size_t)b * PANEL_SCALE_FLOATS, d);
                _mm512_store_ps(out.scales + (size_t)b * PANEL_SCALE_FLOATS + 16, c);
            }
        }
        float *yp = y + p * PANEL_ROWS;
        const __mmask16 m0 = lanes(rows - p * PANEL_ROWS);
        if (np == 2)
            packed_panels_times_batch(unpacked0, unpacked1, 2, blocks, x, x_stride, x_block, xs, batch, ahead, ahead ? lines : 0,
                                      yp, y_stride, m0, lanes(rows - (p + 1) * PANEL_ROWS));
        else
            packed_panels_times_batch(unpacked0, unpacked0, 1, blocks, x, x_stride, x_block, xs, batch, 0, 0, yp, y_stride, m0, 0);
    }
}

PK_TARGET void slm_gemm_panels_q4_0_q8_1_vnni(const void *panels, int64_t rows, int64_t blocks, const void *x, size_t x_stride,
                                               const float *xs, int64_t batch, float *y, size_t y_stride, void *scratch) {
    packed_gemm(0, (const uint8_t *)panels, rows, blocks, (const uint8_t *)x + 4, x_stride, 36, xs, batch, y, y_stride, scratch);
}

PK_TARGET void slm_gemm_panels_q4_1_q8_1_vnni(const void *panels, int64_t rows, int64_t blocks, const void *x, size_t x_stride,
                                               const float *xs, int64_t batch, float *y, size_t y_stride, void *scratch) {
    packed_gemm(1, (const uint8_t *)panels, rows, blocks, (const uint8_t *)x + 4, x_stride, 36, xs, batch, y, y_stride, scratch);
}

PK_TARGET void slm_gemm_panels_q8_0_q8_0_vnni(const void *panels, int64_t rows, int64_t blocks, const void *x, size_t x_stride,
                                               const float *xs, int64_t batch, float *y, size_t y_stride, void *scratch) {
    packed_gemm(2, (const uint8_t *)panels, rows, blocks, (const uint8_t *)x + 2, x_stride, 34, xs, batch, y, y_stride, scratch);
}

// MARK: Activation scales

PK_TARGET void slm_activation_scales_q8_1(const void *x, size_t x_stride, int64_t rows, int64_t blocks, float *xs) {
    for (int64_t k = 0; k < rows; k++) {
        const uint8_t *row = (const uint8_t *)x + (size_t)k * x_stride;
        float *out = xs + (size_t)k * (size_t)blocks * 2;
        for (int64_t b = 0; b < blocks; b++) {
            uint16_t d, s;
            memcpy(&d, row + b * 36, 2);
            memcpy(&s, row + b * 36 + 2, 2);
            out[2 * b] = _cvtsh_ss(d);
            out[2 * b + 1] = _cvtsh_ss(s);
        }
    }
}

PK_TARGET void slm_activation_scales_q8_0(const void *x, size_t x_stride, int64_t rows, int64_t blocks, float *xs) {
    for (int64_t k = 0; k < rows; k++) {
        const uint8_t *row = (const uint8_t *)x + (size_t)k * x_stride;
        float *out = xs + (size_t)k * (size_t)blocks * 2;
        for (int64_t b = 0; b < blocks; b++) {
            uint16_t d;
            memcpy(&d, row + b * 34, 2);
            const int8_t *q = (const int8_t *)(row + b * 34 + 2);
            int32_t sum = 0;
            for (int i = 0; i < 32; i++) sum += q[i];
            out[2 * b] = _cvtsh_ss(d);
            out[2 * b + 1] = _cvtsh_ss(d) * (float)sum;
        }
    }
}

#else

// Not x86-64: the entry points exist so Swift links everywhere; SLMCore never calls them there.
size_t slm_gemm_panel_scratch_bytes(int64_t blocks) { (void)blocks; return 0; }
#define UNAVAILABLE_PANEL(name)                                                                         \
    void name(const void *w, size_t w_stride, int64_t rows, int64_t blocks, const void *x, size_t x_stride, \
              const float *xs, int64_t batch, float *y, size_t y_stride, void *scratch) {                  \
        (void)w; (void)w_stride; (void)rows; (void)blocks; (void)x; (void)x_stride; (void)xs;            \
        (void)batch; (void)y; (void)y_stride; (void)scratch; __builtin_trap();                           \
    }
UNAVAILABLE_PANEL(slm_gemm_panel_q4_1_q8_1_vnni)
UNAVAILABLE_PANEL(slm_gemm_panel_q4_0_q8_1_vnni)
UNAVAILABLE_PANEL(slm_gemm_panel_q8_0_q8_0_vnni)
size_t slm_panels_bytes(int type, int64_t rows, int64_t blocks) { (void)type; (void)rows; (void)blocks; return 0; }
#define UNAVAILABLE_PACK(name) \
    void name(const void *w, size_t w_stride, int64_t rows, int64_t blocks, void *out) { \
        (void)w; (void)w_stride; (void)rows; (void)blocks; (void)out; __builtin_trap(); \
    }
UNAVAILABLE_PACK(slm_pack_panels_q4_0)
UNAVAILABLE_PACK(slm_pack_panels_q4_1)
UNAVAILABLE_PACK(slm_pack_panels_q8_0)
#define UNAVAILABLE_PACKED(name) \
    void name(const void *panels, int64_t rows, int64_t blocks, const void *x, size_t x_stride, const float *xs, \
              int64_t batch, float *y, size_t y_stride, void *scratch) { \
        (void)panels; (void)rows; (void)blocks; (void)x; (void)x_stride; (void)xs; (void)batch; (void)y; \
        (void)y_stride; (void)scratch; __builtin_trap(); \
    }
UNAVAILABLE_PACKED(slm_gemm_panels_q4_0_q8_1_vnni)
UNAVAILABLE_PACKED(slm_gemm_panels_q4_1_q8_1_vnni)
UNAVAILABLE_PACKED(slm_gemm_panels_q8_0_q8_0_vnni)
size_t slm_interleaved_activation_bytes(int64_t rows, int64_t blocks) { return (size_t)rows * (size_t)blocks * 40; }
#define UNAVAILABLE_INTERLEAVE(name) \
    void name(const void *x, size_t x_stride, const float *xs, int64_t rows, int64_t blocks, void *out) { \
        (void)x; (void)x_stride; (void)xs; (void)rows; (void)blocks; (void)out; __builtin_trap(); \
    }
UNAVAILABLE_INTERLEAVE(slm_interleave_activations_q8_1)
UNAVAILABLE_INTERLEAVE(slm_interleave_activations_q8_0)
void slm_gemm_panels_interleaved_vnni(int type, const void *panels, int64_t rows, int64_t blocks, const void *xi, int64_t batch,
                                      float *y, size_t y_stride) {
    (void)type; (void)panels; (void)rows; (void)blocks; (void)xi; (void)batch; (void)y; (void)y_stride; __builtin_trap();
}
void slm_activation_scales_q8_1(const void *x, size_t x_stride, int64_t rows, int64_t blocks, float *xs) {
    (void)x; (void)x_stride; (void)rows; (void)blocks; (void)xs; __builtin_trap();
}
void slm_activation_scales_q8_0(const void *x, size_t x_stride, int64_t rows, int64_t blocks, float *xs) {
    (void)x; (void)x_stride; (void)rows; (void)blocks; (void)xs; __builtin_trap();
}
#endif
