"""Times llama.cpp's sampler chains (through llama-cpp-python's C API) on rows of logits written by
`switchyard bench sampler --logits-out FILE`, the settings that command measures, and prints one
JSON object: setting name -> median microseconds per token.

Usage: sampler_bench.py LOGITS_FILE VOCAB [--iterations N]

Each token refills the candidate array from the row (a memmove of the prepared array, standing in
for the loop llama_sampler_sample runs in C before the chain) and applies the chain; the refill
alone is timed too, as "refill only". llama.cpp's samplers
report no log-probabilities, so the setting with top logprobs has no anchor and is left out.
"""
import argparse
import ctypes
import json
import time

import numpy as np
import llama_cpp as ll


def chain(*samplers):
    c = ll.llama_sampler_chain_init(ll.llama_sampler_chain_default_params())
    for s in samplers:
        ll.llama_sampler_chain_add(c, s)
    return c


SETTINGS = {
    "greedy": lambda: chain(ll.llama_sampler_init_greedy()),
    "temperature 0.7": lambda: chain(ll.llama_sampler_init_temp(0.7), ll.llama_sampler_init_dist(1)),
    "top_p 0.9": lambda: chain(ll.llama_sampler_init_top_p(0.9, 1), ll.llama_sampler_init_dist(1)),
    "top_k 40, temperature 0.7": lambda: chain(
        ll.llama_sampler_init_top_k(40), ll.llama_sampler_init_temp(0.7), ll.llama_sampler_init_dist(1)),
    "min_p 0.05, temperature 0.7": lambda: chain(
        ll.llama_sampler_init_min_p(0.05, 1), ll.llama_sampler_init_temp(0.7), ll.llama_sampler_init_dist(1)),
}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("logits")
    parser.add_argument("vocab", type=int)
    parser.add_argument("--iterations", type=int, default=200)
    args = parser.parse_args()

    logits = np.fromfile(args.logits, dtype="<f4").reshape(-1, args.vocab)
    rows, vocab = logits.shape
    token_dtype = np.dtype([("id", "<i4"), ("logit", "<f4"), ("p", "<f4")])
    assert token_dtype.itemsize == ctypes.sizeof(ll.llama_token_data)
    templates = np.zeros((rows, vocab), dtype=token_dtype)
    templates["id"] = np.arange(vocab, dtype=np.int32)
    templates["logit"] = logits
    storage = (ll.llama_token_data * vocab)()
    row_bytes = vocab * token_dtype.itemsize
    sources = [templates[row].ctypes.data for row in range(rows)]
    array = ll.llama_token_data_array(data=storage, size=vocab, selected=-1, sorted=False)

    results = {}
    times = []
    for _ in range(args.iterations):
        for row in range(rows):
            start = time.perf_counter()
            ctypes.memmove(storage, sources[row], row_bytes)
            times.append(time.perf_counter() - start)
    times.sort()
    results["refill only"] = times[len(times) // 2] * 1e6
    for name, make in SETTINGS.items():
        sampler = make()
        times = []
        for _ in range(args.iterations):
            for row in range(rows):
                start = time.perf_counter()
                ctypes.memmove(storage, sources[row], row_bytes)
                array.size, array.selected, array.sorted = vocab, -1, False
                ll.llama_sampler_apply(sampler, ctypes.byref(array))
                times.append(time.perf_counter() - start)
                assert 0 <= array.selected < array.size
        ll.llama_sampler_free(sampler)
        times.sort()
        results[name] = times[len(times) // 2] * 1e6
    print(json.dumps(results, sort_keys=True))


if __name__ == "__main__":
    main()
