"""Measures llama.cpp (through llama-cpp-python's C API) the way `switchyard bench` measures
Switchyard's core, and prints one JSON object with the same keys:
prefill_tok_s, decode_tok_s, aggregate_tok_s, peak_rss_bytes.

Usage: llama_bench.py MODEL --threads N --prompt-tokens P --gen-tokens G --streams S [--kv-cache f16|q8]

--kv-cache q8 gives llama.cpp's KV cache the type q8_0 for keys and values (as `switchyard bench
--kv-cache q8` does ours); llama.cpp needs flash attention for a quantized value cache, so it is on then.

Weight repacking into "extra buffer types" (llama.cpp's AMX/repack path) is turned off, as
llama.cpp's --no-repack does: on CPUs that report AMX it crashes or computes wrong logits.
"""
import argparse
import ctypes
import json
import resource
import sys
import time

import numpy as np
import llama_cpp as ll

DECODE_PROMPT = 128  # tokens in the context before decode is timed


def prompt_tokens(count, vocab):
    """Deterministic token ids spread over the vocabulary (the same rule as `switchyard bench`)."""
    state, ids = 12345, []
    for _ in range(count):
        state = (state * 1664525 + 1013904223) % (1 << 32)
        ids.append(256 + state % (vocab - 512))
    return ids


class Engine:
    def __init__(self, path, threads, n_ctx, n_seq, n_batch, kv_cache="f16"):
        ll.llama_backend_init()
        mparams = ll.llama_model_default_params()
        mparams.n_gpu_layers = 0
        mparams.use_extra_bufts = False
        self.model = ll.llama_model_load_from_file(path.encode(), mparams)
        if not self.model:
            sys.exit(f"llama.cpp could not load {path}")
        cparams = ll.llama_context_default_params()
        cparams.n_ctx = n_ctx
        cparams.n_batch = n_batch
        cparams.n_ubatch = n_batch
        cparams.n_seq_max = n_seq
        # One KV buffer shared by all sequences (otherwise n_ctx is split n_seq ways and the
        # single-sequence prefill prompt does not fit).
        cparams.kv_unified = True
        cparams.n_threads = threads
        cparams.n_threads_batch = threads
        cparams.no_perf = True
        if kv_cache == "q8":
            cparams.type_k = ll.GGML_TYPE_Q8_0
            cparams.type_v = ll.GGML_TYPE_Q8_0
            cparams.flash_attn_type = ll.LLAMA_FLASH_ATTN_TYPE_ENABLED
        self.ctx = ll.llama_init_from_model(self.model, cparams)
        if not self.ctx:
            sys.exit("llama.cpp could not create a context")
        self.vocab = ll.llama_vocab_n_tokens(ll.llama_model_get_vocab(self.model))
        self.batch = ll.llama_batch_init(max(n_batch, n_seq), 0, n_seq)

    def clear(self):
        ll.llama_memory_clear(ll.llama_get_memory(self.ctx), True)

    def decode(self, entries):
        """entries: (token, position, sequence, wants_logits) tuples, one batch."""
        b = self.batch
        for i, (tok, pos, seq, logits) in enumerate(entries):
            b.token[i] = tok
            b.pos[i] = pos
            b.n_seq_id[i] = 1
            b.seq_id[i][0] = seq
            b.logits[i] = logits
        b.n_tokens = len(entries)
        rc = ll.llama_decode(self.ctx, b)
        if rc != 0:
            sys.exit(f"llama_decode failed: {rc}")

    def argmax(self, index):
        ptr = ll.llama_get_logits_ith(self.ctx, index)
        return int(np.argmax(np.ctypeslib.as_array(ptr, shape=(self.vocab,))))

    def prefill(self, tokens, seq=0, start=0):
        last = len(tokens) - 1
        self.decode([(t, start + i, seq, i == last) for i, t in enumerate(tokens)])
        return self.argmax(last)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("model")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--prompt-tokens", type=int, default=512)
    p.add_argument("--gen-tokens", type=int, default=128)
    p.add_argument("--streams", type=int, default=8)
    p.add_argument("--kv-cache", choices=["f16", "q8"], default="f16")
    a = p.parse_args()

    per_stream = DECODE_PROMPT + a.gen_tokens + 1
    n_ctx = max(a.prompt_tokens, per_stream * a.streams)
    n_batch = max(a.prompt_tokens, DECODE_PROMPT)
    e = Engine(a.model, a.threads, n_ctx, a.streams, n_batch, a.kv_cache)

    # Prefill: one batch of P tokens, logits of the last one.
    prompt = prompt_tokens(a.prompt_tokens, e.vocab)
    e.clear()
    t0 = time.perf_counter()
    e.prefill(prompt)
    prefill = a.prompt_tokens / (time.perf_counter() - t0)

    # Decode: greedy, one token per step, after a 128-token prompt.
    e.clear()
    tok = e.prefill(prompt_tokens(DECODE_PROMPT, e.vocab))
    t0 = time.perf_counter()
    for i in range(a.gen_tokens):
        e.decode([(tok, DECODE_PROMPT + i, 0, True)])
        tok = e.argmax(0)
    decode = a.gen_tokens / (time.perf_counter() - t0)

    # S streams: each has its own 128-token prompt; then every step decodes one token of each.
    e.clear()
    toks = []
    for s in range(a.streams):
        toks.append(e.prefill(prompt_tokens(DECODE_PROMPT + s, e.vocab)[s:], seq=s))
    t0 = time.perf_counter()
    for i in range(a.gen_tokens):
        e.decode([(toks[s], DECODE_PROMPT + i, s, True) for s in range(a.streams)])
        toks = [e.argmax(s) for s in range(a.streams)]
    aggregate = a.streams * a.gen_tokens / (time.perf_counter() - t0)

    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"engine": "llama.cpp", "prefill_tok_s": prefill, "decode_tok_s": decode,
                      "aggregate_tok_s": aggregate, "peak_rss_bytes": rss}))


if __name__ == "__main__":
    main()
