"""VisiData on the files `cargo bench --bench tui -- samples_list` opens: the first row, then
every row, from a cold start with Python's start-up included (as a user starting `vd` waits).

    target/interop-venv/bin/python -m pip install visidata==3.4
    target/interop-venv/bin/python benches/visidata_first_row.py [FILE.parquet ...]

Without files it times the bench's 250,000- and 1,000,000-row tasks (run the Rust bench first,
which writes them). Prints the median of 5 runs of each, in seconds.
"""

import glob
import statistics
import subprocess
import sys
import time

# Runs in a fresh interpreter: VisiData's loader thread fills the sheet while we watch it.
CHILD = r"""
import sys, time
from visidata import vd, Path
sheet = vd.openSource(Path(sys.argv[1]))
sheet.ensureLoaded()
while sheet.nRows == 0:
    time.sleep(0.0005)
first = time.time()
vd.sync()
print(first, time.time(), sheet.nRows)
"""


def once(path):
    start = time.time()
    out = subprocess.run(
        [sys.executable, "-c", CHILD, path], check=True, capture_output=True, text=True
    ).stdout.split()
    first, full, rows = float(out[0]), float(out[1]), int(out[2])
    return first - start, full - start, rows


def main():
    paths = sys.argv[1:] or sorted(
        glob.glob("target/bench-data/run-one-task-*/details/*/*/*/*.parquet")
    )
    if not paths:
        sys.exit("no files: run `cargo bench --bench tui -- samples_list` first, or name them")
    for path in paths:
        runs = [once(path) for _ in range(5)]
        rows = runs[0][2]
        first = statistics.median(r[0] for r in runs)
        full = statistics.median(r[1] for r in runs)
        print(f"{rows:>9} rows  first row {first:6.3f} s  every row {full:6.3f} s  ({path})")


if __name__ == "__main__":
    main()
