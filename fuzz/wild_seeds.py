"""Seeds for the fuzz targets from the wild set (files other people wrote, ../shared/fixtures/wild):
written at run time into fuzz/seeds-wild/<target>/, which git ignores, so none of those files is
ever committed here.

usage: python3 wild_seeds.py WILD_DIR OUT_DIR
"""
import json
import shutil
import sys
from pathlib import Path

wild, out = Path(sys.argv[1]), Path(sys.argv[2])
shutil.rmtree(out, ignore_errors=True)
counts = {}


def seed(target, name, data):
    folder = out / target
    folder.mkdir(parents=True, exist_ok=True)
    n = counts.get(target, 0)
    counts[target] = n + 1
    (folder / f"{n:03}_{name}").write_bytes(data)


for path in sorted(wild.rglob("*")):
    if not path.is_file() or path.suffix == ".md":
        continue
    data = path.read_bytes()
    safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in path.name)[-80:]
    if path.suffix == ".parquet":
        seed("details_parquet", safe, data)
    elif path.suffix == ".eval":
        seed("inspect_log", safe, data)
    elif path.parts[-3:-1] and "inspect" in path.parts and path.suffix == ".json":
        seed("inspect_log", safe, data)
    elif path.suffix == ".json" and not path.name.startswith("samples_"):
        seed("results_json", safe, data)
        # lm_eval_samples reads its first line as the results file and the rest as samples.
        if "lm-eval" in path.parts:
            doc = json.loads(data)
            samples = sorted(path.parent.glob("samples_*"))
            lines = samples[0].read_bytes().splitlines()[:20] if samples else []
            seed("lm_eval_samples", safe, json.dumps(doc).encode() + b"\n" + b"\n".join(lines))
for target, n in sorted(counts.items()):
    print(f"{target}: {n} wild seeds")
