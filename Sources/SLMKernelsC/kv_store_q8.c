// Writing keys and values into the 8-bit cache (layout in slm_attention.h). Plain C, the same on
// every CPU; SLMCore's `KeyValueCache.storeReference` is the definition it is tested against.
#include "SLMKernelsC.h"

#include <math.h>
#include <string.h>

size_t slm_kv_q8_tile_bytes(int64_t head_dim) {
    return (size_t)(SLM_KV_TILE_POSITIONS * head_dim + SLM_KV_TILE_POSITIONS * 4 * ((head_dim + 31) / 32));
}

/// `n` (≤ 32) floats as int8 with one scale: d = max|x| / 127, q = x / d rounded to nearest even.
static inline float quantize_block(const float *x, int64_t n, int8_t *q) {
    float amax = 0;
    for (int64_t i = 0; i < n; i++) amax = fmaxf(amax, fabsf(x[i]));
    const float d = amax / 127.0f, inverse = d != 0.0f ? 1.0f / d : 0.0f;
    for (int64_t i = 0; i < n; i++) {
        float r = nearbyintf(x[i] * inverse);
        r = r > 127.0f ? 127.0f : r < -127.0f ? -127.0f : r;
        q[i] = (int8_t)r;
    }
    return d;
}

void slm_kv_store_q8(const float *k, const float *v, int64_t kv_heads, int64_t head_dim, int64_t position,
                     uint8_t *key_tiles, uint8_t *values, size_t head_stride) {
    const size_t tile_bytes = slm_kv_q8_tile_bytes(head_dim);
    const int64_t tile = position / SLM_KV_TILE_POSITIONS, lane = position % SLM_KV_TILE_POSITIONS;
    const size_t scales = (size_t)(SLM_KV_TILE_POSITIONS * head_dim);
    for (int64_t h = 0; h < kv_heads; h++) {
        uint8_t *kt = key_tiles + (size_t)h * head_stride + (size_t)tile * tile_bytes;
        uint8_t *vt = values + (size_t)h * head_stride + (size_t)tile * tile_bytes;
        for (int64_t first = 0; first < head_dim; first += 32) {
            const int64_t n = head_dim - first < 32 ? head_dim - first : 32, block = first / 32;
            int8_t q[32];
            // Keys: dimension d in lane `lane` of row d; values: the position's row.
            float d = quantize_block(k + h * head_dim + first, n, q);
            for (int64_t i = 0; i < n; i++) kt[(first + i) * SLM_KV_TILE_POSITIONS + lane] = (uint8_t)q[i];
            memcpy(kt + scales + (size_t)(block * SLM_KV_TILE_POSITIONS + lane) * 4, &d, 4);
            d = quantize_block(v + h * head_dim + first, n, q);
            memcpy(vt + (size_t)(lane * head_dim + first), q, (size_t)n);
            memcpy(vt + scales + (size_t)(block * SLM_KV_TILE_POSITIONS + lane) * 4, &d, 4);
        }
    }
}
