"""Writes a copy of a GGUF model in another quantization with llama.cpp's quantizer (through
llama-cpp-python), to measure both engines on the types real downloads use.

Usage (with the venv deploy/bench/core builds):
    .bench/llama-venv/bin/python deploy/bench/requantize.py SOURCE.gguf OUT.gguf [--type Q4_K_M]

Requantizing an already quantized file (allowed here) loses some accuracy; the copy is for speed
figures, not for serving.
"""
import argparse
import ctypes
import sys

import llama_cpp as ll

TYPES = {
    "Q4_0": ll.LLAMA_FTYPE_MOSTLY_Q4_0,
    "Q4_1": ll.LLAMA_FTYPE_MOSTLY_Q4_1,
    "Q5_0": ll.LLAMA_FTYPE_MOSTLY_Q5_0,
    "Q8_0": ll.LLAMA_FTYPE_MOSTLY_Q8_0,
    "Q4_K_M": ll.LLAMA_FTYPE_MOSTLY_Q4_K_M,
    "Q5_K_M": ll.LLAMA_FTYPE_MOSTLY_Q5_K_M,
    "Q6_K": ll.LLAMA_FTYPE_MOSTLY_Q6_K,
}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("source")
    parser.add_argument("out")
    parser.add_argument("--type", default="Q4_K_M", choices=sorted(TYPES))
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    params = ll.llama_model_quantize_default_params()
    params.ftype = TYPES[args.type]
    params.allow_requantize = True
    params.nthread = args.threads
    status = ll.llama_model_quantize(args.source.encode(), args.out.encode(), ctypes.byref(params))
    if status != 0:
        sys.exit(f"llama_model_quantize failed ({status}) for {args.source}")


if __name__ == "__main__":
    main()
