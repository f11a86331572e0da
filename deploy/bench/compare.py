"""Prints the median of each figure for both engines and Switchyard's ratio to llama.cpp.

Usage: compare.py SWITCHYARD_JSONL LLAMA_JSONL  (one JSON object per run in each file)
"""
import json
import statistics
import sys

FIGURES = [
    ("prefill_tok_s", "prefill tok/s", True),
    ("decode_tok_s", "decode tok/s", True),
    ("aggregate_tok_s", "streams aggregate tok/s", True),
    ("peak_rss_bytes", "peak RSS MiB", False),
]

# Switchyard only: the same streams through the serving scheduler.
SCHEDULER = "scheduler_aggregate_tok_s"


def medians(path):
    runs = [json.loads(line) for line in open(path) if line.strip().startswith("{")]
    if not runs:
        sys.exit(f"no results in {path}")
    figures = {k: statistics.median(r[k] for r in runs) for k, _, _ in FIGURES}
    if all(SCHEDULER in r for r in runs):
        figures[SCHEDULER] = statistics.median(r[SCHEDULER] for r in runs)
    return len(runs), figures


def main():
    n_ours, ours = medians(sys.argv[1])
    n_anchor, anchor = medians(sys.argv[2])
    print(f"medians of {n_ours} Switchyard runs and {n_anchor} llama.cpp runs")
    print(f"{'figure':<26}{'switchyard':>12}{'llama.cpp':>12}{'ratio':>8}")
    for key, label, higher_better in FIGURES:
        a, b = ours[key], anchor[key]
        if key == "peak_rss_bytes":
            a, b = a / 2**20, b / 2**20
        ratio = a / b if b else float("nan")
        print(f"{label:<26}{a:>12.1f}{b:>12.1f}{ratio:>7.2f}x")
    print(f"{'8 streams / 1 stream':<26}{ours['aggregate_tok_s'] / ours['decode_tok_s']:>12.2f}"
          f"{anchor['aggregate_tok_s'] / anchor['decode_tok_s']:>12.2f}")
    if SCHEDULER in ours:
        print(f"{'  via scheduler tok/s':<26}{ours[SCHEDULER]:>12.1f}")
        print(f"{'  via scheduler / 1 stream':<26}{ours[SCHEDULER] / ours['decode_tok_s']:>12.2f}")
    print(json.dumps({"switchyard": ours, "llama.cpp": anchor}, sort_keys=True))


if __name__ == "__main__":
    main()
