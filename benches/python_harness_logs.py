"""The Python baselines for `benches/harness_logs.rs`, on the files it generates:

- Inspect's own reader: `read_eval_log(path, header_only=True)`, then the whole log;
- lm-eval's samples file loaded with `json.loads` per line (and written back with `json.dumps`, as
  `samples --format jsonl` writes each line).

Prints the median of 5 runs of each (3 for the long ones).

    target/interop-venv/bin/python benches/python_harness_logs.py target/bench-data
"""
import json, os, statistics, sys, time

from inspect_ai.log import read_eval_log


def timed(label, runs, fn):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    print(f"{label}: median {statistics.median(times) * 1000:.1f} ms over {runs} runs: {[round(t, 4) for t in times]}")


data = sys.argv[1]
log = os.path.join(data, "inspect-10000.eval")
timed("inspect read_eval_log(header_only=True)", 5, lambda: read_eval_log(log, header_only=True))
timed("inspect read_eval_log (whole log)", 3, lambda: read_eval_log(log))

samples = os.path.join(data, "lm-eval-250k/org__model/samples_bench_mc_2026-01-01T00-00-00.000000.jsonl")


def lm_eval_lines():
    with open(samples) as f, open(os.devnull, "w") as sink:
        for line in f:
            sink.write(json.dumps(json.loads(line), ensure_ascii=False))
            sink.write("\n")


timed("lm-eval json.loads + json.dumps per line, 250,000 lines", 3, lm_eval_lines)
