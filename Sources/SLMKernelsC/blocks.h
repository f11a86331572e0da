// GGML block layouts shared by the x86 kernels (mirrors the Block* types in SLMCore).
#ifndef SLM_BLOCKS_H
#define SLM_BLOCKS_H
#include <stdint.h>

typedef struct { uint16_t d; uint8_t qs[16]; } slm_block_q4_0;            // 18 bytes
typedef struct { uint16_t d; uint16_t m; uint8_t qs[16]; } slm_block_q4_1; // 20 bytes
typedef struct { uint16_t d; int8_t qs[32]; } slm_block_q8_0;             // 34 bytes
typedef struct { uint16_t d; uint16_t s; int8_t qs[32]; } slm_block_q8_1;  // 36 bytes

_Static_assert(sizeof(slm_block_q4_0) == 18, "Q4_0 block is 18 bytes");
_Static_assert(sizeof(slm_block_q4_1) == 20, "Q4_1 block is 20 bytes");
_Static_assert(sizeof(slm_block_q8_0) == 34, "Q8_0 block is 34 bytes");
_Static_assert(sizeof(slm_block_q8_1) == 36, "Q8_1 block is 36 bytes");
#endif
