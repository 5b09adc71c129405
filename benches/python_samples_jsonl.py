"""The Python baseline for `evaldeck samples --format jsonl`: read a details file with pyarrow and
write each row with json.dumps, as a pandas/pyarrow user would. Prints the median of 3 runs.

    target/interop-venv/bin/python benches/python_samples_jsonl.py target/bench-data/samples-250k.parquet
"""
import json, statistics, sys, time
import pyarrow.parquet as pq

def run(path, out):
    table = pq.read_table(path)
    for batch in table.to_batches(max_chunksize=1024):
        for row in batch.to_pylist():
            out.write(json.dumps(row, ensure_ascii=False))
            out.write("\n")

path = sys.argv[1]
times = []
with open("/dev/null", "w") as sink:
    for _ in range(3):
        start = time.perf_counter()
        run(path, sink)
        times.append(time.perf_counter() - start)
print(f"median {statistics.median(times):.3f} s over {len(times)} runs: {[round(t, 3) for t in times]}")
